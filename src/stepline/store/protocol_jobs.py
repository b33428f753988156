"""The part of the ``Store`` protocol that keeps Glue-style jobs and their runs
(tests/store/test_contract_jobs.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from stepline.store.records import JobRecord, JobRunRecord, WorkItem


@dataclass(frozen=True, slots=True)
class JobRunEnd:
    """How a job run ended, written in one transaction (``Store.end_job_run``)."""

    run: JobRunRecord  # as it ended: its terminal state, completed_at, error_message...
    worker_id: str  # who must hold its lease
    retry: JobRunRecord | None = None  # the next attempt (MaxRetries), inserted STARTING
    work: Sequence[WorkItem] = ()  # work for the run's caller (stepline.jobs.runs)
    bookmark: str | None = None  # the job's bookmark after the run; None leaves it
    max_concurrent: int = 1  # the job's MaxConcurrentRuns, for starting its WAITING runs


class JobStore(Protocol):
    # ---- Glue-style jobs (tests/store/test_contract_jobs.py) -----------------------------
    def create_job(self, job: JobRecord) -> None:
        """Raises AlreadyExists when a job has that name."""
        ...

    def get_job(self, name: str) -> JobRecord | None: ...

    def list_jobs(self, after: str | None = None, limit: int = 1000) -> list[JobRecord]:
        """By name; ``after``: only the jobs named after that (the next page)."""
        ...

    def update_job(self, job: JobRecord) -> None:
        """Replace the job's definition and modified_at (its created_at and tags stay).
        Raises NotFound."""
        ...

    def delete_job(self, name: str) -> bool:
        """Delete the job and its bookmark; its runs stay (running ones run on, with the
        definition they started with). False when there was no such job."""
        ...

    def start_job_run(self, run: JobRunRecord, max_concurrent: int) -> JobRunRecord:
        """Insert a new run and return it as stored (``run.state`` is ignored): STARTING
        while the job has fewer than ``max_concurrent`` runs STARTING, RUNNING or STOPPING
        (its WAITING runs start first, oldest first), else WAITING when ``run.queuing``,
        else raise TooManyRuns. When ``run.caller_key`` is taken nothing is inserted: the
        run holding it is returned, whatever its state."""
        ...

    def get_job_run(self, run_id: str) -> JobRunRecord | None: ...

    def find_job_run(self, caller_key: str) -> JobRunRecord | None:
        """The run started with that ``caller_key``."""
        ...

    def list_job_runs(
        self, job_name: str, limit: int = 100, after_id: str | None = None
    ) -> list[JobRunRecord]:
        """The job's runs, newest first (started_at, then insertion order); ``after_id``:
        the runs listed after that one (the next page; none when it does not exist)."""
        ...

    def claim_job_runs(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[JobRunRecord]:
        """Runs STARTING, RUNNING or STOPPING whose lease is free or expired, oldest first,
        leased to ``worker_id`` (claims + 1), returned as claimed. Two concurrent claimers
        never get the same run. A RUNNING or STOPPING run among them lost its worker."""
        ...

    def renew_job_run(self, run_id: str, worker_id: str, until: datetime) -> bool:
        """Extend a lease still held by ``worker_id``; False when it was lost (claimed by
        another worker, or the run ended)."""
        ...

    def job_run_started(
        self,
        run_id: str,
        worker_id: str,
        now: datetime,
        process: str,
        stdout_path: str,
        stderr_path: str,
    ) -> JobRunRecord | None:
        """A STARTING run leased to ``worker_id`` becomes RUNNING, its script ``process``
        ("host:pid") and log paths noted; returns the run (unchanged when it was not
        STARTING: a stop was requested); None when the lease was lost."""
        ...

    def stop_job_run(self, run_id: str, now: datetime) -> JobRunRecord | None:
        """BatchStopJobRun: a STARTING, RUNNING or WAITING run becomes STOPPING (the worker
        holding it, or the next to claim it, stops it and ends it STOPPED); returns the run
        (unchanged in other states); None when there is no such run."""
        ...

    def release_job_run(self, run_id: str, worker_id: str, now: datetime) -> bool:
        """Hand a leased run back (a worker shutting down): RUNNING becomes STARTING again,
        the lease and process are cleared. False when the lease was lost."""
        ...

    def end_job_run(self, end: JobRunEnd) -> bool:
        """Atomically, when ``end.worker_id`` still holds the run's lease (even one past its
        end that nobody claimed since) and the run has not ended: write the run's terminal
        state (lease and process cleared; log paths given as None stay), insert
        ``end.retry`` STARTING, add ``end.work`` (an item replaces the one with its
        execution and key), replace the job's bookmark when given, and start the job's
        oldest WAITING runs while fewer than ``end.max_concurrent`` are active. False,
        changing nothing, otherwise."""
        ...

    def get_job_bookmark(self, job_name: str) -> str | None:
        """The job's bookmark entry (JSON text); None when it has none."""
        ...

    def reset_job_bookmark(self, job_name: str) -> str | None:
        """Remove the job's bookmark; returns the entry removed (None: there was none)."""
        ...
