"""Job runs: the use cases behind StartJobRun, GetJobRun(s) and BatchStopJobRun (and
``stepline jobs``), and the one way a run ends (``JobRuns.finish``).

Runs are durable work in the store: StartJobRun writes a STARTING (or WAITING) run; a
worker's ``JobRunner`` claims it, runs its script and ends it with ``finish``.

Retries (# AWS: MaxRetries "the maximum number of times to retry this job after a JobRun
fails"): when an attempt ends FAILED and it is attempt N < MaxRetries, a new run starts in
the same transaction, Attempt N + 1, PreviousRunId the failed run, same arguments, timeout
and definition. TIMEOUT and STOPPED runs are not retried. StartJobRun with a JobRunId
retries that run by hand (a new run, Attempt one more, PreviousRunId that run).

The caller hook (for whoever waits for a run, e.g. a Step Functions
``glue:startJobRun.sync`` task). A run may carry ``caller`` (opaque text) and a unique
``caller_key`` (a caller starting again with the same key gets the same run: no second run).
When a run with a caller reaches its final state (an end that starts no retry: retries
inherit ``caller``, not ``caller_key``), ``JobRunEnded.ended(run, now)`` is asked for the
work items that tell the caller, and ``Store.end_job_run`` writes them in the same
transaction as the run's terminal state. So a crash between "the run ended" and "the caller
was told" loses nothing: either both are written or neither is (then the lease expires and
another worker ends the run again, asking the hook again). ``ended`` must therefore be pure:
no side effects, the same items for the same run (a work item replaces one of the same
execution and key). A hook that raises is logged and the run ends without its items.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal, Protocol

from stepline.jobs.definition import (
    JobDefinition,
    check_bookmark_option,
    check_timeout,
    check_workers,
    string_map,
)
from stepline.jobs.faults import ConcurrentRunsExceeded, EntityNotFound, InvalidInput
from stepline.runtime.clock import Clock
from stepline.store.protocol import JobRunEnd, Store, TooManyRuns
from stepline.store.records import JobRunRecord, JobRunState, WorkItem

_LOG: Final = logging.getLogger("stepline.jobs")
Stream = Literal["stdout", "stderr"]


class JobRunEnded(Protocol):
    def ended(self, run: JobRunRecord, now: datetime) -> Sequence[WorkItem]:
        """The work items that tell ``run.caller`` how the run ended (written with its
        terminal state, in one transaction). Pure; see the module docstring."""
        ...


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """One run of a BatchStopJobRun: stopping (error None), or why not (Glue's code)."""

    run_id: str
    error_code: str | None = None
    error_message: str | None = None


def new_run_id() -> str:
    # AWS: job run ids are "jr_" and 64 hex digits.
    return f"jr_{secrets.token_hex(32)}"


class JobRuns:
    def __init__(self, store: Store, clock: Clock, ended: JobRunEnded | None = None) -> None:
        self.store = store
        self.clock = clock
        self._ended = ended

    def start(
        self,
        job_name: str,
        arguments: Mapping[str, str] | None = None,
        *,
        retry_of: str | None = None,
        timeout: int | None = None,
        worker_type: str | None = None,
        number_of_workers: int | None = None,
        queuing: bool | None = None,
        caller: str | None = None,
        caller_key: str | None = None,
    ) -> JobRunRecord:
        """StartJobRun: the run as stored (STARTING, or WAITING when queued; the run
        already holding ``caller_key`` when it is taken)."""
        if caller_key is not None:
            found = self.store.find_job_run(caller_key)
            if found is not None:  # started by this caller before: the same run
                return found
        job = self.store.get_job(job_name)
        if job is None:
            raise EntityNotFound(f"Job {job_name} not found")
        definition = JobDefinition.from_json(job.definition)
        attempt, previous = 0, None
        if retry_of is not None:
            previous = self.get(job_name, retry_of)
            attempt = previous.attempt + 1
            if arguments is None:
                arguments = json.loads(previous.arguments)
        given = string_map(arguments or {}, "Arguments")
        option = definition.arguments_for(given).get("--job-bookmark-option")
        if option is not None:
            check_bookmark_option(option, "Arguments")
        if timeout is not None:
            check_timeout(timeout, "Timeout")
        if worker_type is not None or number_of_workers is not None:
            check_workers(worker_type, number_of_workers, "StartJobRun")
        now = self.clock.now()
        record = JobRunRecord(
            id=new_run_id(),
            job_name=job_name,
            state="STARTING",
            definition=job.definition,
            started_at=now,
            modified_at=now,
            timeout=timeout or definition.timeout,
            arguments=json.dumps(given, sort_keys=True),
            attempt=attempt,
            previous_run_id=None if previous is None else previous.id,
            worker_type=worker_type or definition.worker_type,
            number_of_workers=number_of_workers or definition.number_of_workers,
            glue_version=definition.glue_version,
            queuing=definition.queuing if queuing is None else queuing,
            caller=caller,
            caller_key=caller_key,
        )
        try:
            return self.store.start_job_run(record, definition.max_concurrent_runs)
        except TooManyRuns as exc:
            raise ConcurrentRunsExceeded(str(exc)) from None

    def get(self, job_name: str, run_id: str) -> JobRunRecord:
        run = self.store.get_job_run(run_id)
        if run is None or run.job_name != job_name:
            raise EntityNotFound(f"Job run {run_id} of job {job_name} not found")
        return run

    def for_caller(self, caller_key: str) -> JobRunRecord | None:
        """The run started with ``caller_key`` (its retries carry its ``caller`` on)."""
        return self.store.find_job_run(caller_key)

    def find(self, run_id: str) -> JobRunRecord:
        """A run by its id alone (the CLI)."""
        run = self.store.get_job_run(run_id)
        if run is None:
            raise EntityNotFound(f"Job run {run_id} not found")
        return run

    def page(
        self, job_name: str, next_token: str | None = None, limit: int = 100
    ) -> tuple[list[JobRunRecord], str | None]:
        """GetJobRuns: the job's runs, newest first, ``limit`` at a time."""
        if self.store.get_job(job_name) is None:
            raise EntityNotFound(f"Job {job_name} not found")
        found = self.store.list_job_runs(job_name, limit + 1, next_token or None)
        more = len(found) > limit
        found = found[:limit]
        return found, (found[-1].id if more and found else None)

    def stop(self, job_name: str, run_ids: Sequence[str]) -> list[StopOutcome]:
        """BatchStopJobRun: each run STARTING, RUNNING or WAITING becomes STOPPING (then
        STOPPED, by the worker that holds it or the next to claim it)."""
        outcomes = []
        for run_id in run_ids:
            run = self.store.get_job_run(run_id)
            if run is None or run.job_name != job_name:
                message = f"Job run {run_id} of job {job_name} not found"
                outcomes.append(StopOutcome(run_id, "EntityNotFoundException", message))
                continue
            run = self.store.stop_job_run(run_id, self.clock.now()) or run
            if run.ended:
                message = f"Job run {run_id} has already ended ({run.state})"
                outcomes.append(StopOutcome(run_id, "InvalidInputException", message))
            else:
                outcomes.append(StopOutcome(run_id))
        return outcomes

    def logs(self, run_id: str, stream: Stream = "stdout") -> Path:
        """The file the run's script writes its ``stream`` to."""
        run = self.find(run_id)
        path = run.stdout_path if stream == "stdout" else run.stderr_path
        if path is None:
            raise InvalidInput(f"job run {run_id} has no logs yet ({run.state})")
        return Path(path)

    # ---- how a run ends (JobRunner) -------------------------------------------------------
    def finish(
        self,
        run: JobRunRecord,
        worker_id: str,
        state: JobRunState,
        error_message: str | None = None,
        execution_time: int | None = None,
        bookmark: str | None = None,
    ) -> bool:
        """End ``run`` (leased to ``worker_id``): its terminal state, a retry when it FAILED
        with retries left, its caller's work items, the job's bookmark. False when the
        lease was lost (another worker has the run)."""
        now = self.clock.now()
        if execution_time is None:
            execution_time = max(0, round((now - run.started_at).total_seconds()))
        ended = dataclasses.replace(
            run,
            state=state,
            modified_at=now,
            completed_at=now,
            execution_time=execution_time,
            error_message=error_message,
            state_detail=None,
        )
        definition = JobDefinition.from_json(run.definition)
        retry = None
        if state == "FAILED" and run.attempt < definition.max_retries:
            retry = dataclasses.replace(
                run,
                id=new_run_id(),
                state="STARTING",
                started_at=now,
                modified_at=now,
                attempt=run.attempt + 1,
                previous_run_id=run.id,
                caller_key=None,
                completed_at=None,
                execution_time=0,
                error_message=None,
                stdout_path=None,
                stderr_path=None,
            )
        work = self._tell_caller(ended, now) if retry is None else ()
        current = self.store.get_job(run.job_name)
        limit = definition.max_concurrent_runs
        if current is not None:
            limit = JobDefinition.from_json(current.definition).max_concurrent_runs
        end = JobRunEnd(ended, worker_id, retry, work, bookmark, limit)
        return self.store.end_job_run(end)

    def _tell_caller(self, run: JobRunRecord, now: datetime) -> Sequence[WorkItem]:
        if run.caller is None or self._ended is None:
            return ()
        try:
            return list(self._ended.ended(run, now))
        except Exception:  # a hook's bug must not keep the run from ending
            _LOG.exception("the JobRunEnded hook failed for job run %s", run.id)
            return ()
