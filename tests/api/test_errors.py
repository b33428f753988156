"""Every error code of this slice, raised by botocore as the client's exception class of
that code (so AWS's names, shapes and messages reach the caller)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sfn_client import ROLE, pass_chain, wait_for_end

from stepline.engine.tokens import task_token

ACCOUNT_ARN = "arn:aws:states:us-east-1:123456789012"
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}


def test_not_found_errors(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist, match="State Machine Does Not"):
        sfn.describe_state_machine(stateMachineArn=f"{ACCOUNT_ARN}:stateMachine:missing")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=f"{ACCOUNT_ARN}:stateMachine:missing")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_executions(stateMachineArn=f"{ACCOUNT_ARN}:stateMachine:missing")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist, match="Execution Does Not Exist"):
        sfn.describe_execution(executionArn=f"{ACCOUNT_ARN}:execution:missing:run")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.get_execution_history(executionArn=f"{ACCOUNT_ARN}:execution:missing:run")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_state_machine_for_execution(executionArn=f"{ACCOUNT_ARN}:execution:m:r")
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=f"{ACCOUNT_ARN}:activity:missing")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(
            stateMachineAliasArn=f"{ACCOUNT_ARN}:stateMachine:missing:live"
        )


def test_invalid_arn_and_name(sfn: Any, make_machine: Callable[..., str]) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn, match="Invalid Arn: 'not-an-arn'"):
        sfn.describe_state_machine(stateMachineArn="not-an-arn")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn=f"{ACCOUNT_ARN}:stateMachine:wrong-kind")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_activity(activityArn="approvals")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.create_state_machine(name="x", definition=json.dumps(pass_chain(1)), roleArn="role")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_state_machine(
            name="bad name", definition=json.dumps(pass_chain(1)), roleArn=ROLE
        )
    arn = make_machine(pass_chain(1))
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.start_execution(stateMachineArn=arn, name="a/b")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.create_activity(name="no*stars")


def test_definition_errors(sfn: Any, make_machine: Callable[..., str], unique: Any) -> None:
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name=unique("bad"), definition=json.dumps(broken), roleArn=ROLE)
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET")
    assert "/States/A/Next" in message
    arn = make_machine(pass_chain(1))
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.update_state_machine(stateMachineArn=arn, definition="{not json")
    name = arn.rsplit(":", 1)[1]
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists, match="Already Exists"):
        sfn.create_state_machine(name=name, definition=json.dumps(pass_chain(2)), roleArn=ROLE)
    with pytest.raises(sfn.exceptions.MissingRequiredParameter):
        sfn.update_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.ValidationException, match=r"\[STANDARD, EXPRESS\]"):
        sfn.create_state_machine(
            name=unique("express"),
            definition=json.dumps(pass_chain(1)),
            roleArn=ROLE,
            type="FAST",
        )


def test_execution_errors(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(WAIT)
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=arn, input="{not json")
    running = sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"other": 1}')
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="RUNNING"):
        sfn.redrive_execution(executionArn=running["executionArn"])
    sfn.stop_execution(executionArn=running["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):  # the name stays taken
        sfn.start_execution(stateMachineArn=arn, name="once", input="{}")
    quick = make_machine(pass_chain(1))
    done = sfn.start_execution(stateMachineArn=quick)
    wait_for_end(sfn, done["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable, match="SUCCEEDED"):
        sfn.redrive_execution(executionArn=done["executionArn"])
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_executions(stateMachineArn=quick, nextToken="bm90LWEtdG9rZW4")
    other = sfn.list_state_machines(maxResults=1)["nextToken"]
    with pytest.raises(sfn.exceptions.InvalidToken):  # a token of another listing
        sfn.get_execution_history(executionArn=done["executionArn"], nextToken=other)
    with pytest.raises(sfn.exceptions.ValidationException, match="StateMachine ARN or MapRun"):
        sfn.list_executions()


def test_task_token_errors(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="garbage!", output="{}")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_heartbeat(taskToken="garbage!")
    nobody = task_token(f"{ACCOUNT_ARN}:execution:missing:run", "#1")
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken=nobody, output="{}")
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_failure(taskToken=nobody, error="E")
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=nobody, output="{not json")


def test_version_and_alias_errors(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(pass_chain(1), publish=True)
    v1 = f"{arn}:1"
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.create_state_machine_alias(
            name="half", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 50}]
        )
    assert caught.value.response["Error"]["Message"].startswith("Sum of routing configuration")
    assert caught.value.response["reason"] == "INVALID_ROUTING_CONFIGURATION"
    sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )
    with pytest.raises(sfn.exceptions.ConflictException) as conflict:
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.create_state_machine_alias(
            name="live",
            description="another",
            routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}],
        )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.create_state_machine_alias(
            name="later",
            routingConfiguration=[{"stateMachineVersionArn": f"{arn}:9", "weight": 100}],
        )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(stateMachineArn=f"{arn}:nope")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=f"{arn}:7")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.publish_state_machine_version(stateMachineArn=arn, description="x" * 300)
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId="not-the-current-one")
