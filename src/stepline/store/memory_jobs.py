"""Glue-style jobs, their runs and bookmarks in memory (a base class of ``MemoryStore``):
the contract's semantics (tests/store/test_contract_jobs.py) in plain dictionaries.

Job runs share ``MemoryStore``'s lock with executions and work items, so a run's end and
the work items it adds for its caller are one atomic change.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
from collections.abc import Sequence
from datetime import datetime

from stepline.store import _common as c
from stepline.store.protocol import AlreadyExists, JobRunEnd, NotFound, TooManyRuns
from stepline.store.records import ACTIVE_RUN_STATES, JobRecord, JobRunRecord, WorkItem
from stepline.store.signal import WorkSignal

_CLAIMABLE = ("STARTING", "RUNNING", "STOPPING")
_STOPPABLE = ("STARTING", "RUNNING", "WAITING")


class MemoryJobs:
    """The jobs part of ``Store`` in memory. ``MemoryStore`` provides the lock, the signal
    and the work items (``_add_work``, ``_delete_key``)."""

    _lock: threading.RLock
    _signal: WorkSignal

    def __init__(self) -> None:
        self._jobs: dict[str, JobRecord] = {}
        self._runs: dict[str, JobRunRecord] = {}
        self._run_seq: dict[str, int] = {}  # insertion order, breaks ties on started_at
        self._run_keys: dict[str, str] = {}  # caller_key -> run id
        self._bookmarks: dict[str, str] = {}
        self._run_seqs = itertools.count(1)

    def _add_work(self, work: Sequence[WorkItem]) -> None:
        raise NotImplementedError

    def _delete_key(self, pair: tuple[str, str]) -> None:
        raise NotImplementedError

    # ---- jobs -----------------------------------------------------------------------------
    def create_job(self, job: JobRecord) -> None:
        job = _job(job)
        with self._lock:
            if job.name in self._jobs:
                raise AlreadyExists(c.job_exists(job.name))
            self._jobs[job.name] = job

    def get_job(self, name: str) -> JobRecord | None:
        with self._lock:
            return self._jobs.get(name)

    def list_jobs(self, after: str | None = None, limit: int = 1000) -> list[JobRecord]:
        with self._lock:
            names = sorted(n for n in self._jobs if after is None or n > after)
            return [self._jobs[n] for n in names[: max(limit, 0)]]

    def update_job(self, job: JobRecord) -> None:
        job = _job(job)
        with self._lock:
            current = self._jobs.get(job.name)
            if current is None:
                raise NotFound(c.no_job(job.name))
            self._jobs[job.name] = dataclasses.replace(
                current, definition=job.definition, modified_at=job.modified_at
            )

    def delete_job(self, name: str) -> bool:
        with self._lock:
            self._bookmarks.pop(name, None)
            return self._jobs.pop(name, None) is not None

    # ---- runs -----------------------------------------------------------------------------
    def start_job_run(self, run: JobRunRecord, max_concurrent: int) -> JobRunRecord:
        run = _run(run)
        with self._lock:
            if run.caller_key is not None and run.caller_key in self._run_keys:
                return self._runs[self._run_keys[run.caller_key]]
            self._promote(run.job_name, max_concurrent, run.started_at)
            if self._active(run.job_name) < max_concurrent:
                run = dataclasses.replace(run, state="STARTING", state_detail=None)
            elif run.queuing:
                run = dataclasses.replace(run, state="WAITING", state_detail=c.WAITING_DETAIL)
            else:
                raise TooManyRuns(c.too_many_runs(run.job_name))
            self._insert_run(_fresh(run))
        if run.state == "STARTING":
            self._signal.fire()
        return run

    def get_job_run(self, run_id: str) -> JobRunRecord | None:
        with self._lock:
            return self._runs.get(run_id)

    def find_job_run(self, caller_key: str) -> JobRunRecord | None:
        with self._lock:
            run_id = self._run_keys.get(caller_key)
            return None if run_id is None else self._runs[run_id]

    def list_job_runs(
        self, job_name: str, limit: int = 100, after_id: str | None = None
    ) -> list[JobRunRecord]:
        with self._lock:
            found = [r for r in self._runs.values() if r.job_name == job_name]
            if after_id is not None:
                mark = self._runs.get(after_id)
                if mark is None or mark.job_name != job_name:
                    return []
                cursor = self._order(mark)
                found = [r for r in found if self._order(r) < cursor]
            found.sort(key=self._order, reverse=True)
        return found[: max(limit, 0)]

    def claim_job_runs(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[JobRunRecord]:
        now = c.utc(now)
        until = c.lease_end(now, lease_seconds)
        with self._lock:
            free = [
                r
                for r in self._runs.values()
                if r.state in _CLAIMABLE and (r.lease_until is None or r.lease_until < now)
            ]
            free.sort(key=lambda r: (r.started_at, self._run_seq[r.id]))
            claimed = []
            for run in free[: max(limit, 0)]:
                leased = dataclasses.replace(
                    run, lease_owner=worker_id, lease_until=until, claims=run.claims + 1
                )
                self._runs[run.id] = leased
                claimed.append(leased)
            return claimed

    def renew_job_run(self, run_id: str, worker_id: str, until: datetime) -> bool:
        with self._lock:
            run = self._held(run_id, worker_id)
            if run is None:
                return False
            self._runs[run_id] = dataclasses.replace(run, lease_until=c.utc(until))
            return True

    def job_run_started(
        self,
        run_id: str,
        worker_id: str,
        now: datetime,
        process: str,
        stdout_path: str,
        stderr_path: str,
    ) -> JobRunRecord | None:
        with self._lock:
            run = self._held(run_id, worker_id)
            if run is None or run.state != "STARTING":
                return run
            started = dataclasses.replace(
                run,
                state="RUNNING",
                modified_at=c.utc(now),
                process=process,
                stdout_path=stdout_path,
                stderr_path=stderr_path,
            )
            self._runs[run_id] = started
            return started

    def stop_job_run(self, run_id: str, now: datetime) -> JobRunRecord | None:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.state not in _STOPPABLE:
                return run
            stopping = dataclasses.replace(
                run, state="STOPPING", modified_at=c.utc(now), state_detail=None
            )
            self._runs[run_id] = stopping
        self._signal.fire()
        return stopping

    def release_job_run(self, run_id: str, worker_id: str, now: datetime) -> bool:
        with self._lock:
            run = self._held(run_id, worker_id)
            if run is None:
                return False
            self._runs[run_id] = dataclasses.replace(
                run,
                state="STARTING" if run.state == "RUNNING" else run.state,
                modified_at=c.utc(now),
                lease_owner=None,
                lease_until=None,
                process=None,
            )
        self._signal.fire()
        return True

    def end_job_run(self, end: JobRunEnd) -> bool:
        ended = _run(end.run)
        retry = None if end.retry is None else _run(end.retry)
        work = c.last_per_key([dataclasses.replace(w, due_at=c.utc(w.due_at)) for w in end.work])
        with self._lock:
            run = self._held(ended.id, end.worker_id)
            if run is None:
                return False
            self._runs[run.id] = dataclasses.replace(
                ended,
                stdout_path=ended.stdout_path or run.stdout_path,
                stderr_path=ended.stderr_path or run.stderr_path,
                lease_owner=None,
                lease_until=None,
                process=None,
            )
            if retry is not None:
                self._insert_run(_fresh(dataclasses.replace(retry, state="STARTING")))
            for item in work:
                self._delete_key((item.execution_arn, item.key))
            self._add_work(work)
            if end.bookmark is not None:
                self._bookmarks[run.job_name] = end.bookmark
            self._promote(run.job_name, end.max_concurrent, ended.modified_at)
        self._signal.fire()
        return True

    # ---- bookmarks ------------------------------------------------------------------------
    def get_job_bookmark(self, job_name: str) -> str | None:
        with self._lock:
            return self._bookmarks.get(job_name)

    def reset_job_bookmark(self, job_name: str) -> str | None:
        with self._lock:
            return self._bookmarks.pop(job_name, None)

    # ---- internals (called with the lock held) --------------------------------------------
    def _order(self, run: JobRunRecord) -> tuple[datetime, int]:
        return (run.started_at, self._run_seq[run.id])

    def _held(self, run_id: str, worker_id: str) -> JobRunRecord | None:
        run = self._runs.get(run_id)
        if run is None or run.lease_owner != worker_id or run.ended:
            return None
        return run

    def _active(self, job_name: str) -> int:
        return sum(
            1
            for r in self._runs.values()
            if r.job_name == job_name and r.state in ACTIVE_RUN_STATES
        )

    def _insert_run(self, run: JobRunRecord) -> None:
        if run.id in self._runs:
            raise AlreadyExists(c.job_run_exists(run.id))
        self._runs[run.id] = run
        self._run_seq[run.id] = next(self._run_seqs)
        if run.caller_key is not None:
            self._run_keys[run.caller_key] = run.id

    def _promote(self, job_name: str, max_concurrent: int, now: datetime) -> None:
        """Start the job's oldest WAITING runs while a slot is free."""
        waiting = [
            r for r in self._runs.values() if r.job_name == job_name and r.state == "WAITING"
        ]
        waiting.sort(key=self._order)
        free = max_concurrent - self._active(job_name)
        for run in waiting[: max(free, 0)]:
            self._runs[run.id] = dataclasses.replace(
                run, state="STARTING", state_detail=None, modified_at=now
            )


def _job(job: JobRecord) -> JobRecord:
    json.loads(job.definition)  # a programming error when it is not JSON
    return dataclasses.replace(
        job, created_at=c.utc(job.created_at), modified_at=c.utc(job.modified_at)
    )


def _fresh(run: JobRunRecord) -> JobRunRecord:
    """A new run as inserted: no lease, no process."""
    return dataclasses.replace(run, lease_owner=None, lease_until=None, claims=0, process=None)


def _run(run: JobRunRecord) -> JobRunRecord:
    return dataclasses.replace(
        run,
        started_at=c.utc(run.started_at),
        modified_at=c.utc(run.modified_at),
        completed_at=c.utc_or_none(run.completed_at),
        lease_until=c.utc_or_none(run.lease_until),
    )
