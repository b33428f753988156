"""Task tokens: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from stepline.api.checks import shape, string
from stepline.api.errors import ApiError
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.sfn_executions import PAYLOAD_MAX, json_input
from stepline.engine.tokens import parse_task_token
from stepline.service import TaskDoesNotExist

TASK_TOKEN: Final = string("taskToken", required=True, min=1, max=2048)


def operations() -> Operations:
    return {
        "SendTaskSuccess": send_task_success,
        "SendTaskFailure": send_task_failure,
        "SendTaskHeartbeat": send_task_heartbeat,
    }


@operation(shape(TASK_TOKEN, string("output", required=True, max=PAYLOAD_MAX, sensitive=True)))
def send_task_success(ctx: Context, body: Body) -> Reply:
    output = json_input(body["output"], "InvalidOutput", "Output")
    token = body["taskToken"]
    _answer(ctx, token, lambda: ctx.service.send_task_success(token, output))
    return {}


@operation(
    shape(
        TASK_TOKEN,
        string("error", min=0, max=256, sensitive=True),
        string("cause", min=0, max=32_768, sensitive=True),
    )
)
def send_task_failure(ctx: Context, body: Body) -> Reply:
    token = body["taskToken"]
    error, cause = body.get("error"), body.get("cause")
    _answer(ctx, token, lambda: ctx.service.send_task_failure(token, error, cause))
    return {}


@operation(shape(TASK_TOKEN))
def send_task_heartbeat(ctx: Context, body: Body) -> Reply:
    token = body["taskToken"]
    _answer(ctx, token, lambda: ctx.service.send_task_heartbeat(token))
    return {}


def _answer(ctx: Context, token: str, call: Callable[[], None]) -> None:
    """AWS: a token of a task that has ended (it timed out, was answered, or its execution
    ended) is TaskTimedOut "Provided task does not exist anymore"; TaskDoesNotExist is
    for a token that names no execution at all."""
    execution_arn, _ = parse_task_token(token)  # InvalidToken when it is not a token
    try:
        call()
    except TaskDoesNotExist:
        if ctx.service.store.get_execution(execution_arn) is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist") from None
        raise ApiError(
            "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'"
        ) from None
