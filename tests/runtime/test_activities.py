"""Activities end to end on the durable backends: Service + Worker + GetActivityTask."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.activities import Activities, ActivityDoesNotExist, ActivityTask, InvalidArn
from stepline.integrations.base import Registry
from stepline.names import InvalidName
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service, TaskDoesNotExist
from stepline.store.open import open_store
from stepline.store.records import EventRecord

T0 = datetime(2026, 7, 8, 9, 10, 11, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:activity:"


@dataclass
class Env:
    service: Service
    activities: Activities
    clock: ManualClock
    worker: Worker

    def machine(self, name: str, task: dict[str, Any], **states: Any) -> None:
        """A machine whose first state is the Task ``task`` (ending, or Next as given)."""
        task = {"Type": "Task", **task}
        if "Next" not in task:
            task["End"] = True
        definition = {"StartAt": "Work", "States": {"Work": task, **states}}
        self.service.create_state_machine(name, json.dumps(definition))

    def take(self, activity: str = "approve", worker: str | None = "bob") -> ActivityTask:
        task = self.activities.get_activity_task(activity, worker, timeout=0)
        assert task is not None
        return task

    def events(self, arn: str) -> list[EventRecord]:
        return self.service.history(arn)

    def types(self, arn: str) -> list[str]:
        return [e.type for e in self.events(arn)]

    def details(self, arn: str, event_type: str) -> Any:
        found = [e for e in self.events(arn) if e.type == event_type]
        assert len(found) == 1, [e.type for e in self.events(arn)]
        return json.loads(found[0].details or "null")


@pytest.fixture
def env(durable_url: str) -> Iterator[Env]:
    clock = ManualClock(T0)
    store = open_store(durable_url)
    service = Service(store, clock)
    activities = Activities(service)
    activities.create_activity("approve")
    yield Env(service, activities, clock, Worker(service, Registry([]), "w"))
    store.close()


def test_a_worker_takes_the_task_and_its_success_ends_the_execution(env: Env) -> None:
    env.machine(
        "m",
        {"Resource": ARN + "approve", "Parameters": {"order.$": "$.order"}, "TimeoutSeconds": 60},
    )
    got: list[ActivityTask | None] = []
    poller = threading.Thread(
        target=lambda: got.append(env.activities.get_activity_task("approve", "bob", timeout=20))
    )
    poller.start()  # polling before any task exists: the long poll picks it up
    record = env.service.start_execution("m", '{"order": 7}', "o7")
    poller.join(timeout=30)
    assert got and got[0] is not None
    task = got[0]
    assert json.loads(task.input) == {"order": 7}
    env.worker.run_until_idle()  # workers never claim an activity task; nothing to do
    assert env.service.describe_execution(record.arn).status == "RUNNING"

    env.service.send_task_success(task.task_token, '{"approved": true}')
    done = env.service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == {"approved": True}
    events = env.events(record.arn)
    assert [(e.id, e.previous_event_id, e.type) for e in events] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "ActivityScheduled"),
        (4, 3, "ActivityStarted"),
        (5, 4, "ActivitySucceeded"),
        (6, 5, "TaskStateExited"),
        (7, 6, "ExecutionSucceeded"),
    ]
    assert env.details(record.arn, "ActivityScheduled") == {
        "resource": ARN + "approve",
        "input": '{"order":7}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 60,
    }
    assert env.details(record.arn, "ActivityStarted") == {"workerName": "bob"}
    assert env.details(record.arn, "ActivitySucceeded")["output"] == '{"approved":true}'
    with pytest.raises(TaskDoesNotExist):  # the task is over
        env.service.send_task_success(task.task_token, "{}")


def test_each_task_goes_to_one_worker_the_oldest_first(env: Env) -> None:
    env.machine("m", {"Resource": ARN + "approve", "Parameters": {"n.$": "$.n"}})
    runs = []
    for n in range(6):
        runs.append(env.service.start_execution("m", json.dumps({"n": n}), f"run-{n}"))
        env.clock.advance(1)
    first = env.take(worker=None)
    assert json.loads(first.input) == {"n": 0}
    assert env.details(runs[0].arn, "ActivityStarted") == {}  # AWS: no workerName, empty
    got: list[ActivityTask] = []
    lock = threading.Lock()

    def poller() -> None:
        while task := env.activities.get_activity_task("approve", "p", timeout=0):
            with lock:
                got.append(task)

    threads = [threading.Thread(target=poller) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(json.loads(t.input)["n"] for t in got) == [1, 2, 3, 4, 5]
    assert len({t.task_token for t in got}) == 5
    for record in runs:
        assert env.types(record.arn).count("ActivityStarted") == 1


def test_send_task_failure_takes_the_catch_path(env: Env) -> None:
    env.machine(
        "m",
        {
            "Resource": ARN + "approve",
            "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.why", "Next": "Handled"}],
        },
        Handled={"Type": "Pass", "End": True},
    )
    record = env.service.start_execution("m", '{"order": 8}', "o8")
    env.service.send_task_failure(env.take().task_token, "Rejected", "out of stock")
    done = env.service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == {
        "order": 8,
        "why": {"Error": "Rejected", "Cause": "out of stock"},
    }
    assert env.types(record.arn)[2:6] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityFailed",
        "TaskStateExited",
    ]
    assert env.details(record.arn, "ActivityFailed") == {
        "error": "Rejected",
        "cause": "out of stock",
    }


def test_missed_heartbeats_time_the_task_out(env: Env) -> None:
    env.machine("m", {"Resource": ARN + "approve", "HeartbeatSeconds": 10, "TimeoutSeconds": 1000})
    record = env.service.start_execution("m", "{}", "hb")
    # The heartbeat clock starts when a worker takes the task, not while it waits for one.
    env.clock.advance(50)
    env.worker.run_until_idle()
    assert env.service.describe_execution(record.arn).status == "RUNNING"
    task = env.take()
    for _ in range(3):
        env.clock.advance(8)
        env.service.send_task_heartbeat(task.task_token)
        env.worker.run_until_idle()
        assert env.service.describe_execution(record.arn).status == "RUNNING"
    env.clock.advance(11)
    env.worker.run_until_idle()
    done = env.service.describe_execution(record.arn)
    assert (done.status, done.error) == ("FAILED", "States.Timeout")
    assert env.types(record.arn)[-3:] == ["ActivityStarted", "ActivityTimedOut", "ExecutionFailed"]
    assert env.details(record.arn, "ActivityTimedOut") == {"error": "States.Timeout"}
    with pytest.raises(TaskDoesNotExist):
        env.service.send_task_heartbeat(task.task_token)


def test_timeout_counts_while_waiting_for_a_worker_and_retry_schedules_anew(env: Env) -> None:
    env.machine(
        "m",
        {
            "Resource": ARN + "approve",
            "TimeoutSeconds": 30,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1, "IntervalSeconds": 1}],
        },
    )
    record = env.service.start_execution("m", '{"try": 1}', "t")
    env.clock.advance(31)
    env.worker.run_until_idle()  # timed out: the retry waits 1 s
    assert env.activities.get_activity_task("approve", timeout=0) is None
    env.clock.advance(1)
    env.worker.run_until_idle()  # scheduled again
    task = env.take()
    assert json.loads(task.input) == {"try": 1}
    assert env.types(record.arn)[2:] == [
        "ActivityScheduled",
        "ActivityTimedOut",
        "ActivityScheduled",
        "ActivityStarted",
    ]
    env.service.send_task_success(task.task_token, '"ok"')
    assert env.service.describe_execution(record.arn).status == "SUCCEEDED"


def test_stopping_an_execution_removes_its_waiting_task(env: Env) -> None:
    env.machine("m", {"Resource": ARN + "approve", "Parameters": {"n.$": "$.n"}})
    stopped = env.service.start_execution("m", '{"n": 1}', "stopped")
    env.clock.advance(1)
    kept = env.service.start_execution("m", '{"n": 2}', "kept")
    env.service.stop_execution(stopped.arn, "Cancelled", "by the test")
    assert env.service.describe_execution(stopped.arn).status == "ABORTED"
    task = env.take()
    assert json.loads(task.input) == {"n": 2}  # not the stopped execution's older task
    assert env.activities.get_activity_task("approve", timeout=0) is None
    env.service.stop_execution(kept.arn)
    with pytest.raises(TaskDoesNotExist):  # a token of a task that ended with its execution
        env.service.send_task_success(task.task_token, "{}")


def test_an_unknown_activity_fails_the_state_with_states_runtime(env: Env) -> None:
    missing = ARN + "missing"
    env.machine(
        "m",
        {
            "Resource": missing,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        },
        Caught={"Type": "Pass", "End": True},
    )
    record = env.service.start_execution("m", "{}", "u")
    env.worker.run_until_idle()
    done = env.service.describe_execution(record.arn)
    # AWS (activities/test_activity_task_on_deleted recording): States.Runtime, which no
    # Catch handles, with this cause.
    assert (done.status, done.error) == ("FAILED", "States.Runtime")
    assert done.cause == (
        "An error occurred while executing the state 'Work' (entered at the event id #2). "
        f"The activity {missing} does not exist."
    )
    assert [(e.id, e.previous_event_id, e.type) for e in env.events(record.arn)] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "ActivityScheduled"),
        (4, 3, "ActivityScheduleFailed"),
        (5, 4, "ExecutionFailed"),
    ]
    assert env.details(record.arn, "ActivityScheduleFailed") == {
        "error": "States.Runtime",
        "cause": f"The activity {missing} does not exist.",
    }


def test_get_activity_task_on_a_missing_activity_is_refused(env: Env) -> None:
    with pytest.raises(ActivityDoesNotExist, match="activity:nope"):
        env.activities.get_activity_task("nope", timeout=0)
    with pytest.raises(ActivityDoesNotExist, match="activity:gone"):
        env.activities.create_activity("gone")
        env.activities.delete_activity("gone")
        env.activities.get_activity_task(ARN + "gone", timeout=0)
    with pytest.raises(InvalidArn, match="stateMachine"):
        env.activities.get_activity_task(
            "arn:aws:states:us-east-1:123456789012:stateMachine:m", timeout=0
        )
    with pytest.raises(ValueError, match="workerName"):
        env.activities.get_activity_task("approve", "x" * 81, timeout=0)


def test_the_long_poll_returns_nothing_after_its_timeout(env: Env) -> None:
    began = time.monotonic()
    assert env.activities.get_activity_task("approve", "bob", timeout=0.3) is None
    assert 0.3 <= time.monotonic() - began < 5


def test_activities_are_created_idempotently_listed_and_deleted(env: Env) -> None:
    first = env.activities.create_activity("billing")
    env.clock.advance(60)
    again = env.activities.create_activity("billing")
    assert again == first and again.arn == ARN + "billing" and again.created_at == T0
    assert env.activities.describe_activity("billing") == first
    assert env.activities.describe_activity(ARN + "billing") == first
    assert [a.name for a in env.activities.list_activities()] == ["approve", "billing"]
    assert env.activities.delete_activity("billing") is True
    assert env.activities.delete_activity("billing") is False
    with pytest.raises(ActivityDoesNotExist):
        env.activities.describe_activity("billing")
    for bad in ("", "a" * 81, "has space", "semi;colon", "tab\there"):
        with pytest.raises(InvalidName):
            env.activities.create_activity(bad)


def test_a_task_answered_before_any_worker_took_it_leaves_the_queue(env: Env) -> None:
    env.machine("m", {"Resource": ARN + "approve", "Parameters": {"token.$": "$$.Task.Token"}})
    record = env.service.start_execution("m", "{}", "early")
    token = json.loads(env.details(record.arn, "ActivityScheduled")["input"])["token"]
    env.service.send_task_success(token, '{"early": true}')
    assert env.service.describe_execution(record.arn).status == "SUCCEEDED"
    assert env.service.store.work_items(record.arn) == []  # type: ignore[attr-defined]
    assert env.activities.get_activity_task("approve", timeout=0) is None
    assert "ActivityStarted" not in env.types(record.arn)
