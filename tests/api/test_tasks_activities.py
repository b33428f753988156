"""Activities and task tokens over the API: a worker of our own polls GetActivityTask and
answers with SendTaskSuccess/Failure/Heartbeat."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sfn_client import wait_for_end


@pytest.fixture
def activity(sfn: Any, unique: Callable[[str], str]) -> str:
    created = sfn.create_activity(name=unique("approvals"))
    arn: str = created["activityArn"]
    return arn


def activity_machine(activity_arn: str, **task: Any) -> dict[str, Any]:
    step = {"Type": "Task", "Resource": activity_arn, "End": True, **task}
    return {"StartAt": "Approve", "States": {"Approve": step}}


def poll(sfn: Any, activity_arn: str, tries: int = 20) -> dict[str, Any]:
    for _ in range(tries):
        task: dict[str, Any] = sfn.get_activity_task(activityArn=activity_arn, workerName="tester")
        if task.get("taskToken"):
            return task
    raise AssertionError(f"no task for {activity_arn}")


def test_activity_lifecycle(sfn: Any, unique: Callable[[str], str]) -> None:
    name = unique("activity")
    created = sfn.create_activity(name=name)
    arn = created["activityArn"]
    assert arn == f"arn:aws:states:us-east-1:123456789012:activity:{name}"
    assert sfn.create_activity(name=name)["activityArn"] == arn  # idempotent
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["creationDate"]) == (name, created["creationDate"])
    listed = [a for p in sfn.get_paginator("list_activities").paginate() for a in p["activities"]]
    assert {"activityArn": arn, "name": name, "creationDate": created["creationDate"]} in listed
    one = sfn.list_activities(maxResults=1)
    assert len(one["activities"]) == 1
    empty = sfn.get_activity_task(activityArn=arn)  # the long poll (1 s here) ends empty
    assert "taskToken" not in empty
    sfn.delete_activity(activityArn=arn)
    sfn.delete_activity(activityArn=arn)  # AWS: deleting it again succeeds
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=arn)


def test_send_task_success_and_heartbeat(
    sfn: Any, make_machine: Callable[..., str], activity: str
) -> None:
    arn = make_machine(activity_machine(activity, HeartbeatSeconds=60))
    started = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')
    task = poll(sfn, activity)
    assert json.loads(task["input"]) == {"order": 7}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    done = wait_for_end(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True}
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    started_event = next(e for e in events if e["type"] == "ActivityStarted")
    assert started_event["activityStartedEventDetails"] == {"workerName": "tester"}
    # The task has ended: AWS answers TaskTimedOut "Provided task does not exist anymore".
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_heartbeat(taskToken=task["taskToken"])


def test_send_task_failure(sfn: Any, make_machine: Callable[..., str], activity: str) -> None:
    arn = make_machine(activity_machine(activity))
    started = sfn.start_execution(stateMachineArn=arn)
    task = poll(sfn, activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Rejected", cause="not today")
    done = wait_for_end(sfn, started["executionArn"])
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Rejected", "not today")
