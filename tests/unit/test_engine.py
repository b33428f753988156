"""The pure engine driven event by event, without the runtime shell."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from stepline.asl.parse import load
from stepline.engine.interpreter import advance
from stepline.engine.records import (
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    FailExecution,
    InvokeTask,
    StartExecution,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def info(payload: Any = None) -> ExecutionInfo:
    return ExecutionInfo(
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e1",
        name="e1",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
        state_machine_name="M",
        input={} if payload is None else payload,
        start_time=T0,
    )


TASK = {
    "StartAt": "T",
    "States": {
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "ResultSelector": {"v.$": "$.Payload"},
            "TimeoutSeconds": 30,
            "End": True,
        }
    },
}


def types(step: Any) -> list[str]:
    return [event.type for event in step.events]


def test_a_task_parks_and_resumes_on_its_result() -> None:
    machine = load(TASK)
    start = advance(machine, None, StartExecution(info({"x": 1})), T0, random.Random(0))
    assert types(start) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]
    invoke = [c for c in start.commands if isinstance(c, InvokeTask)]
    assert len(invoke) == 1
    assert invoke[0].parameters == {"FunctionName": "f", "Payload": {"x": 1}}
    assert invoke[0].timeout_seconds == 30
    timers = [c for c in start.commands if isinstance(c, StartTimer)]
    assert [t.due for t in timers] == [T0 + timedelta(seconds=30)]
    assert start.state.status == "RUNNING"

    later = T0 + timedelta(seconds=3)
    done = advance(
        machine,
        start.state,
        TaskSucceeded(invoke[0].token, {"Payload": 7}),
        later,
        random.Random(0),
    )
    assert types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert done.state.status == "SUCCEEDED"
    assert done.state.output == {"v": 7}
    assert all(event.timestamp == later for event in done.events)
    ids = [event.id for event in start.events + done.events]
    assert ids == list(range(1, 8))


def test_advance_leaves_the_given_state_untouched() -> None:
    machine = load(TASK)
    start = advance(machine, None, StartExecution(info()), T0, random.Random(0))
    frames_before = dict(start.state.frames)
    token = next(c for c in start.commands if isinstance(c, InvokeTask)).token
    advance(machine, start.state, TaskSucceeded(token, {"Payload": 1}), T0, random.Random(0))
    assert dict(start.state.frames) == frames_before
    assert start.state.status == "RUNNING"


def test_the_same_inputs_give_the_same_step() -> None:
    machine = load(TASK)
    one = advance(machine, None, StartExecution(info({"a": [1, 2]})), T0, random.Random(5))
    two = advance(machine, None, StartExecution(info({"a": [1, 2]})), T0, random.Random(5))
    assert one.events == two.events
    assert one.commands == two.commands


def test_a_stale_result_is_ignored() -> None:
    machine = load(TASK)
    start = advance(machine, None, StartExecution(info()), T0, random.Random(0))
    step = advance(machine, start.state, TaskSucceeded("#999", 1), T0, random.Random(0))
    assert step.events == ()
    assert step.state.status == "RUNNING"


def test_a_task_timeout_timer_fails_the_task_with_states_timeout() -> None:
    machine = load(TASK)
    start = advance(machine, None, StartExecution(info()), T0, random.Random(0))
    timer = next(c for c in start.commands if isinstance(c, StartTimer))
    fired = advance(machine, start.state, TimerFired(timer.token), timer.due, random.Random(0))
    assert types(fired) == ["TaskTimedOut", "ExecutionFailed"]
    assert fired.state.status == "FAILED"
    assert fired.state.error == "States.Timeout"
    token = next(c for c in start.commands if isinstance(c, InvokeTask)).token
    late = advance(machine, fired.state, TaskSucceeded(token, {}), timer.due, random.Random(0))
    assert late.events == ()


def test_a_failed_task_is_retried_after_its_backoff() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 5, "MaxAttempts": 1}],
                "End": True,
            }
        },
    }
    machine = load(definition)
    rng = random.Random(0)
    start = advance(machine, None, StartExecution(info()), T0, rng)
    token = next(c for c in start.commands if isinstance(c, InvokeTask)).token
    failed = advance(machine, start.state, TaskFailed(token, "Boom", "bad"), T0, rng)
    assert types(failed) == ["LambdaFunctionFailed"]
    timer = next(c for c in failed.commands if isinstance(c, StartTimer))
    assert timer.due == T0 + timedelta(seconds=5)
    again = advance(machine, failed.state, TimerFired(timer.token), timer.due, rng)
    assert types(again) == ["LambdaFunctionScheduled", "LambdaFunctionStarted"]
    token2 = next(c for c in again.commands if isinstance(c, InvokeTask)).token
    assert token2 != token
    final = advance(machine, again.state, TaskFailed(token2, "Boom", "bad"), timer.due, rng)
    assert types(final) == ["LambdaFunctionFailed", "ExecutionFailed"]
    assert (final.state.error, final.state.cause) == ("Boom", "bad")


def test_a_wait_is_a_timer_not_a_sleep() -> None:
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}},
    }
    machine = load(definition)
    start = advance(machine, None, StartExecution(info({"k": 1})), T0, random.Random(0))
    assert types(start) == ["ExecutionStarted", "WaitStateEntered"]
    timer = next(c for c in start.commands if isinstance(c, StartTimer))
    assert timer.due == T0 + timedelta(days=1)
    done = advance(machine, start.state, TimerFired(timer.token), timer.due, random.Random(0))
    assert types(done) == ["WaitStateExited", "ExecutionSucceeded"]
    assert done.state.output == {"k": 1}


def test_execution_timeout_and_stop() -> None:
    definition = dict(TASK, TimeoutSeconds=60)
    machine = load(definition)
    start = advance(machine, None, StartExecution(info()), T0, random.Random(0))
    timer = next(c for c in start.commands if isinstance(c, StartTimer) and c.token.startswith("#"))
    timed_out = advance(machine, start.state, TimerFired(timer.token), timer.due, random.Random(0))
    assert types(timed_out) == ["ExecutionTimedOut"]
    assert timed_out.state.status == "TIMED_OUT"
    stopped = advance(machine, start.state, StopExecution("Op", "by hand"), T0, random.Random(0))
    assert types(stopped) == ["ExecutionAborted"]
    assert (stopped.state.status, stopped.state.error) == ("ABORTED", "Op")
    assert stopped.state.frames == {}


def test_fail_execution_drops_what_runs_and_fails_at_once() -> None:
    """DeleteStateMachine's end of a running execution: ExecutionFailed, its work cancelled,
    the execution timeout's timer too."""
    machine = load(dict(TASK, TimeoutSeconds=60))
    start = advance(machine, None, StartExecution(info()), T0, random.Random(0))
    event = FailExecution("States.Runtime", "State machine M has been deleted.")
    failed = advance(machine, start.state, event, T0, random.Random(0))
    assert types(failed) == ["ExecutionFailed"]
    assert failed.events[0].previous_event_id == start.events[-1].id
    assert (failed.state.status, failed.state.error, failed.state.cause) == (
        "FAILED",
        "States.Runtime",
        "State machine M has been deleted.",
    )
    assert failed.state.frames == {}
    cancelled = {c.token for c in failed.commands if isinstance(c, CancelTask | CancelTimer)}
    assert cancelled == {"#1", "#1:timeout", "#execution-timeout"}  # task, its timer, the run's
    again = advance(machine, failed.state, event, T0, random.Random(0))
    assert again.events == () and again.state == failed.state  # an ended run stays as it is
