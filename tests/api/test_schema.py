"""The botocore service model as the source of truth: every operation of this slice is
routed, the others answer UnknownOperationException, and answers fit the model's shapes
(every boto3 call in these tests is checked by ``sfn_model.check_response`` too)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sfn_client import Server, client, raw_post, wait_for_end
from sfn_model import MODEL, check_answer, problems

from stepline.api.dispatch import sfn_operations

SLICE = frozenset(
    {
        "CreateStateMachine",
        "DescribeStateMachine",
        "ListStateMachines",
        "UpdateStateMachine",
        "DescribeStateMachineForExecution",
        "StartExecution",
        "DescribeExecution",
        "ListExecutions",
        "GetExecutionHistory",
        "StopExecution",
        "RedriveExecution",
        "SendTaskSuccess",
        "SendTaskFailure",
        "SendTaskHeartbeat",
        "CreateActivity",
        "DescribeActivity",
        "ListActivities",
        "DeleteActivity",
        "GetActivityTask",
        "PublishStateMachineVersion",
        "ListStateMachineVersions",
        "DeleteStateMachineVersion",
        "CreateStateMachineAlias",
        "UpdateStateMachineAlias",
        "DescribeStateMachineAlias",
        "ListStateMachineAliases",
        "DeleteStateMachineAlias",
        "ValidateStateMachineDefinition",
        "DeleteStateMachine",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
        "TestState",
        "StartSyncExecution",
        "DescribeMapRun",
        "ListMapRuns",
        "UpdateMapRun",
    }
)


def test_the_routing_table_is_this_slice_of_the_model() -> None:
    routed = set(sfn_operations())
    assert routed == SLICE
    assert routed <= set(MODEL.operation_names)


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_every_model_operation_is_answered_in_shape(server: Server, operation: str) -> None:
    """An empty request to each operation: routed ones answer per the model (a
    ValidationException naming the first required member, or a result); the rest say
    UnknownOperationException, never a 500."""
    answer = raw_post(server.url, b"{}", f"AWSStepFunctions.{operation}")
    model = MODEL.operation_model(operation)
    if operation not in SLICE:
        assert (answer.status, answer.body["__type"]) == (400, "UnknownOperationException")
        return
    assert answer.status in (200, 400), answer.body
    check_answer(model, answer.status, answer.body)
    required = model.input_shape.required_members if model.input_shape else []
    if required:
        assert answer.body["__type"] == "ValidationException"
        assert f"Value null at '{required[0]}'" in answer.body["message"]


def test_the_response_checker_catches_shape_errors() -> None:
    describe = MODEL.operation_model("DescribeExecution")
    output = describe.output_shape
    good = {
        "executionArn": "a",
        "stateMachineArn": "b",
        "status": "RUNNING",
        "startDate": 1.5,
        "inputDetails": {"included": True},
    }
    assert problems(output, good) == []
    assert problems(output, {**good, "surprise": 1}) == [".surprise: unknown member"]
    assert problems(output, {k: v for k, v in good.items() if k != "status"}) == [
        ".status: required member missing"
    ]
    assert problems(output, {**good, "status": "DONE"})
    assert problems(output, {**good, "startDate": "yesterday"})
    assert problems(output, {**good, "inputDetails": {"included": "yes"}})
    with pytest.raises(AssertionError):
        check_answer(describe, 400, {"__type": "NotAnError", "message": "x"})
    with pytest.raises(AssertionError):
        check_answer(describe, 500, {"__type": "InternalFailure", "message": "x"})


def test_every_boto3_call_is_checked(server: Server) -> None:
    sfn = client(server.url)
    seen: list[str] = []
    sfn.meta.events.register("after-call.sfn.*", lambda model, **_: seen.append(model.name))
    sfn.list_state_machines()
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn="nope")
    assert seen == ["ListStateMachines", "DescribeExecution"]


def test_history_events_fit_the_model(server: Server) -> None:
    """The events of Map, Parallel, Task (retried, caught), Wait and Fail states, each
    checked field by field by the response checker."""
    sfn = client(server.url)
    fn = "arn:aws:lambda:us-east-1:123456789012:function"

    def branch(name: str) -> dict[str, Any]:
        return {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}

    definition: dict[str, Any] = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Iterator": branch("M"),
                "Next": "Both",
            },
            "Both": {"Type": "Parallel", "Branches": [branch("A"), branch("B")], "Next": "Try"},
            "Try": {
                "Type": "Task",
                "Resource": f"{fn}:boom",
                "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Breathe"}],
                "End": True,
            },
            "Breathe": {"Type": "Wait", "Seconds": 0, "Next": "Done"},
            "Done": {"Type": "Fail", "Error": "Failed", "Cause": "as planned"},
        },
    }
    created = sfn.create_state_machine(
        name=f"history-shapes-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/r",
    )
    started = sfn.start_execution(
        stateMachineArn=created["stateMachineArn"], input='{"items": [1, 2]}'
    )
    assert wait_for_end(sfn, started["executionArn"])["status"] == "FAILED"
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    types = {e["type"] for e in events}
    expected = {
        "MapStateStarted",
        "MapIterationSucceeded",
        "ParallelStateSucceeded",
        "LambdaFunctionScheduled",
        "LambdaFunctionFailed",
        "WaitStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    }
    assert expected <= types
