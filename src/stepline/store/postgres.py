"""The PostgreSQL store (psycopg 3): many workers on many machines share one database.

One connection per thread, in autocommit mode. A step (create_execution, append) is one
transaction sent as one pipeline: a round trip for the statements, one for the COMMIT.
Claims and renewals are single statements, atomic on their own. Claims use ``FOR UPDATE
SKIP LOCKED``, so concurrent claimers never wait on each other nor get the same item. The
schema is the connection's ``search_path`` (set it in the URL with
``?options=-csearch_path%3Dmyschema``). Times are ``timestamptz``, read back as UTC.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors
from psycopg import sql as pgsql

from stepline.store import _common as c
from stepline.store import rows as convert
from stepline.store.migrate import apply_postgres
from stepline.store.protocol import AlreadyExists, Append, NotFound, StoreError, VersionConflict
from stepline.store.records import (
    EventRecord,
    ExecutionRecord,
    WorkItem,
)
from stepline.store.signal import CHANNEL, Subscription, WorkSignal
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

_LOG = logging.getLogger(__name__)

Connection: TypeAlias = "psycopg.Connection[tuple[Any, ...]]"

_WORK = "id, execution_arn, key, kind, due_at, payload, lease_owner, lease_until, attempts"
_INSERT_WORK = (
    "INSERT INTO work (execution_arn, key, kind, due_at, payload) VALUES (%s, %s, %s, %s, %s)"
)
_INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES ({', '.join(['%s'] * 6)})"
_CLAIM = f"""UPDATE work SET lease_owner = %s, lease_until = %s, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM work
    WHERE due_at <= %s AND (lease_until IS NULL OR lease_until < %s) AND kind <> 'activity'
    ORDER BY due_at, id LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING {_WORK}"""
_UPDATE_EXECUTION = (
    "UPDATE executions SET version = version + 1, state = %s, status = %s,"
    " output = %s, error = %s, cause = %s, stop_date = %s, redrive_count = redrive_count + %s,"
    " redrive_date = COALESCE(%s, redrive_date) WHERE arn = %s AND version = %s"
)
_NEXT_DUE = (  # GREATEST ignores NULLs
    "SELECT MIN(GREATEST(due_at, lease_until)) FROM work WHERE kind <> 'activity'"
)
_TAKE_ACTIVITY_TASK = f"""UPDATE work
SET lease_owner = %s, lease_until = %s, attempts = attempts + 1
WHERE id = (
    SELECT id FROM work
    WHERE kind = 'activity' AND (payload::jsonb) ->> 'activity_arn' = %s
        AND (lease_until IS NULL OR lease_until < %s)
    ORDER BY due_at, id LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING {_WORK}"""


_TIMES = convert.Times(c.utc, c.utc)
_DIALECT = Dialect("%s", _TIMES, " FOR UPDATE", (errors.UniqueViolation,))


class _Rejected(Exception):
    """A step's checks failed: roll it back, then say why."""


class PostgresStore(
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
    """A ``Store`` in a PostgreSQL database; share it freely between threads."""

    _dialect = _DIALECT
    _map_run_arn_sql = "(details::jsonb) ->> 'mapRunArn'"  # as in migration 0006

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Connection] = []
        self._closed = False
        self._signal = WorkSignal()
        self._listener: PostgresListener | None = None
        # Wake-ups are per schema: stores in other schemas of the database are not woken.
        row = self._conn().execute("SELECT current_schema()").fetchone()
        self._notify_channel = f"{CHANNEL}:{row[0] if row and row[0] else 'public'}"
        self._notify = pgsql.SQL("NOTIFY {}").format(pgsql.Identifier(self._notify_channel))
        if migrate:
            self.migrate()

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns their names."""
        return apply_postgres(self._conn())

    # State machines, revisions, versions and aliases: SqlCatalog.

    # ---- executions ---------------------------------------------------------------------
    def create_execution(
        self, record: ExecutionRecord, events: Sequence[EventRecord], work: Sequence[WorkItem]
    ) -> None:
        row = convert.execution_row(record, _TIMES)
        event_rows = [convert.event_row(e, _TIMES) for e in events]
        work = c.last_per_key(work)
        conn = self._conn()
        try:
            with conn.pipeline(), conn.transaction():
                sql = f"INSERT INTO executions ({EXECUTION_COLUMNS}) VALUES ({_marks(16)})"
                conn.execute(sql, row)
                _replace_work(conn, record.arn, (), work, self._notify)
                _insert_events(conn, event_rows)
        except errors.UniqueViolation as error:
            if error.diag.table_name == "events":
                raise AlreadyExists(c.event_exists(record.arn)) from None
            raise AlreadyExists(c.execution_exists(record.state_machine_arn, record.name)) from None

    def append(self, step: Append) -> int:
        """One round trip for the whole step (pipeline), then the checks, then COMMIT."""
        arn = step.execution_arn
        update = convert.execution_update(step, _TIMES)
        event_rows = [convert.event_row(e, _TIMES) for e in step.events]
        work = c.last_per_key(step.add_work)
        conn = self._conn()
        try:
            with conn.pipeline() as pipeline, conn.transaction():
                updated = conn.execute(_UPDATE_EXECUTION, update)
                done = None
                if step.done_work_id is not None:
                    done = conn.execute("DELETE FROM work WHERE id = %s", (step.done_work_id,))
                _replace_work(conn, arn, step.cancel_keys, work, self._notify)
                _insert_events(conn, event_rows)
                pipeline.sync()
                if updated.rowcount != 1 or (done is not None and done.rowcount != 1):
                    raise _Rejected  # rolls the whole step back
        except (_Rejected, errors.UniqueViolation):
            raise self._why_rejected(step) from None
        return step.expected_version + 1

    def _why_rejected(self, step: Append) -> Exception:
        """The error for a step that was rolled back (checked afresh, after the rollback)."""
        arn = step.execution_arn
        conn = self._conn()
        row = conn.execute("SELECT version FROM executions WHERE arn = %s", (arn,)).fetchone()
        if row is None:
            return NotFound(c.no_execution(arn))
        if row[0] != step.expected_version:
            return VersionConflict(c.stale_version(arn, step.expected_version))
        if step.done_work_id is not None:
            sql = "SELECT 1 FROM work WHERE id = %s"
            if conn.execute(sql, (step.done_work_id,)).fetchone() is None:
                return VersionConflict(c.work_gone(arn, step.done_work_id))
        return AlreadyExists(c.event_exists(arn))

    # ---- activity tasks (activities themselves: SqlCatalog) -------------------------------
    def take_activity_task(
        self, activity_arn: str, worker_id: str, now: datetime, lease_seconds: float
    ) -> WorkItem | None:
        now = c.utc(now)
        until = c.lease_end(now, lease_seconds)
        # one statement: atomic on its own; SKIP LOCKED lets concurrent takers pass by
        args = (worker_id, until, activity_arn, now)
        row = self._conn().execute(_TAKE_ACTIVITY_TASK, args).fetchone()
        return None if row is None else convert.work(row, _TIMES)

    # ---- work ---------------------------------------------------------------------------
    def claim(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[WorkItem]:
        if limit <= 0:
            return []
        now = c.utc(now)
        until = c.lease_end(now, lease_seconds)
        # one statement: atomic on its own (autocommit), and one round trip
        rows = self._conn().execute(_CLAIM, (worker_id, until, now, now, limit)).fetchall()
        items = [convert.work(row, _TIMES) for row in rows]
        items.sort(key=lambda w: (w.due_at, w.id))
        return items

    def renew(self, work_id: int, worker_id: str, until: datetime) -> bool:
        cursor = self._conn().execute(
            "UPDATE work SET lease_until = %s WHERE id = %s AND lease_owner = %s",
            (c.utc(until), work_id, worker_id),
        )
        return cursor.rowcount == 1

    def work_items(self, execution_arn: str | None = None) -> list[WorkItem]:
        """The work items (of one execution), leased or not, by id: for inspection."""
        if execution_arn is None:
            rows = self._conn().execute(f"SELECT {_WORK} FROM work ORDER BY id")
        else:
            sql = f"SELECT {_WORK} FROM work WHERE execution_arn = %s ORDER BY id"
            rows = self._conn().execute(sql, (execution_arn,))
        return [convert.work(row, _TIMES) for row in rows]

    def next_due(self) -> datetime | None:
        row = self._conn().execute(_NEXT_DUE).fetchone()
        return None if row is None else c.utc_or_none(row[0])

    def subscribe(self, wake: Callable[[], None]) -> Subscription:
        subscription = self._signal.subscribe(wake, cross_process=True)
        with self._lock:
            if self._listener is None and not self._closed:
                # It wakes every subscriber once it listens (work may have come before).
                self._listener = PostgresListener(self.url, self._notify_channel, self._signal)
        return subscription

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        for conn in connections:
            conn.close()

    # ---- internals ----------------------------------------------------------------------
    def _announce(self, conn: Connection) -> None:
        """Wake other processes' idle workers at commit (job runs: SqlJobs)."""
        conn.execute(self._notify)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        conn = self._conn()
        with conn.transaction():
            yield conn

    def _reader(self) -> Connection:
        return self._conn()

    def _conn(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        with self._lock:
            if self._closed:
                raise StoreError("the PostgreSQL store is closed")
        try:
            conn = psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as error:
            reason = str(error).strip() or type(error).__name__
            raise StoreError(
                f"cannot connect to PostgreSQL at {_redacted(self.url)}: {reason}"
            ) from error
        conn.execute("SET TIME ZONE 'UTC'")
        with self._lock:
            if self._closed:
                conn.close()
                raise StoreError("the PostgreSQL store is closed")
            self._connections = [other for other in self._connections if not other.closed]
            self._connections.append(conn)
        self._local.conn = conn
        return conn


def _insert_events(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        conn.cursor().executemany(_INSERT_EVENT, rows)


def _replace_work(
    conn: Connection,
    arn: str,
    cancel: Sequence[str],
    work: Sequence[WorkItem],
    notify: pgsql.Composed,
) -> None:
    pairs = c.keys_to_delete(arn, cancel, work)
    cursor = conn.cursor()
    if pairs:
        cursor.executemany("DELETE FROM work WHERE execution_arn = %s AND key = %s", pairs)
    if work:
        rows = [(w.execution_arn, w.key, w.kind, c.utc(w.due_at), w.payload) for w in work]
        cursor.executemany(_INSERT_WORK, rows)
        if c.claimable(work):
            cursor.execute(notify)  # delivered at commit, to idle workers


def _redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


class PostgresListener:
    """One ``LISTEN`` connection per store, started by the first subscriber; it fires the
    signal for each notification and reconnects after a lost connection."""

    def __init__(self, url: str, channel: str, signal: WorkSignal) -> None:
        self._url = url
        self._listen = pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel))
        self._signal = signal
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stepline-listen", daemon=True)
        self._thread.start()
        self._ready.wait(5.0)  # listening before the first subscriber goes idle

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(self._listen)
                    self._ready.set()
                    self._signal.fire()  # work may have come while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5):
                            self._signal.fire()
            except psycopg.Error as error:
                _LOG.warning("stepline: LISTEN failed (%s); retrying", error)
                self._ready.set()
                self._stop.wait(1.0)
