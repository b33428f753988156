"""A .sync task's work may end before the call that started it returns (a nested child that
is faster than its parent's worker): the end waits for TaskSubmitted, as AWS's history
always shows the submission first."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.asl.parse import load
from stepline.engine.codec import decode_state, encode_state
from stepline.engine.interpreter import advance
from stepline.engine.records import (
    CallbackFailed,
    CallbackSucceeded,
    ExecutionInfo,
    ExecutionState,
    Inbound,
    InvokeTask,
    StartExecution,
    TaskSucceeded,
)

T0 = datetime(2026, 11, 21, tzinfo=UTC)
MACHINE = load(
    {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "arn:aws:states:::stateMachine:c"},
                "End": True,
            }
        },
    }
)


def step(state: ExecutionState | None, event: Inbound) -> tuple[ExecutionState, list[Any]]:
    result = advance(MACHINE, state, event, T0, random.Random(1))
    # every step goes through the store: the early end must survive encoding
    return decode_state(encode_state(result.state, MACHINE), MACHINE), [
        *result.events,
        *result.commands,
    ]


def started() -> tuple[ExecutionState, str]:
    info = ExecutionInfo(
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:p:e",
        name="e",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:p",
        state_machine_name="p",
        input={},
        start_time=T0,
        role_arn="arn:aws:iam::123456789012:role/r",
    )
    state, emitted = step(None, StartExecution(info))
    token = next(c.token for c in emitted if isinstance(c, InvokeTask))
    return state, token


def types(events: list[Any]) -> list[str]:
    return [e.type for e in events if hasattr(e, "type") and not isinstance(e, InvokeTask)]


def test_an_early_success_waits_for_the_submission() -> None:
    state, token = started()
    state, emitted = step(state, CallbackSucceeded(token, {"child": "done"}))
    assert types(emitted) == [] and state.status == "RUNNING"
    state, emitted = step(state, TaskSucceeded(token, {"ExecutionArn": "arn:child"}))
    assert types(emitted) == [
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert state.status == "SUCCEEDED" and state.output == {"child": "done"}


@pytest.mark.parametrize("early", [True, False])
def test_a_failure_ends_the_task_in_either_order(early: bool) -> None:
    state, token = started()
    failed = CallbackFailed(token, "States.TaskFailed", "the child failed")
    submitted = TaskSucceeded(token, {"ExecutionArn": "arn:child"})
    first, second = (failed, submitted) if early else (submitted, failed)
    state, _ = step(state, first)
    state, emitted = step(state, second)
    assert types(emitted)[-1] == "ExecutionFailed"
    assert (state.error, state.cause) == ("States.TaskFailed", "the child failed")
