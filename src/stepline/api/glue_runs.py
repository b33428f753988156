"""Glue job runs: StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun."""

from __future__ import annotations

from typing import Final

from stepline.api.checks import boolean, floating, integer, list_of, shape, string, structure
from stepline.api.glue_jobs import EXECUTION_CLASSES, SINGLE_LINE, WORKER_TYPES, job_name
from stepline.api.glue_operation import Body, GlueContext, GlueOperation, Reply, glue_operation
from stepline.api.wire import epoch, present
from stepline.jobs.run_shape import job_run_fields
from stepline.store.records import JobRunRecord

_RUN_ID: Final = string("RunId", required=True, min=1, max=255, pattern=SINGLE_LINE)
_DEFAULT_PAGE: Final = 100


def operations() -> dict[str, GlueOperation]:
    return {
        "StartJobRun": start_job_run,
        "GetJobRun": get_job_run,
        "GetJobRuns": get_job_runs,
        "BatchStopJobRun": batch_stop_job_run,
    }


@glue_operation(
    shape(
        job_name(),
        boolean("JobRunQueuingEnabled"),
        string("JobRunId", min=1, max=255, pattern=SINGLE_LINE),
        structure("Arguments"),
        integer("AllocatedCapacity"),
        integer("Timeout", min=1),
        floating("MaxCapacity"),
        string("SecurityConfiguration", min=1, max=255, pattern=SINGLE_LINE),
        structure("NotificationProperty", integer("NotifyDelayAfter", min=1)),
        string("WorkerType", enum=WORKER_TYPES),
        integer("NumberOfWorkers"),
        string("ExecutionClass", max=16, enum=EXECUTION_CLASSES),
        string("ExecutionRoleSessionPolicy", min=2, max=2048),
    )
)
def start_job_run(ctx: GlueContext, body: Body) -> Reply:
    run = ctx.runs.start(
        body["JobName"],
        body.get("Arguments"),
        retry_of=body.get("JobRunId"),
        timeout=body.get("Timeout"),
        worker_type=body.get("WorkerType"),
        number_of_workers=body.get("NumberOfWorkers"),
        queuing=body.get("JobRunQueuingEnabled"),
    )
    return {"JobRunId": run.id}


@glue_operation(shape(job_name(), _RUN_ID, boolean("PredecessorsIncluded")))
def get_job_run(ctx: GlueContext, body: Body) -> Reply:
    return {"JobRun": job_run_shown(ctx.runs.get(body["JobName"], body["RunId"]))}


@glue_operation(shape(job_name(), string("NextToken"), integer("MaxResults", min=1, max=200)))
def get_job_runs(ctx: GlueContext, body: Body) -> Reply:
    limit = body.get("MaxResults") or _DEFAULT_PAGE
    runs, token = ctx.runs.page(body["JobName"], body.get("NextToken"), limit)
    return present(JobRuns=[job_run_shown(run) for run in runs], NextToken=token)


@glue_operation(
    shape(
        job_name(),
        list_of(
            "JobRunIds",
            string("JobRunId", min=1, max=255, pattern=SINGLE_LINE),
            required=True,
            min=1,
            max=25,
        ),
    )
)
def batch_stop_job_run(ctx: GlueContext, body: Body) -> Reply:
    name = body["JobName"]
    stopped, errors = [], []
    for outcome in ctx.runs.stop(name, body["JobRunIds"]):
        if outcome.error_code is None:
            stopped.append({"JobName": name, "JobRunId": outcome.run_id})
        else:
            detail = {"ErrorCode": outcome.error_code, "ErrorMessage": outcome.error_message}
            errors.append({"JobName": name, "JobRunId": outcome.run_id, "ErrorDetail": detail})
    return {"SuccessfulSubmissions": stopped, "Errors": errors}


def job_run_shown(run: JobRunRecord) -> Reply:
    """Glue's JobRun."""
    return job_run_fields(run, epoch)
