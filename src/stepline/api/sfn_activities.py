"""Activities: CreateActivity, DescribeActivity, ListActivities, DeleteActivity and the
GetActivityTask long poll."""

from __future__ import annotations

import time
from typing import Final

from stepline.api import lookups
from stepline.api.checks import arn, shape, string
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import page_size, paginate, scope_of
from stepline.api.sfn_machines import ENCRYPTION, PAGE, TAGS, tags_of
from stepline.api.wire import epoch, present
from stepline.store.records import ActivityRecord

ACTIVITY_ARN: Final = arn("activityArn", required=True)
_POLL_SLICE: Final = 1.0  # seconds of a long poll between looks at the server stopping


def operations() -> Operations:
    return {
        "CreateActivity": create_activity,
        "DescribeActivity": describe_activity,
        "ListActivities": list_activities,
        "DeleteActivity": delete_activity,
        "GetActivityTask": get_activity_task,
    }


def _activity_arn(text: str) -> str:
    if not text.startswith("arn:"):
        raise lookups.invalid_arn(text)
    return text


@operation(shape(string("name", required=True, min=1, max=80), TAGS, ENCRYPTION))
def create_activity(ctx: Context, body: Body) -> Reply:
    record = ctx.activities.create_activity(body["name"], tags_of(body))
    return {"activityArn": record.arn, "creationDate": epoch(record.created_at)}


@operation(shape(ACTIVITY_ARN))
def describe_activity(ctx: Context, body: Body) -> Reply:
    record = ctx.activities.describe_activity(_activity_arn(body["activityArn"]))
    return _shown(record)


def _shown(record: ActivityRecord) -> Reply:
    return {
        "activityArn": record.arn,
        "name": record.name,
        "creationDate": epoch(record.created_at),
    }


@operation(shape(*PAGE))
def list_activities(ctx: Context, body: Body) -> Reply:
    activities, token = paginate(
        ctx.activities.list_activities(),
        lambda a: a.arn,
        body.get("nextToken"),
        page_size(body.get("maxResults")),
        scope_of("ListActivities"),
    )
    return present(activities=[_shown(a) for a in activities], nextToken=token)


@operation(shape(ACTIVITY_ARN))
def delete_activity(ctx: Context, body: Body) -> Reply:
    ctx.activities.delete_activity(_activity_arn(body["activityArn"]))
    return {}


@operation(shape(ACTIVITY_ARN, string("workerName", min=1, max=80)))
def get_activity_task(ctx: Context, body: Body) -> Reply:
    """AWS: holds the request up to 60 s; no task by then answers no token (``{}``). The
    wait is cut in slices so that a server shutting down answers its pollers at once."""
    arn = _activity_arn(body["activityArn"])
    deadline = time.monotonic() + ctx.long_poll_seconds
    while True:
        left = deadline - time.monotonic()
        wait = max(0.0, min(left, _POLL_SLICE))
        task = ctx.activities.get_activity_task(arn, body.get("workerName"), wait)
        if task is not None:
            return {"taskToken": task.task_token, "input": task.input}
        if left <= _POLL_SLICE or ctx.stopping.is_set():
            return {}
