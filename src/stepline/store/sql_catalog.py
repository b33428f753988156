"""State machines (their revisions, versions and aliases) and activities in SQL: one
implementation for the SQLite and the PostgreSQL store (``SqlCatalog`` is a base class of both;
tags, configurations and deletion: its base ``SqlResources``).

Every change is one transaction that first reads the machine's row and holds it: PostgreSQL
locks it (``FOR UPDATE``), SQLite's ``BEGIN IMMEDIATE`` holds the database's write lock
already. So the checks that go with a change (no alias routes to the version being deleted,
the revision being published is still the current one, the next version number) cannot race
another change of the same machine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stepline.store import _common as c
from stepline.store import rows as convert
from stepline.store.protocol import AlreadyExists, Conflict, NotFound
from stepline.store.records import (
    ActivityRecord,
    AliasRecord,
    RevisionRecord,
    Route,
    StateMachineRecord,
    Tag,
    VersionRecord,
)
from stepline.store.sql_resources import MACHINE as _MACHINE
from stepline.store.sql_resources import Dialect, SqlResources

__all__ = ["Dialect", "SqlCatalog"]
_REVISION = "state_machine_arn, id, definition, role_arn, created_at"
_VERSION = "state_machine_arn, number, revision_id, created_at, description"
_ALIAS = "state_machine_arn, name, routes, created_at, updated_at, description"
_ACTIVITY = "arn, name, created_at"


class SqlCatalog(SqlResources):
    """The catalog part of ``Store`` for a SQL backend. A subclass provides the dialect, a
    transaction (a context manager giving a connection) and a connection for reads."""

    # ---- state machines -----------------------------------------------------------------
    def create_state_machine(self, record: StateMachineRecord, tags: Sequence[Tag] = ()) -> None:
        d = self._dialect
        row = (
            record.arn,
            record.name,
            record.definition,
            record.role_arn,
            record.type,
            d.times.out(record.created_at),
            record.revision_id,
            record.status,
            record.logging,
            record.tracing,
            record.encryption,
        )
        revision = RevisionRecord(
            record.arn, record.revision_id, record.definition, record.role_arn, record.created_at
        )
        try:
            with self._transaction() as conn:
                conn.execute(
                    d.sql(f"INSERT INTO state_machines ({_MACHINE}) VALUES ({_marks(11)})"), row
                )
                self._insert_revision(conn, revision)
                self._insert_tags(conn, record.arn, tags)
        except d.unique_violation:
            raise AlreadyExists(c.machine_exists(record.name)) from None

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        sql = self._dialect.sql(f"SELECT {_MACHINE} FROM state_machines WHERE arn = ?")
        row = self._reader().execute(sql, (arn,)).fetchone()
        return None if row is None else convert.machine(row, self._dialect.times)

    def list_state_machines(self) -> list[StateMachineRecord]:
        sql = f"SELECT {_MACHINE} FROM state_machines ORDER BY name, arn"
        rows = self._reader().execute(sql).fetchall()
        return [convert.machine(row, self._dialect.times) for row in rows]

    def update_state_machine(self, revision: RevisionRecord) -> StateMachineRecord:
        d = self._dialect
        arn = revision.state_machine_arn
        with self._transaction() as conn:
            if self._hold(conn, arn) is None:
                raise NotFound(c.no_machine(arn))
            if self._revision(conn, arn, revision.id) is not None:
                raise AlreadyExists(c.revision_exists(arn, revision.id))
            self._insert_revision(conn, revision)
            sql = "UPDATE state_machines SET definition = ?, role_arn = ?, revision_id = ?"
            sql += " WHERE arn = ?"
            conn.execute(d.sql(sql), (revision.definition, revision.role_arn, revision.id, arn))
            return self._machine(conn, arn)

    def get_revision(self, state_machine_arn: str, revision_id: str) -> RevisionRecord | None:
        return self._revision(self._reader(), state_machine_arn, revision_id)

    # ---- versions -----------------------------------------------------------------------
    def publish_version(
        self,
        state_machine_arn: str,
        revision_id: str | None,
        created_at: datetime,
        description: str | None = None,
    ) -> VersionRecord:
        d = self._dialect
        with self._transaction() as conn:
            held = self._hold(conn, state_machine_arn)
            if held is None:
                raise NotFound(c.no_machine(state_machine_arn))
            current, last = held
            if revision_id is not None and revision_id != current:
                raise Conflict(c.stale_revision(revision_id, current))
            sql = f"SELECT {_VERSION} FROM state_machine_versions"
            sql += " WHERE state_machine_arn = ? AND revision_id = ? ORDER BY number DESC LIMIT 1"
            row = conn.execute(d.sql(sql), (state_machine_arn, current)).fetchone()
            if row is not None:  # AWS: publishing is idempotent per revision
                return _version(row, d.times)
            version = VersionRecord(
                state_machine_arn, last + 1, current, c.utc(created_at), description
            )
            sql = f"INSERT INTO state_machine_versions ({_VERSION}) VALUES ({_marks(5)})"
            conn.execute(
                d.sql(sql),
                (
                    state_machine_arn,
                    version.number,
                    current,
                    d.times.out(version.created_at),
                    description,
                ),
            )
            sql = "UPDATE state_machines SET last_version = ? WHERE arn = ?"
            conn.execute(d.sql(sql), (version.number, state_machine_arn))
            return version

    def get_version(self, state_machine_arn: str, number: int) -> VersionRecord | None:
        return self._version(self._reader(), state_machine_arn, number)

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        sql = f"SELECT {_VERSION} FROM state_machine_versions WHERE state_machine_arn = ?"
        sql += " ORDER BY number DESC"
        rows = self._reader().execute(self._dialect.sql(sql), (state_machine_arn,)).fetchall()
        return [_version(row, self._dialect.times) for row in rows]

    def delete_version(self, state_machine_arn: str, number: int) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            if self._hold(conn, state_machine_arn) is None:
                return False
            if self._version(conn, state_machine_arn, number) is None:
                return False
            aliases = self._aliases(conn, state_machine_arn)
            routed = sorted(a.name for a in aliases if any(r.version == number for r in a.routes))
            if routed:
                raise Conflict(c.version_routed(routed))
            sql = "DELETE FROM state_machine_versions WHERE state_machine_arn = ? AND number = ?"
            conn.execute(d.sql(sql), (state_machine_arn, number))
            return True

    # ---- aliases ------------------------------------------------------------------------
    def create_alias(self, alias: AliasRecord) -> None:
        d = self._dialect
        arn = alias.state_machine_arn
        try:
            with self._transaction() as conn:
                if self._hold(conn, arn) is None:
                    raise NotFound(c.no_machine(arn))
                if self._alias(conn, arn, alias.name) is not None:
                    raise AlreadyExists(c.alias_exists(arn, alias.name))
                self._check_routes(conn, alias)
                sql = f"INSERT INTO state_machine_aliases ({_ALIAS}) VALUES ({_marks(6)})"
                conn.execute(d.sql(sql), _alias_row(alias, d.times))
        except d.unique_violation:
            raise AlreadyExists(c.alias_exists(arn, alias.name)) from None

    def update_alias(self, alias: AliasRecord) -> None:
        d = self._dialect
        arn = alias.state_machine_arn
        with self._transaction() as conn:
            if self._hold(conn, arn) is None or self._alias(conn, arn, alias.name) is None:
                raise NotFound(c.no_alias(arn, alias.name))
            self._check_routes(conn, alias)
            sql = "UPDATE state_machine_aliases SET routes = ?, updated_at = ?, description = ?"
            sql += " WHERE state_machine_arn = ? AND name = ?"
            routes = _routes_text(alias.routes)
            updated = d.times.out(alias.updated_at)
            conn.execute(d.sql(sql), (routes, updated, alias.description, arn, alias.name))

    def get_alias(self, state_machine_arn: str, name: str) -> AliasRecord | None:
        return self._alias(self._reader(), state_machine_arn, name)

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        return self._aliases(self._reader(), state_machine_arn)

    def delete_alias(self, state_machine_arn: str, name: str) -> bool:
        sql = "DELETE FROM state_machine_aliases WHERE state_machine_arn = ? AND name = ?"
        with self._transaction() as conn:
            self._hold(conn, state_machine_arn)
            deleted: int = conn.execute(self._dialect.sql(sql), (state_machine_arn, name)).rowcount
        return deleted == 1

    # ---- internals ----------------------------------------------------------------------
    def _insert_revision(self, conn: Any, revision: RevisionRecord) -> None:
        d = self._dialect
        sql = f"INSERT INTO state_machine_revisions ({_REVISION}) VALUES ({_marks(5)})"
        conn.execute(
            d.sql(sql),
            (
                revision.state_machine_arn,
                revision.id,
                revision.definition,
                revision.role_arn,
                d.times.out(revision.created_at),
            ),
        )

    def _revision(self, conn: Any, arn: str, revision_id: str) -> RevisionRecord | None:
        sql = f"SELECT {_REVISION} FROM state_machine_revisions"
        sql += " WHERE state_machine_arn = ? AND id = ?"
        row = conn.execute(self._dialect.sql(sql), (arn, revision_id)).fetchone()
        if row is None:
            return None
        machine_arn, id_, definition, role_arn, created_at = row
        return RevisionRecord(
            machine_arn, id_, definition, role_arn, self._dialect.times.back(created_at)
        )

    def _version(self, conn: Any, arn: str, number: int) -> VersionRecord | None:
        sql = f"SELECT {_VERSION} FROM state_machine_versions"
        sql += " WHERE state_machine_arn = ? AND number = ?"
        row = conn.execute(self._dialect.sql(sql), (arn, number)).fetchone()
        return None if row is None else _version(row, self._dialect.times)

    # ---- activities ---------------------------------------------------------------------
    def create_activity(self, record: ActivityRecord, tags: Sequence[Tag] = ()) -> ActivityRecord:
        """AWS: creating an existing name again returns the activity as it is."""
        d = self._dialect
        row = (record.arn, record.name, d.times.out(record.created_at))
        with self._transaction() as conn:
            sql = f"INSERT INTO activities ({_ACTIVITY}) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
            if conn.execute(d.sql(sql), row).rowcount == 1:
                self._insert_tags(conn, record.arn, tags)
            sql = f"SELECT {_ACTIVITY} FROM activities WHERE name = ?"
            found = conn.execute(d.sql(sql), (record.name,)).fetchone()
        return convert.activity(found, d.times)

    def get_activity(self, arn: str) -> ActivityRecord | None:
        d = self._dialect
        sql = d.sql(f"SELECT {_ACTIVITY} FROM activities WHERE arn = ?")
        row = self._reader().execute(sql, (arn,)).fetchone()
        return None if row is None else convert.activity(row, d.times)

    def list_activities(self) -> list[ActivityRecord]:
        sql = f"SELECT {_ACTIVITY} FROM activities ORDER BY name"
        return [convert.activity(row, self._dialect.times) for row in self._reader().execute(sql)]

    def delete_activity(self, arn: str) -> bool:
        with self._transaction() as conn:
            conn.execute(self._dialect.sql("DELETE FROM tags WHERE resource_arn = ?"), (arn,))
            sql = self._dialect.sql("DELETE FROM activities WHERE arn = ?")
            return bool(conn.execute(sql, (arn,)).rowcount == 1)

    def _alias(self, conn: Any, arn: str, name: str) -> AliasRecord | None:
        sql = f"SELECT {_ALIAS} FROM state_machine_aliases WHERE state_machine_arn = ? AND name = ?"
        row = conn.execute(self._dialect.sql(sql), (arn, name)).fetchone()
        return None if row is None else _alias(row, self._dialect.times)

    def _aliases(self, conn: Any, arn: str) -> list[AliasRecord]:
        sql = f"SELECT {_ALIAS} FROM state_machine_aliases WHERE state_machine_arn = ?"
        sql += " ORDER BY created_at DESC, seq DESC"
        rows = conn.execute(self._dialect.sql(sql), (arn,)).fetchall()
        return [_alias(row, self._dialect.times) for row in rows]

    def _check_routes(self, conn: Any, alias: AliasRecord) -> None:
        for route in alias.routes:
            if self._version(conn, alias.state_machine_arn, route.version) is None:
                raise NotFound(c.no_version(alias.state_machine_arn, route.version))


def _version(row: Sequence[Any], times: convert.Times) -> VersionRecord:
    arn, number, revision_id, created_at, description = row
    return VersionRecord(arn, number, revision_id, times.back(created_at), description)


def _alias(row: Sequence[Any], times: convert.Times) -> AliasRecord:
    arn, name, routes, created_at, updated_at, description = row
    return AliasRecord(
        arn,
        name,
        tuple(Route(r["version"], r["weight"]) for r in json.loads(routes)),
        times.back(created_at),
        times.back(updated_at),
        description,
    )


def _alias_row(alias: AliasRecord, times: convert.Times) -> tuple[Any, ...]:
    return (
        alias.state_machine_arn,
        alias.name,
        _routes_text(alias.routes),
        times.out(alias.created_at),
        times.out(alias.updated_at),
        alias.description,
    )


def _routes_text(routes: Sequence[Route]) -> str:
    return json.dumps([{"version": r.version, "weight": r.weight} for r in routes])


def _marks(n: int) -> str:
    return ", ".join("?" * n)
