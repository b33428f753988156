"""Map Runs in the pure engine: UpdateMapRun changes a running Distributed Map's
concurrency and failure tolerance at once, and an ended Map Run's counts and settings stay
in the execution's state (``engine.map_runs.progress``).

The driver answers nothing by itself: each test completes the items' Lambda tasks when it
wants, and every state goes through the codec between steps, as it does in a store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine_run import EngineRun

from stepline.asl import errors
from stepline.engine.interpreter import EXECUTION_TIMEOUT_TOKEN
from stepline.engine.map_runs import progress
from stepline.engine.records import (
    CancelTask,
    MapRunProgress,
    Redrive,
    Step,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
    UpdateMapRun,
)

FN = "arn:aws:lambda:us-east-1:123456789012:function:item"


def machine(max_concurrency: int = 1, **fan: Any) -> dict[str, Any]:
    """A Distributed Map over ``$.items``: each item is a Lambda task, except an item
    ``"fail"`` (a Fail state at once) and ``"pass"`` (done at once)."""
    return {
        "StartAt": "Fan",
        "TimeoutSeconds": 3600,
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Kind",
                    "States": {
                        "Kind": {
                            "Type": "Choice",
                            "Choices": [
                                {"Variable": "$", "StringEquals": "fail", "Next": "Broken"},
                                {"Variable": "$", "StringEquals": "pass", "Next": "Quick"},
                            ],
                            "Default": "Work",
                        },
                        "Work": {"Type": "Task", "Resource": FN, "End": True},
                        "Quick": {"Type": "Pass", "End": True},
                        "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "bad item"},
                    },
                },
                **fan,
                "End": True,
            }
        },
    }


class Run(EngineRun):
    def __init__(self, definition: dict[str, Any], items: list[Any]) -> None:
        super().__init__(definition, {"items": items})
        started = [e for e in self.events if e.type == "MapRunStarted"]
        self.arn: str = started[0].details["mapRunArn"] if started else ""

    def items_running(self) -> list[Any]:
        return [task.parameters for task in self.tasks.values()]

    def finish(self, item: Any, fail: bool = False) -> Step:
        token = next(t for t, task in self.tasks.items() if task.parameters == item)
        del self.tasks[token]
        if fail:
            return self.send(TaskFailed(token, "Item.Failed", f"item {item} failed"))
        return self.send(TaskSucceeded(token, {"done": item}))

    def update(self, **settings: Any) -> Step:
        self.now += timedelta(seconds=1)
        return self.send(UpdateMapRun(self.arn, **settings))

    def progress(self) -> MapRunProgress:
        assert self.state is not None
        found = progress(self.state, self.arn)
        assert found is not None
        return found


def test_a_higher_max_concurrency_starts_more_items_at_once() -> None:
    run = Run(machine(max_concurrency=1), [1, 2, 3, 4])
    assert run.items_running() == [1]
    before = run.progress()
    assert (before.running, before.pending, before.max_concurrency) == (1, 3, 1)

    step = run.update(max_concurrency=3)
    assert run.items_running() == [1, 2, 3]
    assert step.events == ()  # a Distributed Map's children leave no parent history
    after = run.progress()
    assert (after.status, after.running, after.pending, after.max_concurrency) == (
        "RUNNING",
        3,
        1,
        3,
    )

    run.finish(2)
    assert run.items_running() == [1, 3, 4]  # the new limit holds as items end
    for item in (1, 3, 4):
        run.finish(item)
    assert run.state is not None and run.state.status == "SUCCEEDED"
    assert run.state.output == [{"done": i} for i in (1, 2, 3, 4)]
    assert run.types()[-4:] == [
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_max_concurrency_zero_lifts_the_limit() -> None:
    run = Run(machine(max_concurrency=2), list(range(6)))
    assert run.items_running() == [0, 1]
    run.update(max_concurrency=0)
    assert run.items_running() == list(range(6))
    assert run.progress().pending == 0


def test_a_lower_max_concurrency_starts_nothing_until_enough_items_ended() -> None:
    run = Run(machine(max_concurrency=3), [1, 2, 3, 4, 5])
    run.update(max_concurrency=1)
    assert run.items_running() == [1, 2, 3]
    run.finish(1)
    run.finish(2)
    assert run.items_running() == [3]  # 1 running: the new limit
    run.finish(3)
    assert run.items_running() == [4]
    counts = run.progress()
    assert (counts.succeeded, counts.running, counts.pending) == (3, 1, 1)


def test_a_tolerance_given_to_a_running_map_run_lets_items_fail() -> None:
    run = Run(machine(max_concurrency=0), [1, 2, 3, 4])
    run.update(tolerated_count=1)
    assert run.progress().tolerated_count == 1
    run.finish(1, fail=True)  # tolerated now
    assert run.state is not None and run.state.status == "RUNNING"
    assert run.progress().failed == 1
    step = run.finish(2, fail=True)  # the second one is over the threshold
    assert run.state.status == "FAILED"
    assert (run.state.error, run.state.cause) == (
        errors.EXCEED_TOLERATED_FAILURE_THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    )
    # AWS: no MapIterationAborted for the items still running: they are no parent events.
    assert [e.type for e in step.events] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    ended = run.progress()
    assert (ended.status, ended.stopped) == ("FAILED", run.now)
    assert (ended.failed, ended.aborted, ended.succeeded, ended.running) == (2, 2, 0, 0)


def test_a_percentage_tolerance_can_be_raised_while_it_runs() -> None:
    run = Run(machine(max_concurrency=0, ToleratedFailurePercentage=25), [1, 2, 3, 4])
    run.update(tolerated_percentage=50.0)
    run.finish(1, fail=True)
    run.finish(2, fail=True)  # 50 %: not over the new threshold
    run.finish(3)
    run.finish(4)
    assert run.state is not None and run.state.status == "SUCCEEDED"
    ended = run.progress()
    assert (ended.status, ended.succeeded, ended.failed, ended.total) == ("SUCCEEDED", 2, 2, 4)
    assert (ended.tolerated_percentage, ended.tolerated_count) == (50.0, None)


def test_items_started_by_an_update_that_fail_at_once_fail_the_map_run_in_that_step() -> None:
    run = Run(machine(max_concurrency=1), [1, "fail"])
    step = run.update(max_concurrency=2)
    assert run.state is not None and run.state.status == "FAILED"
    assert [e.type for e in step.events] == [
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert run.state.error == "Item.Broken"
    assert any(isinstance(c, CancelTask) for c in step.commands)  # item 1's task
    ended = run.progress()
    assert (ended.status, ended.failed, ended.aborted, ended.max_concurrency) == (
        "FAILED",
        1,
        1,
        2,
    )


def test_updating_a_map_run_that_is_not_running_changes_nothing() -> None:
    run = Run(machine(max_concurrency=1), ["pass", 1])
    run.finish(1)
    assert run.state is not None and run.state.status == "SUCCEEDED"
    before = run.state
    step = run.update(max_concurrency=5)
    assert (step.events, step.commands) == ((), ())
    assert step.state == before
    other = Run(machine(max_concurrency=1), [1, 2])
    step = other.send(UpdateMapRun(other.arn + "0", max_concurrency=5))  # no such Map Run
    assert (step.events, step.commands, other.items_running()) == ((), (), [1])


def test_a_stopped_execution_aborts_its_map_run_and_a_redrive_runs_it_again() -> None:
    run = Run(machine(max_concurrency=2), [1, "pass", 2, 3])
    run.finish(1)  # "pass" is done at once; 2 and 3 start
    assert run.items_running() == [2, 3]
    run.now += timedelta(seconds=5)
    run.send(StopExecution("Ops.Stop", "maintenance"))
    ended = run.progress()
    assert (ended.status, ended.stopped) == ("ABORTED", run.now)
    assert (ended.succeeded, ended.aborted, ended.pending, ended.running) == (2, 2, 0, 0)

    run.now += timedelta(seconds=5)
    run.send(Redrive())
    assert "MapRunRedriven" in run.types()
    again = run.progress()
    assert (again.status, again.stopped, again.running, again.succeeded) == (
        "RUNNING",
        None,
        2,
        2,
    )
    assert run.state is not None and run.arn not in run.state.map_runs_ended
    run.finish(2)
    run.finish(3)
    assert run.state.status == "SUCCEEDED"
    assert run.progress().succeeded == 4


def test_a_timed_out_execution_fails_its_map_run() -> None:
    run = Run(machine(max_concurrency=1), [1, 2])
    run.now += timedelta(hours=1)
    run.send(TimerFired(EXECUTION_TIMEOUT_TOKEN))
    assert run.state is not None and run.state.status == "TIMED_OUT"
    ended = run.progress()
    assert (ended.status, ended.aborted, ended.pending) == ("FAILED", 1, 1)


def test_a_map_run_in_a_failed_parallel_branch_is_aborted() -> None:
    fan = machine(max_concurrency=1)["States"]["Fan"]
    fan.pop("End")
    fan["End"] = True
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fan", "States": {"Fan": fan}},
                    {
                        "StartAt": "Later",
                        "States": {"Later": {"Type": "Task", "Resource": FN + "2", "End": True}},
                    },
                ],
                "End": True,
            }
        },
    }
    run = Run(definition, [1, 2])
    token = next(t for t, task in run.tasks.items() if task.resource == FN + "2")
    run.send(TaskFailed(token, "Branch.Failed", None))
    assert run.state is not None and run.state.status == "FAILED"
    ended = run.progress()
    assert (ended.status, ended.aborted, ended.pending) == ("ABORTED", 1, 1)


def test_an_inner_distributed_map_leaves_no_map_run_in_the_parent() -> None:
    inner = machine(max_concurrency=0)["States"]["Fan"]
    inner["ItemsPath"] = "$.inner"
    definition = {
        "StartAt": "Outer",
        "States": {
            "Outer": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Fan",
                    "States": {"Fan": inner},
                },
                "End": True,
            }
        },
    }
    run = Run(definition, [{"inner": ["pass"]}, {"inner": ["pass", "pass"]}])
    assert run.state is not None and run.state.status == "SUCCEEDED"
    assert run.types().count("MapRunStarted") == 1  # the outer one
    assert list(run.state.map_runs_ended) == [run.arn]
    assert run.progress().succeeded == 2
