"""Glue job definitions and bookmarks: CreateJob, GetJob, GetJobs, UpdateJob, DeleteJob,
ListJobs, GetJobBookmark, ResetJobBookmark."""

from __future__ import annotations

import json
from typing import Any, Final

from stepline.api.checks import (
    Member,
    boolean,
    floating,
    integer,
    list_of,
    shape,
    string,
    structure,
)
from stepline.api.glue_operation import Body, GlueContext, GlueOperation, Reply, glue_operation
from stepline.api.wire import epoch, present
from stepline.jobs.bookmarks import BookmarkEntry
from stepline.store.records import JobRecord

# AWS: Glue's NameString / single-line string pattern (as a Python expression).
SINGLE_LINE: Final = "[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\t]*"
WORKER_TYPES: Final = (
    "Standard",
    "G.1X",
    "G.2X",
    "G.4X",
    "G.8X",
    "G.025X",
    "Z.2X",
    "G.12X",
    "G.16X",
    "R.1X",
    "R.2X",
    "R.4X",
    "R.8X",
)
EXECUTION_CLASSES: Final = ("FLEX", "STANDARD")
_NOTIFICATION: Final = structure("NotificationProperty", integer("NotifyDelayAfter", min=1))


def job_name(member: str = "JobName") -> Member:
    return string(member, required=True, min=1, max=255, pattern=SINGLE_LINE)


# The members of a job definition (CreateJob's, and UpdateJob's JobUpdate), as modelled.
JOB_FIELDS: Final = (
    string("JobMode", enum=("SCRIPT", "VISUAL", "NOTEBOOK")),
    boolean("JobRunQueuingEnabled"),
    string("Description", max=2048),
    string("LogUri"),
    string("Role"),
    structure("ExecutionProperty", integer("MaxConcurrentRuns")),
    structure(
        "Command",
        string("Name"),
        string("ScriptLocation", max=400000),
        string("PythonVersion", pattern="^([2-3]|3[.]9)$"),
        string("Runtime", max=64),
    ),
    structure("DefaultArguments"),
    structure("NonOverridableArguments"),
    structure("Connections", list_of("Connections", string("Connection"), max=1000)),
    integer("MaxRetries"),
    integer("AllocatedCapacity"),
    integer("Timeout", min=1),
    floating("MaxCapacity"),
    string("SecurityConfiguration", min=1, max=255, pattern=SINGLE_LINE),
    _NOTIFICATION,
    string("GlueVersion", min=1, max=255, pattern=r"^((\w+\.)+\w+|auto)$"),
    integer("NumberOfWorkers"),
    string("WorkerType", enum=WORKER_TYPES),
    structure("CodeGenConfigurationNodes"),
    string("ExecutionClass", max=16, enum=EXECUTION_CLASSES),
    structure("SourceControlDetails"),
    string("MaintenanceWindow", pattern="^(Sun|Mon|Tue|Wed|Thu|Fri|Sat):([01]?[0-9]|2[0-3])$"),
)
_PAGE: Final = (string("NextToken"), integer("MaxResults", min=1, max=1000))
_DEFAULT_PAGE: Final = 100


def operations() -> dict[str, GlueOperation]:
    return {
        "CreateJob": create_job,
        "GetJob": get_job,
        "GetJobs": get_jobs,
        "UpdateJob": update_job,
        "DeleteJob": delete_job,
        "ListJobs": list_jobs,
        "GetJobBookmark": get_job_bookmark,
        "ResetJobBookmark": reset_job_bookmark,
    }


@glue_operation(shape(job_name("Name"), *JOB_FIELDS, structure("Tags")))
def create_job(ctx: GlueContext, body: Body) -> Reply:
    record = ctx.jobs.create(body["Name"], body, body.get("Tags"))
    return {"Name": record.name}


@glue_operation(shape(job_name()))
def get_job(ctx: GlueContext, body: Body) -> Reply:
    return {"Job": job_shown(ctx.jobs.get(body["JobName"]))}


@glue_operation(shape(*_PAGE))
def get_jobs(ctx: GlueContext, body: Body) -> Reply:
    jobs, token = ctx.jobs.page(body.get("NextToken"), body.get("MaxResults") or _DEFAULT_PAGE)
    return present(Jobs=[job_shown(job) for job in jobs], NextToken=token)


@glue_operation(shape(job_name(), structure("JobUpdate", *JOB_FIELDS, required=True)))
def update_job(ctx: GlueContext, body: Body) -> Reply:
    record = ctx.jobs.update(body["JobName"], body["JobUpdate"])
    return {"JobName": record.name}


@glue_operation(shape(job_name()))
def delete_job(ctx: GlueContext, body: Body) -> Reply:
    ctx.jobs.delete(body["JobName"])
    return {"JobName": body["JobName"]}


@glue_operation(shape(*_PAGE, structure("Tags")))
def list_jobs(ctx: GlueContext, body: Body) -> Reply:
    limit = body.get("MaxResults") or _DEFAULT_PAGE
    names, token = ctx.jobs.names(body.get("NextToken"), limit, body.get("Tags"))
    return present(JobNames=names, NextToken=token)


@glue_operation(shape(string("JobName", required=True), string("RunId")))
def get_job_bookmark(ctx: GlueContext, body: Body) -> Reply:
    return {"JobBookmarkEntry": bookmark_shown(ctx.jobs.bookmark(body["JobName"]))}


@glue_operation(shape(string("JobName", required=True), string("RunId")))
def reset_job_bookmark(ctx: GlueContext, body: Body) -> Reply:
    return {"JobBookmarkEntry": bookmark_shown(ctx.jobs.reset_bookmark(body["JobName"]))}


def job_shown(record: JobRecord) -> Reply:
    """GetJob's Job: the definition as given, Glue's defaults filled in."""
    definition: dict[str, Any] = json.loads(record.definition)
    return {
        "Name": record.name,
        **definition,
        "CreatedOn": epoch(record.created_at),
        "LastModifiedOn": epoch(record.modified_at),
    }


def bookmark_shown(entry: BookmarkEntry) -> Reply:
    return present(
        JobName=entry.job_name,
        Version=entry.version,
        Run=entry.run,
        Attempt=entry.attempt,
        PreviousRunId=entry.previous_run_id,
        RunId=entry.run_id,
        JobBookmark=entry.job_bookmark,
    )
