"""The SQLite store: one file, WAL, stdlib ``sqlite3``; the default for a single machine.

One connection per thread. Every write is one ``BEGIN IMMEDIATE`` transaction, which takes
the database's write lock up front, so writers and claimers in several threads or processes
are serialised (waiting up to ``busy_timeout``) instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from stepline.store import _common as c
from stepline.store import rows as convert
from stepline.store.migrate import apply_sqlite
from stepline.store.protocol import AlreadyExists, Append, NotFound, StoreError, VersionConflict
from stepline.store.records import (
    EventRecord,
    ExecutionRecord,
    WorkItem,
)
from stepline.store.signal import Subscription, WorkSignal
from stepline.store.sql_catalog import Dialect, SqlCatalog
from stepline.store.sql_executions import EVENT_COLUMNS, EXECUTION_COLUMNS, SqlExecutionReads
from stepline.store.sql_jobs import SqlJobs
from stepline.store.sql_lake_catalog import SqlLakeCatalog
from stepline.store.sql_ledger import SqlLedger
from stepline.store.sql_map_runs import SqlMapRunReads
from stepline.store.sql_named_queries import SqlNamedQueries
from stepline.store.sql_notifications import SqlNotifications
from stepline.store.sql_quality import SqlQuality
from stepline.store.sql_queues import SqlQueues

_WORK = "id, execution_arn, key, kind, due_at, payload, lease_owner, lease_until, attempts"
_INSERT_WORK = "INSERT INTO work (execution_arn, key, kind, due_at, payload) VALUES (?, ?, ?, ?, ?)"
_INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
_CLAIM = f"""UPDATE work SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM work
    WHERE due_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND kind <> 'activity'
    ORDER BY due_at, id LIMIT ?
)
RETURNING {_WORK}"""
_NEXT_DUE = """SELECT MIN(CASE WHEN lease_until IS NULL OR lease_until < due_at
                          THEN due_at ELSE lease_until END) FROM work
               WHERE kind <> 'activity'"""
_TAKE_ACTIVITY_TASK = f"""UPDATE work SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
WHERE id = (
    SELECT id FROM work
    WHERE kind = 'activity' AND json_extract(payload, '$.activity_arn') = ?
        AND (lease_until IS NULL OR lease_until < ?)
    ORDER BY due_at, id LIMIT 1
)
RETURNING {_WORK}"""


_TIMES = convert.Times(c.to_micros, c.from_micros)
# BEGIN IMMEDIATE holds the write lock already: reading a machine's row is enough
_DIALECT = Dialect("?", _TIMES, "", (sqlite3.IntegrityError,))


class SqliteStore(
    SqlCatalog,
    SqlExecutionReads,
    SqlMapRunReads,
    SqlJobs,
    SqlLakeCatalog,
    SqlLedger,
    SqlNamedQueries,
    SqlQueues,
    SqlQuality,
    SqlNotifications,
):
    """A ``Store`` in one SQLite file; share it freely between threads."""

    _dialect = _DIALECT
    _map_run_arn_sql = "json_extract(details, '$.mapRunArn')"  # as in migration 0006

    def __init__(
        self,
        path: str,
        *,
        migrate: bool = True,
        busy_timeout: float = 30.0,
        synchronous: str = "NORMAL",
    ) -> None:
        """``synchronous=NORMAL`` (WAL) survives any process crash; ``FULL`` also survives a
        power loss at the price of an fsync per commit."""
        self.path = path
        self._busy_ms = int(busy_timeout * 1000)
        self._synchronous = synchronous.upper()
        if self._synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")
        self._local = threading.local()
        self._lock = threading.Lock()
        # Write transactions of this process take turns here: SQLite's own busy handler
        # polls with sleeps of up to 100 ms, which under load costs more than the writes.
        self._writing = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self._signal = WorkSignal()  # in-process only: other processes poll
        if migrate:
            self.migrate()

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns their names."""
        return apply_sqlite(self._conn())

    def subscribe(self, wake: Callable[[], None]) -> Subscription:
        return self._signal.subscribe(wake)

    # State machines, revisions, versions and aliases: SqlCatalog.

    # ---- executions ---------------------------------------------------------------------
    def create_execution(
        self, record: ExecutionRecord, events: Sequence[EventRecord], work: Sequence[WorkItem]
    ) -> None:
        row = convert.execution_row(record, _TIMES)
        event_rows = [convert.event_row(e, _TIMES) for e in events]
        work = c.last_per_key(work)
        with self._write() as conn:
            try:
                conn.execute(
                    f"INSERT INTO executions ({EXECUTION_COLUMNS}) VALUES ({_marks(16)})", row
                )
            except sqlite3.IntegrityError:
                raise AlreadyExists(
                    c.execution_exists(record.state_machine_arn, record.name)
                ) from None
            self._insert_events(conn, record.arn, event_rows)
            self._replace_work(conn, record.arn, (), work)
        if self._signal and c.claimable(work):
            self._signal.fire()

    def append(self, step: Append) -> int:
        arn = step.execution_arn
        update = convert.execution_update(step, _TIMES)
        event_rows = [convert.event_row(e, _TIMES) for e in step.events]
        work = c.last_per_key(step.add_work)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE executions SET version = version + 1, state = ?, status = ?, output = ?,"
                " error = ?, cause = ?, stop_date = ?, redrive_count = redrive_count + ?,"
                " redrive_date = COALESCE(?, redrive_date) WHERE arn = ? AND version = ?",
                update,
            )
            if cursor.rowcount != 1:
                found = conn.execute("SELECT 1 FROM executions WHERE arn = ?", (arn,)).fetchone()
                if found is None:
                    raise NotFound(c.no_execution(arn))
                raise VersionConflict(c.stale_version(arn, step.expected_version))
            if step.done_work_id is not None:
                cursor = conn.execute("DELETE FROM work WHERE id = ?", (step.done_work_id,))
                if cursor.rowcount != 1:
                    raise VersionConflict(c.work_gone(arn, step.done_work_id))
            self._replace_work(conn, arn, step.cancel_keys, work)
            self._insert_events(conn, arn, event_rows)
        if self._signal and c.claimable(work):
            self._signal.fire()
        return step.expected_version + 1

    # ---- activity tasks (activities themselves: SqlCatalog) -------------------------------
    def take_activity_task(
        self, activity_arn: str, worker_id: str, now: datetime, lease_seconds: float
    ) -> WorkItem | None:
        now_us = c.to_micros(now)
        until_us = c.to_micros(c.lease_end(now, lease_seconds))
        args = (worker_id, until_us, activity_arn, now_us)
        with self._write() as conn:
            row = conn.execute(_TAKE_ACTIVITY_TASK, args).fetchone()
        return None if row is None else convert.work(row, _TIMES)

    # ---- work ---------------------------------------------------------------------------
    def claim(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[WorkItem]:
        if limit <= 0:
            return []
        now_us = c.to_micros(now)
        until_us = c.to_micros(c.lease_end(now, lease_seconds))
        with self._write() as conn:
            rows = conn.execute(_CLAIM, (worker_id, until_us, now_us, now_us, limit)).fetchall()
        items = [convert.work(row, _TIMES) for row in rows]
        items.sort(key=lambda w: (w.due_at, w.id))
        return items

    def renew(self, work_id: int, worker_id: str, until: datetime) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE work SET lease_until = ? WHERE id = ? AND lease_owner = ?",
                (c.to_micros(until), work_id, worker_id),
            )
            return cursor.rowcount == 1

    def work_items(self, execution_arn: str | None = None) -> list[WorkItem]:
        """The work items (of one execution), leased or not, by id: for inspection."""
        if execution_arn is None:
            rows = self._conn().execute(f"SELECT {_WORK} FROM work ORDER BY id")
        else:
            sql = f"SELECT {_WORK} FROM work WHERE execution_arn = ? ORDER BY id"
            rows = self._conn().execute(sql, (execution_arn,))
        return [convert.work(row, _TIMES) for row in rows]

    def next_due(self) -> datetime | None:
        (value,) = self._conn().execute(_NEXT_DUE).fetchone()
        return c.from_micros_or_none(value)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    # ---- internals ----------------------------------------------------------------------
    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._write()

    def _reader(self) -> sqlite3.Connection:
        return self._conn()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._lock:
            if self._closed:
                raise StoreError(f"the SQLite store {self.path!r} is closed")
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self._busy_ms / 1000,
                    isolation_level=None,  # autocommit; transactions are explicit
                    check_same_thread=False,  # used by one thread, closed by close()
                )
                conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            except sqlite3.Error as error:
                raise StoreError(
                    f"cannot open the SQLite database {self.path!r}: {error}"
                ) from error
            self._connections.append(conn)
        self._use_wal(conn)
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        self._local.conn = conn
        return conn

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (persistent). Changing the journal mode does not wait on
        the busy handler, so concurrent first opens retry here until ``busy_timeout``."""
        deadline = time.monotonic() + self._busy_ms / 1000
        while True:
            try:
                (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
        if str(mode).lower() != "wal":
            raise StoreError(f"SQLite cannot use WAL for {self.path!r} (journal mode {mode!r})")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._writing:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def _insert_events(conn: sqlite3.Connection, arn: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            conn.executemany(_INSERT_EVENT, rows)
        except sqlite3.IntegrityError:
            raise AlreadyExists(c.event_exists(arn)) from None

    @staticmethod
    def _replace_work(
        conn: sqlite3.Connection, arn: str, cancel: Sequence[str], work: Sequence[WorkItem]
    ) -> None:
        pairs = c.keys_to_delete(arn, cancel, work)
        if pairs:
            conn.executemany("DELETE FROM work WHERE execution_arn = ? AND key = ?", pairs)
        if work:
            rows = [
                (w.execution_arn, w.key, w.kind, c.to_micros(w.due_at), w.payload) for w in work
            ]
            conn.executemany(_INSERT_WORK, rows)


def _marks(n: int) -> str:
    return ", ".join("?" * n)
