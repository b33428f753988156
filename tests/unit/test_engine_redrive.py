"""Redrive in the pure engine: what did not succeed runs again, what succeeded does not.

A small driver runs an execution to its end: every InvokeTask is answered by a Python
function (raising fails the task), due timers fire, and the state goes through the codec
between steps as it does in a store.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stepline.asl.parse import load
from stepline.engine.codec import decode_state, encode_state
from stepline.engine.history import HistoryEvent
from stepline.engine.interpreter import advance
from stepline.engine.records import (
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    ExecutionState,
    Inbound,
    InvokeTask,
    Redrive,
    StartExecution,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


class Boom(Exception):
    pass


class Driver:
    """Runs one execution; tasks answer through ``handler(state_name, parameters)``.

    ``calls`` counts the invocations the engine scheduled, by state (and Map item).
    """

    def __init__(self, definition: dict[str, Any], handler: Callable[[str, Any], Any]) -> None:
        self.machine = load(definition)
        self.handler = handler
        self.now = T0
        self.state: ExecutionState | None = None
        self.events: list[HistoryEvent] = []
        self.pending: list[InvokeTask] = []
        self.timers: dict[str, datetime] = {}
        self.calls: Counter[str] = Counter()

    def step(self, event: Inbound) -> None:
        n = 0 if self.state is None else self.state.next_event_id
        step = advance(self.machine, self.state, event, self.now, random.Random(n))
        self.state = decode_state(encode_state(step.state, self.machine), self.machine)
        self.events.extend(step.events)
        for command in step.commands:
            if isinstance(command, InvokeTask):
                self.pending.append(command)
                self.calls[_label(command)] += 1
            elif isinstance(command, StartTimer):
                self.timers[command.token] = command.due
            elif isinstance(command, CancelTimer):
                self.timers.pop(command.token, None)
            elif isinstance(command, CancelTask):
                self.pending = [p for p in self.pending if p.token != command.token]
                for key in [k for k in self.timers if k.startswith(command.token + ":")]:
                    del self.timers[key]

    def start(self, payload: Any = None) -> Driver:
        info = ExecutionInfo(
            execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e1",
            name="e1",
            state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
            state_machine_name="M",
            input={} if payload is None else payload,
            start_time=T0,
        )
        self.step(StartExecution(info))
        return self

    def run(self, until_tasks: int | None = None) -> ExecutionState:
        """Answer tasks in order and fire due timers until the execution ends (or, with
        ``until_tasks``, until that many tasks were answered)."""
        answered = 0
        while self.state is not None and self.state.status == "RUNNING":
            if until_tasks is not None and answered >= until_tasks:
                break
            if self.pending:
                task = self.pending.pop(0)
                answered += 1
                try:
                    result = self.handler(task.state_name, task.parameters)
                except Boom as exc:
                    self.step(TaskFailed(task.token, "Boom", str(exc)))
                else:
                    self.step(TaskSucceeded(task.token, result))
            elif self.timers:
                token, due = min(self.timers.items(), key=lambda kv: kv[1])
                del self.timers[token]
                self.now = max(self.now, due)
                self.step(TimerFired(token))
            else:
                raise AssertionError("stuck: nothing pending")
        assert self.state is not None
        return self.state

    def redrive(self) -> ExecutionState:
        self.now += timedelta(minutes=5)
        self.step(Redrive())
        return self.run()

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def entered(self) -> list[str]:
        return [e.details["name"] for e in self.events if e.type.endswith("StateEntered")]


def _label(task: InvokeTask) -> str:
    params = task.parameters
    if isinstance(params, dict) and "item" in params:
        return f"{task.state_name}[{params['item']}]"
    return task.state_name


def _task(next_or_end: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, **extra, **next_or_end}


def flaky(fail_first: set[str]) -> Callable[[str, Any], Any]:
    """Fails each named call (state name or "State[item]") the first time only."""
    failed: set[str] = set()

    def handler(state: str, params: Any) -> Any:
        label = (
            f"{state}[{params['item']}]" if isinstance(params, dict) and "item" in params else state
        )
        if label in fail_first and label not in failed:
            failed.add(label)
            raise Boom(f"{label} broke")
        if isinstance(params, dict) and "item" in params:
            return params["item"] * 10
        return {"from": state, "seen": params}

    return handler


LINEAR = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.prep", "Next": "Load"},
        "Load": _task({"Next": "Publish"}, ResultPath="$.load"),
        "Publish": _task({"End": True}, ResultPath="$.publish"),
    },
}


def test_a_failed_execution_runs_on_from_the_failed_state_with_its_input() -> None:
    run = Driver(LINEAR, flaky({"Load"})).start({"day": "2026-01-01"})
    first = run.run()
    assert first.status == "FAILED"
    assert first.error == "Boom"
    ended = len(run.events)

    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert run.calls == Counter({"Load": 2, "Publish": 1})
    redriven = run.events[ended]
    assert redriven.type == "ExecutionRedriven"
    assert redriven.details == {"redriveCount": 1}
    assert (redriven.id, redriven.previous_event_id) == (ended + 1, ended)
    reentered = run.events[ended + 1]
    assert reentered.type == "TaskStateEntered"
    assert reentered.previous_event_id == redriven.id
    assert reentered.details["name"] == "Load"
    # The same input the failed attempt had: the Pass state before it did not run again.
    assert reentered.details["input"] == {"day": "2026-01-01", "prep": {"n": 1}}
    assert run.entered().count("Prepare") == 1
    assert again.output["publish"]["from"] == "Publish"
    assert again.info.redrive_count == 1
    assert again.info.redrive_time == run.now
    assert [e.id for e in run.events] == list(range(1, len(run.events) + 1))


def test_redrive_count_and_time_are_in_the_context_object() -> None:
    definition = {
        "StartAt": "Load",
        "States": {
            "Load": _task({"Next": "Show"}),
            "Show": {
                "Type": "Pass",
                "Parameters": {
                    "count.$": "$$.Execution.RedriveCount",
                    "time.$": "$$.Execution.RedriveTime",
                },
                "End": True,
            },
        },
    }
    always = Driver(definition, flaky({"Load"})).start()
    assert always.run().status == "FAILED"
    done = always.redrive()
    assert done.output == {"count": 1, "time": "2026-01-02T03:09:05.000Z"}


def test_redrive_twice_counts_two() -> None:
    def handler(state: str, params: Any) -> Any:
        if state == "Load" and calls["n"] < 2:
            calls["n"] += 1
            raise Boom("not yet")
        return {"ok": True}

    calls = {"n": 0}
    run = Driver(LINEAR, handler).start()
    assert run.run().status == "FAILED"
    assert run.redrive().status == "FAILED"
    final = run.redrive()
    assert final.status == "SUCCEEDED"
    assert final.info.redrive_count == 2
    redrives = [e.details for e in run.events if e.type == "ExecutionRedriven"]
    assert redrives == [{"redriveCount": 1}, {"redriveCount": 2}]
    assert run.types().count("ExecutionFailed") == 2


MAP = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {"Work": _task({"End": True})},
            },
            "End": True,
        }
    },
}


def test_a_map_reruns_only_its_failed_and_aborted_iterations() -> None:
    run = Driver(MAP, flaky({"Work[1]"})).start({"items": [0, 1, 2, 3, 4]})
    first = run.run()
    assert first.status == "FAILED"
    # Item 0 succeeded, item 1 failed, items 2-4 were aborted while running.
    assert run.types().count("MapIterationAborted") == 3
    ended = len(run.events)

    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert again.output == [0, 10, 20, 30, 40]
    assert run.calls["Work[0]"] == 1  # succeeded the first time: not run again
    assert [run.calls[f"Work[{i}]"] for i in range(1, 5)] == [2, 2, 2, 2]
    after = run.events[ended:]
    assert [e.type for e in after[:3]] == [
        "ExecutionRedriven",
        "MapStateEntered",
        "MapStateStarted",
    ]
    restarted = [e.details["index"] for e in after if e.type == "MapIterationStarted"]
    assert restarted == [1, 2, 3, 4]


def test_a_map_over_its_tolerated_failures_reruns_every_failed_iteration() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {
            **MAP["States"],
            "Fan": {**MAP["States"]["Fan"], "ToleratedFailureCount": 1, "MaxConcurrency": 1},
        },
    }
    run = Driver(definition, flaky({"Work[0]", "Work[2]"})).start({"items": [0, 1, 2, 3]})
    first = run.run()
    assert first.status == "FAILED"
    assert first.error == "States.ExceedToleratedFailureThreshold"
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert again.output == [0, 10, 20, 30]
    assert [run.calls[f"Work[{i}]"] for i in range(4)] == [2, 1, 2, 1]


def test_a_map_with_concurrency_limit_keeps_order_and_starts_the_unstarted_items() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {"Fan": {**MAP["States"]["Fan"], "MaxConcurrency": 2}},
    }
    run = Driver(definition, flaky({"Work[2]"})).start({"items": list(range(6))})
    assert run.run().status == "FAILED"
    assert run.calls["Work[5]"] == 0  # never started in the first attempt
    again = run.redrive()
    assert again.output == [i * 10 for i in range(6)]
    assert run.calls["Work[0]"] == 1 and run.calls["Work[1]"] == 1
    assert run.calls["Work[2]"] == 2 and run.calls["Work[5]"] == 1


PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": _task({"End": True})}},
                {
                    "StartAt": "RightFirst",
                    "States": {
                        "RightFirst": _task({"Next": "RightSecond"}),
                        "RightSecond": _task({"End": True}),
                    },
                },
            ],
            "End": True,
        }
    },
}


def test_a_parallel_reruns_the_failed_branch_from_its_failed_state() -> None:
    run = Driver(PARALLEL, flaky({"RightSecond"})).start({"k": 1})
    assert run.run().status == "FAILED"
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert run.calls == Counter({"Left": 1, "RightFirst": 1, "RightSecond": 2})
    assert again.output[0] == {"from": "Left", "seen": {"k": 1}}
    # RightSecond gets RightFirst's output again, as in the first attempt.
    assert again.output[1]["seen"]["from"] == "RightFirst"


def test_an_aborted_branch_of_a_failed_parallel_runs_again_from_where_it_was() -> None:
    run = Driver(PARALLEL, flaky({"Left"})).start()
    # Left fails while RightFirst is still running: the Parallel aborts the right branch.
    assert run.run().status == "FAILED"
    assert "TaskStateAborted" in run.types()
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert run.calls == Counter({"Left": 2, "RightFirst": 2, "RightSecond": 1})


def test_a_map_inside_a_parallel_inside_a_map_reruns_only_the_failed_leaf() -> None:
    definition = {
        "StartAt": "Outer",
        "States": {
            "Outer": {
                "Type": "Map",
                "ItemsPath": "$.groups",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Split",
                    "States": {
                        "Split": {
                            "Type": "Parallel",
                            "Branches": [
                                {
                                    "StartAt": "Inner",
                                    "States": {
                                        "Inner": {
                                            **MAP["States"]["Fan"],
                                            "ItemsPath": "$",
                                            "MaxConcurrency": 1,
                                        }
                                    },
                                }
                            ],
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    run = Driver(definition, flaky({"Work[4]"})).start({"groups": [[1, 2], [3, 4, 5]]})
    assert run.run().status == "FAILED"
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert again.output == [[[10, 20]], [[30, 40, 50]]]
    assert {k: v for k, v in run.calls.items() if v > 1} == {"Work[4]": 2}
    assert run.calls["Work[5]"] == 1


def test_a_stopped_execution_redrives_the_states_it_was_in() -> None:
    definition = {
        "StartAt": "Load",
        "States": {
            "Load": _task({"Next": "Pause"}, ResultPath="$.load"),
            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Publish"},
            "Publish": _task({"End": True}, ResultPath="$.publish"),
        },
    }
    run = Driver(definition, flaky(set())).start()
    run.run(until_tasks=1)
    run.step(StopExecution("Ops", "paused by hand"))
    assert run.state is not None and run.state.status == "ABORTED"
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert run.entered() == ["Load", "Pause", "Pause", "Publish"]
    assert run.calls == Counter({"Load": 1, "Publish": 1})


def test_a_timed_out_execution_redrives_with_a_fresh_execution_timeout() -> None:
    definition = {**LINEAR, "TimeoutSeconds": 10}

    def slow(state: str, params: Any) -> Any:
        if state == "Load" and not answered:
            answered.append(1)
            run.now += timedelta(seconds=30)
            run.step(TimerFired("#execution-timeout"))  # the deadline passed meanwhile
        return {"ok": state}

    answered: list[int] = []
    run = Driver(definition, slow).start()
    assert run.run().status == "TIMED_OUT"
    again = run.redrive()
    assert again.status == "SUCCEEDED"
    assert run.entered().count("Load") == 2
    assert run.types()[-1] == "ExecutionSucceeded"


def test_variables_assigned_before_the_failure_are_there_after_a_redrive() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Remember",
        "States": {
            "Remember": {
                "Type": "Pass",
                "Assign": {"batch": "{% 'b-' & $states.input.n %}"},
                "Next": "Load",
            },
            "Load": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {"batch": "{% $batch %}"},
                "Output": "{% $states.result %}",
                "End": True,
            },
        },
    }
    run = Driver(definition, flaky({"Load"})).start({"n": 7})
    assert run.run().status == "FAILED"
    assert run.redrive().output == {"from": "Load", "seen": {"batch": "b-7"}}


def test_a_caught_failure_is_not_run_again() -> None:
    definition = {
        "StartAt": "Try",
        "States": {
            "Try": _task({"Next": "Load"}, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Load"}]),
            "Load": _task({"End": True}),
        },
    }
    run = Driver(definition, flaky({"Try", "Load"})).start()
    assert run.run().status == "FAILED"
    assert run.redrive().status == "SUCCEEDED"
    assert run.calls == Counter({"Try": 1, "Load": 2})


@pytest.mark.parametrize("finish", ["SUCCEEDED", "RUNNING"])
def test_only_an_unsuccessful_execution_can_be_redriven(finish: str) -> None:
    run = Driver(LINEAR, flaky(set())).start()
    if finish == "SUCCEEDED":
        run.run()
    state = run.state
    assert state is not None and state.status == finish
    step = advance(run.machine, state, Redrive(), T0, random.Random(0))
    assert step.events == () and step.commands == ()
    assert step.state is state


def test_a_fail_state_fails_again() -> None:
    definition = {
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "Error": "Bad", "Cause": "no"}},
    }
    run = Driver(definition, flaky(set())).start()
    assert run.run().status == "FAILED"
    again = run.redrive()
    assert (again.status, again.error) == ("FAILED", "Bad")
    assert run.types()[-3:] == ["ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]


def test_a_succeeded_execution_keeps_no_redrive_notes() -> None:
    definition = {
        "StartAt": "Fan",
        "States": {"Fan": {**MAP["States"]["Fan"], "ToleratedFailureCount": 5}},
    }
    run = Driver(definition, flaky({"Work[1]"})).start({"items": [0, 1, 2]})
    done = run.run()
    assert done.status == "SUCCEEDED"
    assert done.output == [0, None, 20]
    assert done.halted == {}
