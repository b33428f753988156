"""What the SQL backends share under the catalog: the dialect, the transaction hooks, and
the operations on state machines and activities as resources — tags (TagResource), the
configurations, and the deletion of a state machine (DeleteStateMachine). ``SqlResources``
is a base class of ``SqlCatalog``.

Every change holds the resource's row for its transaction (PostgreSQL: ``FOR UPDATE``;
SQLite: ``BEGIN IMMEDIATE`` holds the write lock), so the tag count checked is the count
written, and a machine is never purged while a change of it is under way.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from stepline.store import _common as c
from stepline.store import rows as convert
from stepline.store.protocol import NotFound, TooManyTags
from stepline.store.records import StateMachineRecord, Tag

MACHINE: Final = (
    "arn, name, definition, role_arn, type, created_at, revision_id, status,"
    " logging_configuration, tracing_configuration, encryption_configuration"
)
_UPSERT_TAG: Final = (
    "INSERT INTO tags (resource_arn, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value"
)
# A purged machine's executions, for the deletion of their events and work items.
_ITS_EXECUTIONS: Final = "SELECT arn FROM executions WHERE state_machine_arn = ?"
_PURGE: Final = (
    f"DELETE FROM events WHERE execution_arn IN ({_ITS_EXECUTIONS})",
    f"DELETE FROM work WHERE execution_arn IN ({_ITS_EXECUTIONS})",
    "DELETE FROM executions WHERE state_machine_arn = ?",
    "DELETE FROM state_machine_aliases WHERE state_machine_arn = ?",
    "DELETE FROM state_machine_versions WHERE state_machine_arn = ?",
    "DELETE FROM tags WHERE resource_arn = ?",
    "DELETE FROM state_machines WHERE arn = ?",
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the SQL backends here."""

    mark: str  # the placeholder: "?" or "%s"
    times: convert.Times
    lock: str  # appended to the SELECT of a row to hold it for the transaction
    unique_violation: tuple[type[Exception], ...]

    def sql(self, text: str) -> str:
        """``text`` written with "?" placeholders, in this dialect."""
        return text if self.mark == "?" else text.replace("?", self.mark)


class SqlResources:
    """A subclass provides the dialect, a transaction (a context manager giving a
    connection) and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    # ---- configurations -----------------------------------------------------------------
    def configure_state_machine(
        self,
        arn: str,
        logging: str | None = None,
        tracing: str | None = None,
        encryption: str | None = None,
    ) -> StateMachineRecord:
        d = self._dialect
        given = (
            ("logging_configuration", logging),
            ("tracing_configuration", tracing),
            ("encryption_configuration", encryption),
        )
        changes = [(column, value) for column, value in given if value is not None]
        with self._transaction() as conn:
            if self._hold(conn, arn) is None:
                raise NotFound(c.no_machine(arn))
            if changes:
                sets = ", ".join(f"{column} = ?" for column, _ in changes)
                args = (*(value for _, value in changes), arn)
                conn.execute(d.sql(f"UPDATE state_machines SET {sets} WHERE arn = ?"), args)
            return self._machine(conn, arn)

    # ---- deletion -----------------------------------------------------------------------
    def mark_state_machine_deleting(self, arn: str) -> StateMachineRecord | None:
        d = self._dialect
        with self._transaction() as conn:
            if self._hold(conn, arn) is None:
                return None
            sql = "UPDATE state_machines SET status = 'DELETING' WHERE arn = ?"
            conn.execute(d.sql(sql), (arn,))
            sql = "UPDATE executions SET machine_deleting = TRUE WHERE state_machine_arn = ?"
            conn.execute(d.sql(sql), (arn,))
            return self._machine(conn, arn)

    def purge_state_machine(self, arn: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            sql = "SELECT status FROM state_machines WHERE arn = ?" + d.lock
            row = conn.execute(d.sql(sql), (arn,)).fetchone()
            if row is None or row[0] != "DELETING":
                return False
            sql = "SELECT 1 FROM executions WHERE state_machine_arn = ? AND status = 'RUNNING'"
            if conn.execute(d.sql(sql + " LIMIT 1"), (arn,)).fetchone() is not None:
                return False
            for statement in _PURGE:
                conn.execute(d.sql(statement), (arn,))
            return True

    # ---- tags ---------------------------------------------------------------------------
    def tag_resource(self, resource_arn: str, tags: Sequence[Tag], limit: int) -> None:
        with self._transaction() as conn:
            self._hold_resource(conn, resource_arn)
            current = {tag.key: tag.value for tag in self._tags(conn, resource_arn)}
            merged = c.merged_tags(current, tags)
            if len(merged) > limit:
                message = c.too_many_tags(resource_arn, len(merged), limit)
                raise TooManyTags(message, resource_arn)
            self._insert_tags(conn, resource_arn, tags)

    def untag_resource(self, resource_arn: str, keys: Sequence[str]) -> None:
        sql = self._dialect.sql("DELETE FROM tags WHERE resource_arn = ? AND key = ?")
        with self._transaction() as conn:
            self._hold_resource(conn, resource_arn)
            if keys:
                conn.cursor().executemany(sql, [(resource_arn, key) for key in keys])

    def list_tags(self, resource_arn: str) -> list[Tag]:
        conn = self._reader()
        self._hold_resource(conn, resource_arn, hold=False)
        return self._tags(conn, resource_arn)

    # ---- internals ----------------------------------------------------------------------
    def _hold(self, conn: Any, arn: str) -> tuple[str, int] | None:
        """The machine's current revision and last version number, its row held until the
        transaction ends; None when there is no such machine."""
        sql = "SELECT revision_id, last_version FROM state_machines WHERE arn = ?"
        row = conn.execute(self._dialect.sql(sql + self._dialect.lock), (arn,)).fetchone()
        return None if row is None else (row[0], row[1])

    def _machine(self, conn: Any, arn: str) -> StateMachineRecord:
        sql = self._dialect.sql(f"SELECT {MACHINE} FROM state_machines WHERE arn = ?")
        return convert.machine(conn.execute(sql, (arn,)).fetchone(), self._dialect.times)

    def _hold_resource(self, conn: Any, resource_arn: str, hold: bool = True) -> None:
        """Hold the row of the machine or activity of that ARN; NotFound when neither is."""
        d = self._dialect
        for table in ("state_machines", "activities"):
            sql = f"SELECT 1 FROM {table} WHERE arn = ?" + (d.lock if hold else "")
            if conn.execute(d.sql(sql), (resource_arn,)).fetchone() is not None:
                return
        raise NotFound(c.no_resource(resource_arn))

    def _tags(self, conn: Any, resource_arn: str) -> list[Tag]:
        sql = self._dialect.sql("SELECT key, value FROM tags WHERE resource_arn = ?")
        rows = conn.execute(sql, (resource_arn,)).fetchall()
        return [Tag(key, value) for key, value in sorted(rows)]  # by code point, as memory

    def _insert_tags(self, conn: Any, resource_arn: str, tags: Sequence[Tag]) -> None:
        """Add or replace tags (the last of a key given winning)."""
        rows = [(resource_arn, k, v) for k, v in c.merged_tags({}, tags).items()]
        if rows:
            conn.cursor().executemany(self._dialect.sql(_UPSERT_TAG), rows)
