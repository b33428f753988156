"""Map Runs: DescribeMapRun, ListMapRuns, UpdateMapRun, and ListExecutions of a Map Run
(``stepline.map_runs`` has the use cases)."""

from __future__ import annotations

from typing import Any, Final

from stepline.api import lookups
from stepline.api.checks import arn, floating, integer, shape, string
from stepline.api.errors import ApiError, validation
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import decode_token, encode_token, page_size, scope_of
from stepline.api.wire import epoch, epoch_or_none, present
from stepline.map_runs import MapRun, MapRunCounts, MapRuns

MAP_RUN_ARN: Final = arn("mapRunArn", required=True, max=2000)  # AWS: LongArn


def operations() -> Operations:
    return {
        "DescribeMapRun": describe_map_run,
        "ListMapRuns": list_map_runs,
        "UpdateMapRun": update_map_run,
    }


@operation(shape(MAP_RUN_ARN))
def describe_map_run(ctx: Context, body: Body) -> Reply:
    found = MapRuns(ctx.service).describe(body["mapRunArn"])
    counts = counts_shape(found.counts)
    return present(
        mapRunArn=found.arn,
        executionArn=found.execution_arn,
        status=found.status,
        startDate=epoch(found.start_date),
        stopDate=epoch_or_none(found.stop_date),
        maxConcurrency=found.max_concurrency,
        toleratedFailurePercentage=found.tolerated_failure_percentage,
        toleratedFailureCount=found.tolerated_failure_count,
        itemCounts=counts,
        executionCounts=dict(counts),  # one child per item (per batch with an ItemBatcher)
        redriveCount=found.redrive_count,
        redriveDate=epoch_or_none(found.redrive_date),
    )


@operation(
    shape(
        arn("executionArn", required=True),
        integer("maxResults", min=0, max=1000),
        string("nextToken", min=1, max=1024),
    )
)
def list_map_runs(ctx: Context, body: Body) -> Reply:
    execution = lookups.execution(ctx, body["executionArn"])
    scope = scope_of("ListMapRuns", execution.arn)
    before = decode_token(body.get("nextToken"), scope)
    if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
        raise ApiError("InvalidToken", f"Invalid Token: '{body['nextToken'][:128]}'")
    size = page_size(body.get("maxResults"))
    found, after = MapRuns(ctx.service).of_execution(execution, size, before)
    return present(
        mapRuns=[_listed(m) for m in found],
        nextToken=None if after is None else encode_token(scope, after),
    )


@operation(
    shape(
        MAP_RUN_ARN,
        integer("maxConcurrency", min=0),
        floating("toleratedFailurePercentage", min=0, max=100),
        integer("toleratedFailureCount", min=0),
    )
)
def update_map_run(ctx: Context, body: Body) -> Reply:
    given = [body.get(name) for name in _SETTINGS]
    if all(value is None for value in given):
        # The message is stepline's; the reason AWS's.
        raise validation(
            "At least one of maxConcurrency, toleratedFailurePercentage and"
            " toleratedFailureCount must be given",
            "MISSING_REQUIRED_PARAMETER",
        )
    percentage = body.get("toleratedFailurePercentage")
    MapRuns(ctx.service).update(
        body["mapRunArn"],
        max_concurrency=body.get("maxConcurrency"),
        tolerated_count=body.get("toleratedFailureCount"),
        tolerated_percentage=None if percentage is None else float(percentage),
    )
    return {}


_SETTINGS: Final = ("maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount")


def list_executions(ctx: Context, body: Body) -> Reply:
    """ListExecutions with a ``mapRunArn``: AWS lists the Map Run's child executions.
    stepline runs a Distributed Map's items inside the parent execution, not as executions
    one could describe, stop or read the history of, so a Map Run that exists has none to
    list: an empty page (docs/api.md). Its progress is DescribeMapRun's itemCounts."""
    map_run = MapRuns(ctx.service).describe(body["mapRunArn"])  # InvalidArn, ResourceNotFound
    scope = scope_of("ListExecutions", "mapRun", map_run.arn)
    decode_token(body.get("nextToken"), scope)  # no page of it has a next one
    return {"executions": []}


def _listed(found: MapRun) -> Reply:
    return present(
        executionArn=found.execution_arn,
        mapRunArn=found.arn,
        stateMachineArn=found.state_machine_arn,
        startDate=epoch(found.start_date),
        stopDate=epoch_or_none(found.stop_date),
    )


def counts_shape(counts: MapRunCounts) -> dict[str, Any]:
    return {
        "pending": counts.pending,
        "running": counts.running,
        "succeeded": counts.succeeded,
        "failed": counts.failed,
        "timedOut": counts.timed_out,
        "aborted": counts.aborted,
        "total": counts.total,
        "resultsWritten": counts.results_written,
        "failuresNotRedrivable": counts.failures_not_redrivable,
        "pendingRedrive": counts.pending_redrive,
    }
