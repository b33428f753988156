"""Glue-style jobs, their runs and bookmarks in SQL: one implementation for the SQLite and
the PostgreSQL store (a base class of both; tables of migration 0007).

A job run is its own work item: claims take STARTING runs, and RUNNING or STOPPING runs
whose lease expired, with the lease columns of ``job_runs`` as ``claim`` does with ``work``
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``). Changes that count a job's active runs (starting a
run, ending one and starting its WAITING runs) hold the job for their transaction:
PostgreSQL with a transaction-level advisory lock on the job's name, SQLite with the write
lock ``BEGIN IMMEDIATE`` holds already. A run's end, its retry, its caller's work items and
its bookmark are one transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar, Final

from stepline.store import _common as c
from stepline.store.protocol import AlreadyExists, JobRunEnd, NotFound, TooManyRuns
from stepline.store.records import JobRecord, JobRunRecord, WorkItem
from stepline.store.rows import Times
from stepline.store.signal import WorkSignal
from stepline.store.sql_resources import Dialect

_JOB: Final = "name, definition, created_at, modified_at, tags"
# The columns of job_runs are JobRunRecord's fields, in its order.
_RUN_FIELDS: Final = tuple(f.name for f in dataclasses.fields(JobRunRecord))
_TIME_INDEXES: Final = tuple(
    _RUN_FIELDS.index(name) for name in ("started_at", "modified_at", "completed_at", "lease_until")
)
RUN_COLUMNS: Final = ", ".join(_RUN_FIELDS)
_RUN_MARKS: Final = ", ".join(["?"] * len(_RUN_FIELDS))
_ACTIVE: Final = "('STARTING', 'RUNNING', 'STOPPING')"  # the job_runs_claimable index's WHERE
_ENDED: Final = "('STOPPED', 'SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED')"
_FREE: Final = f"state IN {_ACTIVE} AND (lease_until IS NULL OR lease_until < ?)"
_HELD: Final = f"id = ? AND lease_owner = ? AND state NOT IN {_ENDED}"
_ONE_RUN: Final = f"SELECT {RUN_COLUMNS} FROM job_runs WHERE id = ?"
_END: Final = (
    "UPDATE job_runs SET state = ?, modified_at = ?, completed_at = ?, execution_time = ?,"
    " error_message = ?, state_detail = ?, stdout_path = COALESCE(?, stdout_path),"
    " stderr_path = COALESCE(?, stderr_path),"
    " lease_owner = NULL, lease_until = NULL, process = NULL WHERE id = ?"
)
_PROMOTE: Final = (
    "UPDATE job_runs SET state = 'STARTING', state_detail = NULL, modified_at = ?"
    " WHERE id IN (SELECT id FROM job_runs WHERE job_name = ? AND state = 'WAITING'"
    " ORDER BY started_at, seq LIMIT ?)"
)
_PUT_BOOKMARK: Final = (
    "INSERT INTO job_bookmarks (job_name, entry) VALUES (?, ?)"
    " ON CONFLICT (job_name) DO UPDATE SET entry = excluded.entry"
)


class SqlJobs:
    """The jobs part of ``Store`` for a SQL backend. A subclass provides the dialect, a
    transaction, a connection for reads, its work signal, and ``_announce`` (in a
    transaction that made work claimable: wake the workers of other processes)."""

    _dialect: ClassVar[Dialect]
    _signal: WorkSignal

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    def _announce(self, conn: Any) -> None:
        """Nothing by default: other processes poll (SQLite)."""

    # ---- jobs -----------------------------------------------------------------------------
    def create_job(self, job: JobRecord) -> None:
        d = self._dialect
        row = (job.name, job.definition, d.times.out(job.created_at), d.times.out(job.modified_at))
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO jobs ({_JOB}) VALUES (?, ?, ?, ?, ?)"
                conn.execute(d.sql(sql), (*row, job.tags))
        except d.unique_violation:
            raise AlreadyExists(c.job_exists(job.name)) from None

    def get_job(self, name: str) -> JobRecord | None:
        sql = self._dialect.sql(f"SELECT {_JOB} FROM jobs WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else _job(row, self._dialect.times)

    def list_jobs(self, after: str | None = None, limit: int = 1000) -> list[JobRecord]:
        d = self._dialect
        where, args = ("", ()) if after is None else (" WHERE name > ?", (after,))
        sql = f"SELECT {_JOB} FROM jobs{where} ORDER BY name LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_job(row, d.times) for row in rows]

    def update_job(self, job: JobRecord) -> None:
        d = self._dialect
        sql = d.sql("UPDATE jobs SET definition = ?, modified_at = ? WHERE name = ?")
        with self._transaction() as conn:
            cursor = conn.execute(sql, (job.definition, d.times.out(job.modified_at), job.name))
            if cursor.rowcount != 1:
                raise NotFound(c.no_job(job.name))

    def delete_job(self, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            conn.execute(d.sql("DELETE FROM job_bookmarks WHERE job_name = ?"), (name,))
            cursor = conn.execute(d.sql("DELETE FROM jobs WHERE name = ?"), (name,))
            return bool(cursor.rowcount == 1)

    # ---- runs -----------------------------------------------------------------------------
    def start_job_run(self, run: JobRunRecord, max_concurrent: int) -> JobRunRecord:
        d = self._dialect
        try:
            with self._transaction() as conn:
                self._hold_job(conn, run.job_name)
                if run.caller_key is not None:
                    found = self._by_key(conn, run.caller_key)
                    if found is not None:
                        return found
                self._promote(conn, run.job_name, max_concurrent, run.started_at)
                if self._active(conn, run.job_name) < max_concurrent:
                    state, detail = "STARTING", None
                elif run.queuing:
                    state, detail = "WAITING", c.WAITING_DETAIL
                else:
                    raise TooManyRuns(c.too_many_runs(run.job_name))
                self._insert_run(conn, run, state, detail)
                if state == "STARTING":
                    self._announce(conn)
                stored = self._run(conn, run.id)
        except d.unique_violation:
            found = None if run.caller_key is None else self.find_job_run(run.caller_key)
            if found is None:
                raise AlreadyExists(c.job_run_exists(run.id)) from None
            return found
        if stored.state == "STARTING":
            self._signal.fire()
        return stored

    def get_job_run(self, run_id: str) -> JobRunRecord | None:
        row = self._reader().execute(self._dialect.sql(_ONE_RUN), (run_id,)).fetchone()
        return None if row is None else _job_run(row, self._dialect.times)

    def find_job_run(self, caller_key: str) -> JobRunRecord | None:
        return self._by_key(self._reader(), caller_key)

    def list_job_runs(
        self, job_name: str, limit: int = 100, after_id: str | None = None
    ) -> list[JobRunRecord]:
        d = self._dialect
        where, args = "job_name = ?", [job_name]
        if after_id is not None:  # keyset paging: strictly after that run in this order
            where += (
                " AND (started_at, seq) <"
                " (SELECT started_at, seq FROM job_runs WHERE id = ? AND job_name = ?)"
            )
            args += [after_id, job_name]
        sql = f"SELECT {RUN_COLUMNS} FROM job_runs WHERE {where}"
        sql += " ORDER BY started_at DESC, seq DESC LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_job_run(row, d.times) for row in rows]

    def claim_job_runs(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[JobRunRecord]:
        d = self._dialect
        now_out = d.times.out(now)
        if limit <= 0:
            return []
        # A read first: an idle worker's poll takes no write lock (SQLite).
        probe = d.sql(f"SELECT 1 FROM job_runs WHERE {_FREE} LIMIT 1")
        if self._reader().execute(probe, (now_out,)).fetchone() is None:
            return []
        skip = f"{d.lock} SKIP LOCKED" if d.lock else ""
        sql = (
            "UPDATE job_runs SET lease_owner = ?, lease_until = ?, claims = claims + 1"
            f" WHERE id IN (SELECT id FROM job_runs WHERE {_FREE}"
            f" ORDER BY started_at, seq LIMIT ?{skip}) RETURNING {RUN_COLUMNS}"
        )
        until = d.times.out(c.lease_end(now, lease_seconds))
        with self._transaction() as conn:
            rows = conn.execute(d.sql(sql), (worker_id, until, now_out, limit)).fetchall()
        runs = [_job_run(row, d.times) for row in rows]
        runs.sort(key=lambda r: r.started_at)
        return runs

    def renew_job_run(self, run_id: str, worker_id: str, until: datetime) -> bool:
        d = self._dialect
        sql = d.sql(f"UPDATE job_runs SET lease_until = ? WHERE {_HELD}")
        with self._transaction() as conn:
            cursor = conn.execute(sql, (d.times.out(until), run_id, worker_id))
            return bool(cursor.rowcount == 1)

    def job_run_started(
        self,
        run_id: str,
        worker_id: str,
        now: datetime,
        process: str,
        stdout_path: str,
        stderr_path: str,
    ) -> JobRunRecord | None:
        d = self._dialect
        sql = (
            "UPDATE job_runs SET state = 'RUNNING', modified_at = ?, process = ?,"
            f" stdout_path = ?, stderr_path = ? WHERE {_HELD} AND state = 'STARTING'"
        )
        args = (d.times.out(now), process, stdout_path, stderr_path, run_id, worker_id)
        with self._transaction() as conn:
            conn.execute(d.sql(sql), args)
            run = self._run(conn, run_id)
        return run if run.lease_owner == worker_id and not run.ended else None

    def stop_job_run(self, run_id: str, now: datetime) -> JobRunRecord | None:
        d = self._dialect
        sql = (
            "UPDATE job_runs SET state = 'STOPPING', modified_at = ?, state_detail = NULL"
            " WHERE id = ? AND state IN ('STARTING', 'RUNNING', 'WAITING')"
        )
        with self._transaction() as conn:
            changed = conn.execute(d.sql(sql), (d.times.out(now), run_id)).rowcount == 1
            if changed:
                self._announce(conn)
            row = conn.execute(d.sql(_ONE_RUN), (run_id,)).fetchone()
        if changed:
            self._signal.fire()
        return None if row is None else _job_run(row, d.times)

    def release_job_run(self, run_id: str, worker_id: str, now: datetime) -> bool:
        d = self._dialect
        sql = (
            "UPDATE job_runs SET state = CASE WHEN state = 'RUNNING' THEN 'STARTING'"
            " ELSE state END, modified_at = ?, lease_owner = NULL, lease_until = NULL,"
            f" process = NULL WHERE {_HELD}"
        )
        with self._transaction() as conn:
            released = conn.execute(d.sql(sql), (d.times.out(now), run_id, worker_id)).rowcount
            if released:
                self._announce(conn)
        if released:
            self._signal.fire()
        return bool(released == 1)

    def end_job_run(self, end: JobRunEnd) -> bool:
        d = self._dialect
        ended = end.run
        with self._transaction() as conn:
            self._hold_job(conn, ended.job_name)
            held = conn.execute(
                d.sql(f"SELECT id FROM job_runs WHERE {_HELD}{d.lock}"),
                (
                    ended.id,
                    end.worker_id,
                ),
            ).fetchone()
            if held is None:
                return False
            conn.execute(d.sql(_END), _end_row(ended, d.times))
            if end.retry is not None:
                self._insert_run(conn, end.retry, "STARTING", None)
            self._add_work(conn, end.work)
            if end.bookmark is not None:
                conn.execute(d.sql(_PUT_BOOKMARK), (ended.job_name, end.bookmark))
            self._promote(conn, ended.job_name, end.max_concurrent, ended.modified_at)
            self._announce(conn)
        self._signal.fire()
        return True

    # ---- bookmarks ------------------------------------------------------------------------
    def get_job_bookmark(self, job_name: str) -> str | None:
        sql = self._dialect.sql("SELECT entry FROM job_bookmarks WHERE job_name = ?")
        row = self._reader().execute(sql, (job_name,)).fetchone()
        return None if row is None else str(row[0])

    def reset_job_bookmark(self, job_name: str) -> str | None:
        sql = self._dialect.sql("DELETE FROM job_bookmarks WHERE job_name = ? RETURNING entry")
        with self._transaction() as conn:
            row = conn.execute(sql, (job_name,)).fetchone()
        return None if row is None else str(row[0])

    # ---- internals ------------------------------------------------------------------------
    def _hold_job(self, conn: Any, job_name: str) -> None:
        """Serialise the changes that count the job's active runs (see the docstring)."""
        if self._dialect.lock:
            key = f"stepline-job:{job_name}"
            conn.execute(self._dialect.sql("SELECT pg_advisory_xact_lock(hashtext(?))"), (key,))

    def _run(self, conn: Any, run_id: str) -> JobRunRecord:
        row = conn.execute(self._dialect.sql(_ONE_RUN), (run_id,)).fetchone()
        return _job_run(row, self._dialect.times)

    def _by_key(self, conn: Any, caller_key: str) -> JobRunRecord | None:
        sql = self._dialect.sql(f"SELECT {RUN_COLUMNS} FROM job_runs WHERE caller_key = ?")
        row = conn.execute(sql, (caller_key,)).fetchone()
        return None if row is None else _job_run(row, self._dialect.times)

    def _active(self, conn: Any, job_name: str) -> int:
        sql = f"SELECT COUNT(*) FROM job_runs WHERE job_name = ? AND state IN {_ACTIVE}"
        (count,) = conn.execute(self._dialect.sql(sql), (job_name,)).fetchone()
        return int(count)

    def _promote(self, conn: Any, job_name: str, max_concurrent: int, now: datetime) -> None:
        """Start the job's oldest WAITING runs while a slot is free."""
        free = max_concurrent - self._active(conn, job_name)
        if free > 0:
            args = (self._dialect.times.out(now), job_name, free)
            if conn.execute(self._dialect.sql(_PROMOTE), args).rowcount:
                self._announce(conn)

    def _insert_run(self, conn: Any, run: JobRunRecord, state: str, detail: str | None) -> None:
        sql = self._dialect.sql(f"INSERT INTO job_runs ({RUN_COLUMNS}) VALUES ({_RUN_MARKS})")
        conn.execute(sql, _run_row(run, state, detail, self._dialect.times))

    def _add_work(self, conn: Any, work: Sequence[WorkItem]) -> None:
        d = self._dialect
        items = c.last_per_key(work)
        delete = d.sql("DELETE FROM work WHERE execution_arn = ? AND key = ?")
        insert = d.sql(
            "INSERT INTO work (execution_arn, key, kind, due_at, payload) VALUES (?, ?, ?, ?, ?)"
        )
        for item in items:
            conn.execute(delete, (item.execution_arn, item.key))
            row = (item.execution_arn, item.key, item.kind, d.times.out(item.due_at), item.payload)
            conn.execute(insert, row)


