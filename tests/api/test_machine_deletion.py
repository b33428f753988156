"""DeleteStateMachine over the API: DELETING while executions run (each fails at its next
state transition; a waiting one holds the deletion until it is stopped), then gone with
its versions, aliases, tags and executions; what a DELETING machine refuses."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sfn_client import ROLE, pass_chain, wait_for_end

ACCOUNT_ARN = "arn:aws:states:us-east-1:123456789012"
ONE_PASS = pass_chain(1)


def gone(sfn: Any, arn: str, timeout: float = 15) -> None:
    """Wait until DescribeStateMachine says the machine does not exist."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            described = sfn.describe_state_machine(stateMachineArn=arn)
        except sfn.exceptions.StateMachineDoesNotExist:
            return
        assert described["status"] == "DELETING"
        assert time.monotonic() < deadline, f"{arn} still DELETING after {timeout} s"
        time.sleep(0.05)


def test_a_machine_without_running_executions_is_deleted_at_once(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(ONE_PASS, publish=True)
    run = sfn.start_execution(stateMachineArn=arn)
    wait_for_end(sfn, run["executionArn"])
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    assert (
        sfn.delete_state_machine(stateMachineArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=f"{arn}:1")  # its versions went with it
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)  # and its aliases
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=run["executionArn"])  # and its executions
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_executions(stateMachineArn=arn)
    listed = sfn.list_state_machines(maxResults=1000)["stateMachines"]
    assert arn not in [m["stateMachineArn"] for m in listed]
    sfn.delete_state_machine(stateMachineArn=arn)  # AWS: deleting it again succeeds
    sfn.delete_state_machine(stateMachineArn=f"{ACCOUNT_ARN}:stateMachine:never-was")


def test_the_name_is_free_again_once_deleted(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    name = unique("again")
    arn = make_machine(ONE_PASS, name=name)
    first = sfn.start_execution(stateMachineArn=arn, name="run-1")
    wait_for_end(sfn, first["executionArn"])
    sfn.delete_state_machine(stateMachineArn=arn)
    two = pass_chain(2)
    created = sfn.create_state_machine(name=name, definition=json.dumps(two), roleArn=ROLE)
    assert created["stateMachineArn"] == arn
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["status"], json.loads(described["definition"])) == ("ACTIVE", two)
    assert "revisionId" not in described  # a new machine, never updated
    again = sfn.start_execution(stateMachineArn=arn, name="run-1")  # the name is free too
    assert wait_for_end(sfn, again["executionArn"])["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=again["executionArn"])["events"]
    assert [e["type"] for e in events].count("PassStateEntered") == 2  # the new definition
    published = sfn.publish_state_machine_version(stateMachineArn=arn)
    assert published["stateMachineVersionArn"] == f"{arn}:1"


def test_running_executions_fail_at_their_next_transition_and_hold_the_deletion(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    activity = sfn.create_activity(name=unique("held"))["activityArn"]
    definition = {
        "StartAt": "Branch",
        "States": {
            "Branch": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.hold", "BooleanEquals": True, "Next": "Hold"}],
                "Default": "Breathe",
            },
            "Hold": {"Type": "Task", "Resource": activity, "End": True},
            "Breathe": {"Type": "Wait", "Seconds": 1, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    name = unique("deleting")
    arn = make_machine(definition, name=name, publish=True)
    held = sfn.start_execution(stateMachineArn=arn, input='{"hold": true}')["executionArn"]
    waiting = sfn.start_execution(stateMachineArn=arn, input='{"hold": false}')["executionArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["status"] == "DELETING"

    # The Wait ends: that transition fails the execution instead.
    ended = wait_for_end(sfn, waiting)
    assert (ended["status"], ended["error"]) == ("FAILED", "States.Runtime")
    assert ended["cause"] == f"State machine {name} has been deleted."
    assert ended["redriveStatus"] == "NOT_REDRIVABLE"
    events = sfn.get_execution_history(executionArn=waiting)["events"]
    assert [e["type"] for e in events][-2:] == ["WaitStateEntered", "ExecutionFailed"]
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=waiting)

    # The activity task waits for a worker: the machine stays DELETING until it is stopped.
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    assert sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["status"] == "DELETING"
    assert sfn.describe_execution(executionArn=held)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=held, error="Operator", cause="deleting")
    gone(sfn, arn)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=held)


def test_an_activity_workers_answer_is_the_transition_that_fails_the_execution(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    """Handing the task out is no state transition (the worker gets it); its answer is."""
    activity = sfn.create_activity(name=unique("late"))["activityArn"]
    step = {"Type": "Task", "Resource": activity, "End": True}
    arn = make_machine({"StartAt": "Approve", "States": {"Approve": step}})
    sfn.start_execution(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=arn)
    task: dict[str, Any] = {}
    for _ in range(20):
        task = sfn.get_activity_task(activityArn=activity, workerName="w")
        if task.get("taskToken"):
            break
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    gone(sfn, arn)


def test_a_deleting_machine_refuses_changes_and_new_executions(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    name = unique("refuses")
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    arn = make_machine(wait, name=name, publish=True)
    sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    )
    run = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    deleting = sfn.exceptions.StateMachineDeleting
    with pytest.raises(deleting, match="State Machine Is Being Deleted"):
        sfn.start_execution(stateMachineArn=arn)
    with pytest.raises(deleting):
        sfn.start_execution(stateMachineArn=f"{arn}:live")
    with pytest.raises(deleting):
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(ONE_PASS))
    with pytest.raises(deleting):
        sfn.publish_state_machine_version(stateMachineArn=arn)
    with pytest.raises(deleting):
        sfn.create_state_machine(name=name, definition=json.dumps(wait), roleArn=ROLE)
    with pytest.raises(deleting):
        sfn.update_state_machine_alias(stateMachineAliasArn=f"{arn}:live", description="x")
    with pytest.raises(deleting):
        sfn.create_state_machine_alias(
            name="other",
            routingConfiguration=[{"stateMachineVersionArn": f"{arn}:1", "weight": 100}],
        )
    with pytest.raises(deleting):
        sfn.list_state_machine_aliases(stateMachineArn=arn)
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]] == [
        run
    ]
    sfn.stop_execution(executionArn=run)
    gone(sfn, arn)


def test_qualified_and_invalid_arns(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(ONE_PASS, publish=True)
    for qualified in (f"{arn}:1", f"{arn}:live", f"{arn}/mapLabel"):
        with pytest.raises(sfn.exceptions.ValidationException, match="Not an unqualified"):
            sfn.delete_state_machine(stateMachineArn=qualified)
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "ACTIVE"
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine(stateMachineArn="not-an-arn")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine(stateMachineArn=f"{ACCOUNT_ARN}:activity:nope")
    with pytest.raises(sfn.exceptions.ValidationException, match="'stateMachineArn'"):
        sfn.delete_state_machine(stateMachineArn="arn:" + "x" * 300)
