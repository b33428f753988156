"""Glue's ``JobRun`` structure of a run, with timestamps as the caller renders them (the
Glue API: epoch seconds; a Step Functions task's output: epoch milliseconds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from stepline.store.records import JobRunRecord

# AWS: the log group of Glue job runs' output (stepline keeps the logs in files instead:
# ``stepline jobs logs RUN_ID``).
LOG_GROUP: Final = "/aws-glue/jobs"


def job_run_fields(run: JobRunRecord, date: Callable[[datetime], Any]) -> dict[str, Any]:
    """GetJobRun's ``JobRun``; members without a value are left out."""
    fields: dict[str, Any] = {
        "Id": run.id,
        "Attempt": run.attempt,
        "PreviousRunId": run.previous_run_id,
        "JobName": run.job_name,
        "JobRunQueuingEnabled": run.queuing,
        "StartedOn": date(run.started_at),
        "LastModifiedOn": date(run.modified_at),
        "CompletedOn": None if run.completed_at is None else date(run.completed_at),
        "JobRunState": run.state,
        "Arguments": json.loads(run.arguments),
        "ErrorMessage": run.error_message,
        "PredecessorRuns": [],
        "ExecutionTime": run.execution_time,
        "Timeout": run.timeout,
        "WorkerType": run.worker_type,
        "NumberOfWorkers": run.number_of_workers,
        "LogGroupName": LOG_GROUP,
        "GlueVersion": run.glue_version,
        "StateDetail": run.state_detail,
    }
    return {key: value for key, value in fields.items() if value is not None}
