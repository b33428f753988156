"""StartSyncExecution: run an EXPRESS state machine and answer with how it ended.

# AWS: the answer is 200 whatever the execution's status (SUCCEEDED, FAILED or TIMED_OUT);
# error codes are for executions that cannot start.
"""

from __future__ import annotations

import math
from typing import Final

from stepline.api import lookups
from stepline.api.checks import arn, shape, string
from stepline.api.errors import ApiError
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.sfn_executions import PAYLOAD_MAX, execution_data, execution_input
from stepline.api.sfn_machines import INCLUDED_DATA
from stepline.api.wire import epoch, present
from stepline.express import Express, ExpressRun
from stepline.names import check_name

# AWS: Express duration is billed rounded up to the next 100 ms, memory in 64 MB chunks.
_BILLED_MS_STEP: Final = 100
_BILLED_MB: Final = 64
TRACE_HEADER: Final = string("traceHeader", min=0, max=256, pattern=r"[\x00-\x7f]*")


def operations() -> Operations:
    return {"StartSyncExecution": start_sync_execution}


def express_of(ctx: Context) -> Express:
    if ctx.express is None:
        raise ApiError("StateMachineTypeNotSupported", "this server runs no EXPRESS executions")
    return ctx.express


@operation(
    shape(
        arn("stateMachineArn", required=True),
        string("name", min=1, max=80),
        string("input", max=PAYLOAD_MAX, sensitive=True),
        TRACE_HEADER,
        INCLUDED_DATA,
    )
)
def start_sync_execution(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    name = body.get("name")
    if name is not None:
        check_name(name, "execution name")
    text = execution_input(body.get("input"))
    ended = express_of(ctx).run(ref.qualified, text, name)
    return present(
        executionArn=ended.arn,
        stateMachineArn=ended.state_machine_arn,
        name=ended.name,
        startDate=epoch(ended.start_date),
        stopDate=epoch(ended.stop_date or ended.start_date),
        status=ended.status,
        error=ended.error,
        cause=ended.cause,
        **execution_data(body, ended.status, ended.input, ended.output),
        traceHeader=body.get("traceHeader"),
        billingDetails=billing(ended),
    )


def billing(run: ExpressRun) -> Reply:
    elapsed_ms = ((run.stop_date or run.start_date) - run.start_date).total_seconds() * 1000
    billed_ms = max(1, math.ceil(elapsed_ms / _BILLED_MS_STEP)) * _BILLED_MS_STEP
    return {"billedMemoryUsedInMB": _BILLED_MB, "billedDurationInMilliseconds": billed_ms}
