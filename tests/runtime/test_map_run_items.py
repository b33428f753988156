"""Distributed Map items that wait for the outside world — a callback task, an activity
task — and their Map Run, through the service and a worker, on every store.

A Distributed Map's items record no history events, so a step of theirs can change the
state alone (a callback answered, an activity task handed out); such a step still counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.activities import Activities
from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.map_runs import MapRuns
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service, TaskDoesNotExist
from stepline.store.open import open_store

T0 = datetime(2026, 6, 7, 8, 9, 10, tzinfo=UTC)


def fan(item: dict[str, Any], max_concurrency: int) -> str:
    return json.dumps(
        {
            "StartAt": "Fan",
            "States": {
                "Fan": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": max_concurrency,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "Item",
                        "States": {"Item": {**item, "End": True}},
                    },
                    "End": True,
                }
            },
        }
    )


class Env:
    def __init__(self, url: str) -> None:
        self.tokens: list[str] = []
        self.service = Service(open_store(url), ManualClock(T0))

        def ask(event: Any, context: Any) -> Any:
            self.tokens.append(event["token"])
            return {}

        self.worker = Worker(self.service, Registry([LambdaFunctions({"ask": ask})]), "w1", 2)
        self.map_runs = MapRuns(self.service)

    def counts(self, execution_arn: str) -> tuple[str, int, int, int]:
        record = self.service.describe_execution(execution_arn)
        [run], _ = self.map_runs.of_execution(record, 10)
        found = self.map_runs.describe(run.arn)
        c = found.counts
        return found.status, c.running, c.succeeded, c.pending


@pytest.fixture
def env(store_url: str) -> Iterator[Env]:
    made = Env(store_url)
    yield made
    made.service.store.close()


def test_callbacks_answer_distributed_map_items(env: Env) -> None:
    item = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
    }
    env.service.create_state_machine("callbacks", fan(item, max_concurrency=2))
    record = env.service.start_execution("callbacks", json.dumps({"items": [1, 2, 3]}), "c1")
    env.worker.run_until_idle()
    assert len(env.tokens) == 2
    assert env.counts(record.arn) == ("RUNNING", 2, 0, 1)

    first = env.tokens[0]
    env.service.send_task_success(first, json.dumps({"item": 1}))
    with pytest.raises(TaskDoesNotExist):  # answered already
        env.service.send_task_success(first, "{}")
    env.worker.run_until_idle()  # the third item's task
    assert len(env.tokens) == 3
    assert env.counts(record.arn) == ("RUNNING", 2, 1, 0)
    # Item 3 ends, item 2 runs on: a step with no event and no command of its own.
    env.service.send_task_success(env.tokens[2], json.dumps({"item": 3}))
    assert env.counts(record.arn) == ("RUNNING", 1, 2, 0)
    env.service.send_task_failure(env.tokens[1], "Item.Failed", "no")
    done = env.service.describe_execution(record.arn)
    assert (done.status, done.error) == ("FAILED", "Item.Failed")
    assert env.counts(record.arn) == ("FAILED", 0, 2, 0)


def test_activity_tasks_of_distributed_map_items_are_handed_out(env: Env) -> None:
    activities = Activities(env.service)
    activity = activities.create_activity("items")
    item = {"Type": "Task", "Resource": activity.arn}
    env.service.create_state_machine("activities", fan(item, max_concurrency=1))
    record = env.service.start_execution("activities", json.dumps({"items": ["a", "b"]}), "a1")
    for expected in ("a", "b"):
        task = activities.get_activity_task("items", "tester", timeout=0)
        assert task is not None and json.loads(task.input) == expected
        assert activities.get_activity_task("items", "tester", timeout=0) is None  # handed out
        assert env.counts(record.arn)[:2] == ("RUNNING", 1)
        env.service.send_task_success(task.task_token, json.dumps({"done": expected}))
    done = env.service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "") == [{"done": "a"}, {"done": "b"}]
    assert env.counts(record.arn) == ("SUCCEEDED", 0, 2, 0)
