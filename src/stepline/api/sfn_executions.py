"""Executions: StartExecution, DescribeExecution, ListExecutions, StopExecution,
RedriveExecution."""

from __future__ import annotations

import json
from typing import Final

from stepline.api import lookups, sfn_map_runs
from stepline.api.checks import arn, integer, shape, string
from stepline.api.errors import ApiError, validation
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import decode_token, encode_token, page_size, scope_of
from stepline.api.sfn_machines import INCLUDED_DATA
from stepline.api.wire import epoch, epoch_or_none, present
from stepline.express import is_express
from stepline.names import check_name
from stepline.store.records import ExecutionRecord

STATUSES: Final = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
PAYLOAD_MAX: Final = 262_144  # AWS: SensitiveData, execution input and output
EXECUTION_ARN: Final = arn("executionArn", required=True)
_REDRIVEN: Final = {"REDRIVEN": True, "NOT_REDRIVEN": False}


def operations() -> Operations:
    return {
        "StartExecution": start_execution,
        "DescribeExecution": describe_execution,
        "ListExecutions": list_executions,
        "StopExecution": stop_execution,
        "RedriveExecution": redrive_execution,
    }


def json_input(text: str, code: str, what: str) -> str:
    """``text`` when it is JSON; else AWS's InvalidExecutionInput / InvalidOutput."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ApiError(code, f"Invalid {what}: '{exc.msg} at {where}'") from None
    except (ValueError, RecursionError):
        raise ApiError(code, f"Invalid {what}: 'nested too deeply or not JSON'") from None
    return text


@operation(
    shape(
        arn("stateMachineArn", required=True),
        string("name", min=1, max=80),
        string("input", max=PAYLOAD_MAX, sensitive=True),
        string("traceHeader", min=0, max=256, pattern=r"[\x00-\x7f]*"),
    )
)
def start_execution(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    name = body.get("name")
    if name is not None:
        check_name(name, "execution name")
    text = execution_input(body.get("input"))
    machine = ctx.service.store.get_state_machine(ref.arn)
    if machine is not None and is_express(machine) and ctx.express is not None:
        # AWS: an Express start is not idempotent; each runs (names may repeat)
        started = ctx.express.start(ref.qualified, text, name)
        return {"executionArn": started.arn, "startDate": epoch(started.start_date)}
    record = ctx.service.start_execution(ref.qualified, text, name)
    return {"executionArn": record.arn, "startDate": epoch(record.start_date)}


def execution_data(body: Body, status: str, given: str, output: str | None) -> Reply:
    """An execution's input and output members: left out with includedData METADATA_ONLY
    (their ``...Details`` say so), the output only when it SUCCEEDED."""
    data = body.get("includedData") != "METADATA_ONLY"
    succeeded = status == "SUCCEEDED"
    return present(
        input=given if data else None,
        inputDetails={"included": data},
        output=output if data and succeeded else None,
        outputDetails={"included": data} if succeeded else None,
    )


def execution_input(given: str | None) -> str:
    """A start's input: JSON text (AWS: no input is "{}")."""
    if given is None:
        return "{}"
    return json_input(given, "InvalidExecutionInput", "State Machine Execution Input")


@operation(shape(EXECUTION_ARN, INCLUDED_DATA))
def describe_execution(ctx: Context, body: Body) -> Reply:
    record = lookups.execution(ctx, body["executionArn"])
    verdict = ctx.service.redrive_status(record)
    return present(
        executionArn=record.arn,
        stateMachineArn=record.state_machine_arn,
        name=record.name,
        status=record.status,
        startDate=epoch(record.start_date),
        stopDate=epoch_or_none(record.stop_date),
        **execution_data(body, record.status, record.input, record.output),
        error=record.error,
        cause=record.cause,
        stateMachineVersionArn=record.version_arn,
        stateMachineAliasArn=record.alias_arn,
        redriveCount=record.redrive_count,
        redriveDate=epoch_or_none(record.redrive_date),
        redriveStatus=verdict.status,
        redriveStatusReason=verdict.reason,
    )


