"""``arn:aws:states:::glue:startJobRun``: request-response, and ``.sync`` (Run a Job).

Request-response returns once the run is started: ``{"JobName", "JobRunId"}`` (# AWS: the
optimized integration copies JobName into the response). ``.sync`` starts the run with the
task as its caller and returns the same; the task then waits (TaskSubmitted) until the run
ends, when ``GlueCaller.ended`` (the job runs' hook, written in the transaction that ends the
run) tells it: SUCCEEDED gives the JobRun as output; FAILED, TIMEOUT, STOPPED and ERROR fail
the task with States.TaskFailed and the JobRun as cause (# AWS: connect-glue). Glue's own
errors surface as ``Glue.<Exception>`` so Retry and Catch can match them.

Starting is idempotent per task attempt: the run is keyed by the execution and the task's
token, so a worker that crashed after starting the run and is invoked again finds the same
run instead of starting another. Glue retries (MaxRetries) keep the caller: the task ends
with the last attempt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.engine.tokens import InvalidToken, parse_task_token, task_token
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.integrations.stepfunctions import epoch_millis
from stepline.jobs.faults import ConcurrentRunsExceeded, EntityNotFound, InvalidInput
from stepline.jobs.run_shape import job_run_fields
from stepline.jobs.runs import JobRuns
from stepline.store.records import JobRunRecord, WorkItem

START_JOB_RUN: Final = "arn:aws:states:::glue:startJobRun"
SYNC: Final = START_JOB_RUN + ".sync"
# StartJobRun's request members a task may give (botocore's glue model).
_MEMBERS: Final = frozenset(
    {
        "JobName",
        "JobRunId",
        "Arguments",
        "Timeout",
        "WorkerType",
        "NumberOfWorkers",
        "JobRunQueuingEnabled",
        "AllocatedCapacity",
        "MaxCapacity",
        "SecurityConfiguration",
        "NotificationProperty",
        "ExecutionClass",
        "ExecutionRoleSessionPolicy",
    }
)
_FAULTS: Final = (
    (EntityNotFound, "Glue.EntityNotFoundException"),
    (ConcurrentRunsExceeded, "Glue.ConcurrentRunsExceededException"),
    (InvalidInput, "Glue.InvalidInputException"),
)


class Glue:
    def __init__(self, runs: JobRuns) -> None:
        self.runs = runs

    def handler_for(self, resource: str) -> Handler | None:
        if resource not in (START_JOB_RUN, SYNC):
            return None
        sync = resource == SYNC

        def start(request: TaskRequest) -> Json:
            return self._start(request, sync)

        return start

    def _start(self, request: TaskRequest, sync: bool) -> Json:
        params = request.parameters if isinstance(request.parameters, dict) else {}
        name = params.get("JobName")
        if not isinstance(name, str) or not name:
            raise TaskFailure(
                "Glue.InvalidInputException",
                f"JobName is required for {START_JOB_RUN} (state '{request.state_name}')",
            )
        unknown = sorted(set(params) - _MEMBERS)
        if unknown:
            raise TaskFailure(
                "States.Runtime",
                f"The field(s) {unknown} are not StartJobRun parameters "
                f"(state '{request.state_name}')",
            )
        try:
            run = self.runs.start(
                name,
                _arguments(params.get("Arguments"), request.state_name),
                retry_of=_text(params.get("JobRunId")),
                timeout=_whole(params.get("Timeout")),
                worker_type=_text(params.get("WorkerType")),
                number_of_workers=_whole(params.get("NumberOfWorkers")),
                queuing=params.get("JobRunQueuingEnabled")
                if isinstance(params.get("JobRunQueuingEnabled"), bool)
                else None,
                caller=task_token(request.execution_arn, request.token) if sync else None,
                caller_key=f"{request.execution_arn}#{request.token}",
            )
        except (EntityNotFound, ConcurrentRunsExceeded, InvalidInput) as exc:
            error = next(code for kind, code in _FAULTS if isinstance(exc, kind))
            raise TaskFailure(error, str(exc)) from None
        return {"JobName": run.job_name, "JobRunId": run.id}


class GlueCaller:
    """The job runs' ``JobRunEnded`` hook: the work item that ends a ``.sync`` task."""

    def ended(self, run: JobRunRecord, now: datetime) -> Sequence[WorkItem]:
        if run.caller is None:
            return ()
        try:
            execution_arn, token = parse_task_token(run.caller)
        except InvalidToken:
            return ()  # not a Step Functions task's caller
        result = job_run_fields(run, epoch_millis)
        payload = {"token": token, "succeeded": run.state == "SUCCEEDED", "result": result}
        return [WorkItem(execution_arn, f"job:{run.id}", "deliver", now, _dumps(payload))]


def job_runs_to_stop(resource: str, submitted: Json) -> list[str]:
    """The run a cancelled ``.sync`` task started, to stop (# AWS: Step Functions makes a
    best-effort BatchStopJobRun when the task is aborted or times out)."""
    if resource != SYNC or not isinstance(submitted, dict):
        return []
    run_id = submitted.get("JobRunId")
    return [run_id] if isinstance(run_id, str) else []


def _arguments(value: Any, state: str) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise TaskFailure(
            "Glue.InvalidInputException",
            f"Arguments must be a map of strings to strings (state '{state}')",
        )
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dumps(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)
