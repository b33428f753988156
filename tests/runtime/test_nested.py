"""Nested executions: states:startExecution request-response, .sync and .sync:2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.stepfunctions import StepFunctions
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 9, 10, 11, 12, 13, tzinfo=UTC)
CHILD = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
            "End": True,
        }
    },
}


def parent(resource: str) -> dict[str, Any]:
    return {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": {
                    "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                    "Input": {"n.$": "$.n"},
                },
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }


def work(event: Any, context: Any) -> Any:
    if event["n"] < 0:
        raise ValueError("negative")
    return {"double": event["n"] * 2}


@pytest.fixture
def env(store_url: str) -> tuple[Service, Worker]:
    service = Service(open_store(store_url), ManualClock(T0))
    service.create_state_machine("child", json.dumps(CHILD))
    for suffix, resource in [("rr", ""), ("sync", ".sync"), ("sync2", ".sync:2")]:
        definition = parent(f"arn:aws:states:::states:startExecution{resource}")
        service.create_state_machine(f"parent-{suffix}", json.dumps(definition))
    registry = Registry([LambdaFunctions({"work": work}), StepFunctions(service)])
    return service, Worker(service, registry, "w")


def run(service: Service, worker: Worker, machine: str, n: int) -> Any:
    record = service.start_execution(machine, json.dumps({"n": n}), f"{machine}-{n}")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    return json.loads(done.output or "null"), record.arn


def test_sync2_returns_the_childs_output_as_json(env: Any) -> None:
    service, worker = env
    output, arn = run(service, worker, "parent-sync2", 4)
    assert output["Status"] == "SUCCEEDED"
    assert output["Output"] == {"double": 8}
    assert output["Input"] == {"n": 4}
    child = service.describe_execution(output["ExecutionArn"])
    assert child.status == "SUCCEEDED"
    types = [e.type for e in service.history(arn)]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_sync_returns_the_childs_output_as_text(env: Any) -> None:
    service, worker = env
    output, _ = run(service, worker, "parent-sync", 5)
    assert output["Output"] == json.dumps({"double": 10})
    assert output["Input"] == json.dumps({"n": 5})


def test_a_failed_child_fails_the_task_with_states_task_failed(env: Any) -> None:
    service, worker = env
    output, _ = run(service, worker, "parent-sync2", -1)
    assert output["Error"] == "States.TaskFailed"
    cause = json.loads(output["Cause"])
    assert (cause["Status"], cause["Error"]) == ("FAILED", "ValueError")


def test_request_response_returns_once_the_child_started(env: Any) -> None:
    service, worker = env
    output, _ = run(service, worker, "parent-rr", 3)
    assert set(output) == {"ExecutionArn", "StartDate"}
    assert service.describe_execution(output["ExecutionArn"]).status == "SUCCEEDED"


SLOW_CHILD = {
    "StartAt": "Sleep",
    "States": {"Sleep": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


def _slow_parent(timeout: int | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:slow",
            "Input": {},
        },
        "End": True,
    }
    if timeout is not None:
        task["TimeoutSeconds"] = timeout
    return {"StartAt": "Child", "States": {"Child": task}}


def _child_of(service: Service, parent_arn: str) -> str:
    submitted = [e for e in service.history(parent_arn) if e.type == "TaskSubmitted"]
    assert len(submitted) == 1
    output = json.loads(json.loads(submitted[0].details or "{}")["output"])
    return str(output["ExecutionArn"])


def test_stopping_the_parent_stops_its_sync_child(env: Any) -> None:
    service, worker = env
    service.create_state_machine("slow", json.dumps(SLOW_CHILD))
    service.create_state_machine("waits", json.dumps(_slow_parent()))
    record = service.start_execution("waits", "{}", "p1")
    worker.run_until_idle()
    child = _child_of(service, record.arn)
    assert service.describe_execution(child).status == "RUNNING"

    service.stop_execution(record.arn, "Ops", "no longer needed")
    worker.run_until_idle()
    stopped = service.describe_execution(child)
    assert stopped.status == "ABORTED"
    assert stopped.cause == f"Stopped because the parent task ended: {record.arn}"
    assert service.describe_execution(record.arn).status == "ABORTED"


def test_a_timed_out_sync_task_stops_its_child(env: Any) -> None:
    service, worker = env
    clock = service.clock
    service.create_state_machine("slow", json.dumps(SLOW_CHILD))
    service.create_state_machine("impatient", json.dumps(_slow_parent(timeout=60)))
    record = service.start_execution("impatient", "{}", "p2")
    worker.run_until_idle()
    child = _child_of(service, record.arn)
    clock.advance(61)
    worker.run_until_idle()
    parent_record = service.describe_execution(record.arn)
    assert (parent_record.status, parent_record.error) == ("FAILED", "States.Timeout")
    assert service.describe_execution(child).status == "ABORTED"


def test_a_request_response_child_is_not_stopped_with_its_parent(env: Any) -> None:
    service, worker = env
    service.create_state_machine("slow", json.dumps(SLOW_CHILD))
    definition = _slow_parent()
    definition["States"]["Child"]["Resource"] = "arn:aws:states:::states:startExecution"
    definition["States"]["Child"]["Next"] = "Hold"
    del definition["States"]["Child"]["End"]
    definition["States"]["Hold"] = {"Type": "Wait", "Seconds": 3600, "End": True}
    service.create_state_machine("fire-and-forget", json.dumps(definition))
    record = service.start_execution("fire-and-forget", "{}", "p3")
    worker.run_until_idle()
    started = [e for e in service.history(record.arn) if e.type == "TaskSucceeded"]
    child = json.loads(json.loads(started[0].details or "{}")["output"])["ExecutionArn"]
    service.stop_execution(record.arn)
    worker.run_until_idle()
    assert service.describe_execution(child).status == "RUNNING"