@operation(
    shape(
        arn("stateMachineArn"),
        string("statusFilter", enum=STATUSES),
        integer("maxResults", min=0, max=1000),
        string("nextToken", min=1, max=3096),
        string("mapRunArn", min=1, max=2000),
        string("redriveFilter", enum=tuple(_REDRIVEN)),
    )
)
def list_executions(ctx: Context, body: Body) -> Reply:
    if body.get("mapRunArn") is not None:
        return sfn_map_runs.list_executions(ctx, body)
    if body.get("stateMachineArn") is None:
        raise validation("Must provide a StateMachine ARN or MapRun ARN")
    ref = lookups.machine(ctx, body["stateMachineArn"])
    store = ctx.service.store
    missing = ApiError(
        "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{ref.qualified}'"
    )
    machine = store.get_state_machine(ref.arn)
    if machine is None:
        raise missing
    if is_express(machine):  # AWS: Express executions are not kept
        raise ApiError(
            "StateMachineTypeNotSupported",
            f"This operation is not supported by EXPRESS state machines: '{ref.arn}'",
        )
    if ref.version is not None and store.get_version(ref.arn, ref.version) is None:
        raise missing
    if ref.alias is not None and store.get_alias(ref.arn, ref.alias) is None:
        raise ApiError("ResourceNotFound", f"Alias Does Not Exist: '{ref.qualified}'")
    status, redrive = body.get("statusFilter"), body.get("redriveFilter")
    scope = scope_of("ListExecutions", ref.qualified, status, redrive)
    after = decode_token(body.get("nextToken"), scope)
    if after is not None and not isinstance(after, str):
        raise ApiError("InvalidToken", f"Invalid Token: '{body['nextToken'][:128]}'")
    size = page_size(body.get("maxResults"))
    found = store.list_executions(
        ref.arn,
        status,
        size + 1,
        version_arn=ref.qualified if ref.version is not None else None,
        alias_arn=ref.qualified if ref.alias is not None else None,
        redriven=_REDRIVEN.get(redrive) if redrive else None,
        after_arn=after,
    )
    page = found[:size]
    token = encode_token(scope, page[-1].arn) if len(found) > size else None
    return present(executions=[_listed(e) for e in page], nextToken=token)


def _listed(record: ExecutionRecord) -> Reply:
    return present(
        executionArn=record.arn,
        stateMachineArn=record.state_machine_arn,
        name=record.name,
        status=record.status,
        startDate=epoch(record.start_date),
        stopDate=epoch_or_none(record.stop_date),
        stateMachineVersionArn=record.version_arn,
        stateMachineAliasArn=record.alias_arn,
        redriveCount=record.redrive_count,
        redriveDate=epoch_or_none(record.redrive_date),
    )


@operation(
    shape(
        EXECUTION_ARN,
        string("error", min=0, max=256, sensitive=True),
        string("cause", min=0, max=32_768, sensitive=True),
    )
)
def stop_execution(ctx: Context, body: Body) -> Reply:
    record = lookups.execution(ctx, body["executionArn"])
    # An execution that has ended already stays as it ended; its stop date is answered.
    stopped = ctx.service.stop_execution(record.arn, body.get("error"), body.get("cause"))
    return {"stopDate": epoch(stopped.stop_date or ctx.service.clock.now())}


@operation(shape(EXECUTION_ARN, string("clientToken", min=1, max=64, pattern=r"[!-~]+")))
def redrive_execution(ctx: Context, body: Body) -> Reply:
    record = lookups.execution(ctx, body["executionArn"])
    token, now = body.get("clientToken"), ctx.service.clock.now()
    if token is not None:
        earlier = ctx.redrive_tokens.answered(record.arn, token, now)
        if earlier is not None:
            return {"redriveDate": epoch(earlier)}
    redriven = ctx.service.redrive_execution(record.arn)
    date = redriven.redrive_date or now
    if token is not None:
        ctx.redrive_tokens.remember(record.arn, token, now, date)
    return {"redriveDate": epoch(date)}