def _job(row: Sequence[Any], times: Times) -> JobRecord:
    name, definition, created, modified, tags = row
    return JobRecord(name, definition, times.back(created), times.back(modified), tags)


def _run_row(run: JobRunRecord, state: str, detail: str | None, times: Times) -> list[Any]:
    """A new run's row: in ``state``, without a lease or a process."""
    fresh = dataclasses.replace(
        run,
        state=state,  # type: ignore[arg-type]
        state_detail=detail,
        lease_owner=None,
        lease_until=None,
        claims=0,
        process=None,
    )
    row = [getattr(fresh, name) for name in _RUN_FIELDS]
    for index in _TIME_INDEXES:
        row[index] = times.out_or_none(row[index])
    return row


def _end_row(run: JobRunRecord, times: Times) -> tuple[Any, ...]:
    return (
        run.state,
        times.out(run.modified_at),
        times.out_or_none(run.completed_at),
        run.execution_time,
        run.error_message,
        run.state_detail,
        run.stdout_path,
        run.stderr_path,
        run.id,
    )


def _job_run(row: Sequence[Any], times: Times) -> JobRunRecord:
    values = dict(zip(_RUN_FIELDS, row, strict=True))
    for name in ("started_at", "modified_at"):
        values[name] = times.back(values[name])
    for name in ("completed_at", "lease_until"):
        values[name] = times.back_or_none(values[name])
    values["queuing"] = bool(values["queuing"])  # SQLite: 0 or 1
    return JobRunRecord(**values)
