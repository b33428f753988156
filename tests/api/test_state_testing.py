"""TestState over the API: one state run once, its data flow shown; Task states with a mock
or through the server's integrations (the Lambda handlers of sfn_client.HANDLERS).

botocore sends TestState to the host ``sync-<endpoint host>`` (the model's hostPrefix, as
for StartSyncExecution): a client of a local endpoint needs ``inject_host_prefix=False``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sfn_client import FN, ROLE, Server, client
from sfn_model import MODEL, check_answer

from stepline.activities import Activities
from stepline.api.dispatch import SfnApi
from stepline.api.operation import Context
from stepline.runtime.clock import RealClock
from stepline.service import Service
from stepline.store.memory import MemoryStore


def state(**fields: Any) -> str:
    return json.dumps(fields)


@pytest.fixture
def sfn(server: Server) -> Any:
    return client(server.url, inject_host_prefix=False)


def test_a_pass_state_shows_its_data_flow(sfn: Any) -> None:
    answer = sfn.test_state(
        definition=state(
            Type="Pass", Parameters={"doubled.$": "$.n"}, ResultPath="$.out", End=True
        ),
        input='{"n": 21}',
        inspectionLevel="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"n": 21, "out": {"doubled": 21}}
    data = answer["inspectionData"]
    assert data["input"] == '{"n": 21}'  # the caller's own text, as AWS echoes it
    assert json.loads(data["afterParameters"]) == {"doubled": 21}
    assert json.loads(data["afterResultPath"]) == {"n": 21, "out": {"doubled": 21}}
    assert "nextState" not in answer


def test_info_shows_no_inspection_data_and_choice_names_the_next_state(sfn: Any) -> None:
    machine = {
        "StartAt": "Size",
        "States": {
            "Size": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        },
    }
    answer = sfn.test_state(definition=json.dumps(machine), stateName="Size", input='{"n": 11}')
    assert (answer["status"], answer["nextState"]) == ("SUCCEEDED", "Big")
    assert "inspectionData" not in answer
    failed = sfn.test_state(definition=state(Type="Fail", Error="E", Cause="C"))
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "E", "C")


def test_a_task_with_a_mocked_result_or_error(sfn: Any) -> None:
    task = state(
        Type="Task",
        Resource="arn:aws:states:::lambda:invoke",
        Retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 2, "IntervalSeconds": 3}],
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": "$.err"}],
        Next="Done",
    )
    ok = sfn.test_state(definition=task, input="{}", mock={"result": '{"Payload": 7}'})
    assert (ok["status"], json.loads(ok["output"]), ok["nextState"]) == (
        "SUCCEEDED",
        {"Payload": 7},
        "Done",
    )
    retried = sfn.test_state(
        definition=task,
        inspectionLevel="DEBUG",
        mock={"errorOutput": {"error": "Flaky", "cause": "try again"}},
    )
    assert (retried["status"], retried["error"]) == ("RETRIABLE", "Flaky")
    details = retried["inspectionData"]["errorDetails"]
    assert details == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    caught = sfn.test_state(
        definition=task,
        input='{"a": 1}',
        mock={"errorOutput": {"error": "Flaky", "cause": "again"}},
        stateConfiguration={"retrierRetryCount": 2},
    )
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Recover")
    assert json.loads(caught["output"]) == {"a": 1, "err": {"Error": "Flaky", "Cause": "again"}}


def test_a_task_without_a_mock_runs_through_the_servers_integrations(sfn: Any) -> None:
    task = state(Type="Task", Resource=f"{FN}:double", End=True)
    answer = sfn.test_state(definition=task, roleArn=ROLE, input='{"value": 21}')
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"value": 42})
    boom = sfn.test_state(
        definition=state(Type="Task", Resource=f"{FN}:boom", End=True), roleArn=ROLE
    )
    assert (boom["status"], boom["error"]) == ("FAILED", "ValueError")
    assert "boom" in boom["cause"]
    unknown = sfn.test_state(
        definition=state(Type="Task", Resource=f"{FN}:nobody-has-it", End=True), roleArn=ROLE
    )
    assert unknown["status"] == "FAILED"


def test_validation_errors(sfn: Any) -> None:
    task = state(Type="Task", Resource=f"{FN}:double", End=True)
    with pytest.raises(sfn.exceptions.ValidationException, match="RoleArn must be specified"):
        sfn.test_state(definition=task)
    with pytest.raises(sfn.exceptions.ValidationException, match="is not supported when a mock"):
        sfn.test_state(definition=state(Type="Pass", End=True), mock={"result": "{}"})
    with pytest.raises(sfn.exceptions.ValidationException, match="only one of the following"):
        sfn.test_state(definition=task, mock={"result": "{}", "errorOutput": {"error": "E"}})
    with pytest.raises(sfn.exceptions.ValidationException, match="may only be specified when a"):
        sfn.test_state(definition=task, roleArn=ROLE, context="{}")
    with pytest.raises(sfn.exceptions.ValidationException, match="Invalid variables"):
        sfn.test_state(definition=state(Type="Pass", End=True), variables="[1]")


@pytest.mark.parametrize(
    ("request_", "member", "constraint"),
    [
        ({}, "definition", "Member must not be null"),
        ({"inspectionLevel": "LOUD"}, "inspectionLevel", "enum value set: [INFO, DEBUG, TRACE]"),
        ({"stateName": ""}, "stateName", "length greater than or equal to 1"),
        ({"input": "x" * 262_145}, "input", "length less than or equal to 262144"),
        ({"mock": {"fieldValidationMode": "LAX"}}, "mock.fieldValidationMode", "enum value set"),
        ({"mock": {"errorOutput": {"error": "e" * 257}}}, "mock.errorOutput.error", "256"),
        ({"stateConfiguration": {"retrierRetryCount": -1}}, "stateConfiguration.", "equal to 0"),
        ({"revealSecrets": "yes"}, "revealSecrets", "Member must be of type boolean"),
    ],
)
def test_bad_members_are_validation_exceptions_naming_them(
    server: Server, request_: dict[str, Any], member: str, constraint: str
) -> None:
    # botocore checks some members itself: switched off, the server's checks answer.
    sfn = client(server.url, parameter_validation=False, inject_host_prefix=False)
    body = {"definition": state(Type="Pass", End=True), **request_} if request_ else {}
    with pytest.raises(sfn.exceptions.ValidationException) as raised:
        sfn.test_state(**body)
    message = raised.value.response["Error"]["Message"]
    assert f"at '{member}" in message and constraint in message, message


def test_definition_input_and_arn_errors(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="Invalid State Machine Definition"):
        sfn.test_state(definition="{not json")
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.test_state(definition=state(Type="Nope"))
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="does not support Map or Parallel"):
        sfn.test_state(
            definition=state(
                Type="Parallel",
                Branches=[{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
                End=True,
            )
        )
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.test_state(definition=state(Type="Pass", End=True), input="{oops")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.test_state(definition=state(Type="Pass", End=True), roleArn="not-a-role")


def test_without_integrations_a_task_needs_a_mock() -> None:
    """An API whose Context has no registry (stepline embedded, not ``serve``): a Task
    without a mock is a ValidationException saying so; with a mock it runs."""
    service = Service(MemoryStore(), RealClock())
    api = SfnApi(Context(service, Activities(service)), threads=1, long_poll_threads=1)
    model = MODEL.operation_model("TestState")
    try:
        task = state(Type="Task", Resource=f"{FN}:double", End=True)
        body = json.dumps({"definition": task, "roleArn": ROLE}).encode()
        answer = api.handle("AWSStepFunctions.TestState", body)
        check_answer(model, answer.status, answer.body)
        assert (answer.status, answer.body["__type"]) == (400, "ValidationException")
        assert "No integration can invoke the resource" in answer.body["message"]
        assert "specify a mock" in answer.body["message"]
        mocked = json.dumps({"definition": task, "mock": {"result": '{"n": 1}'}}).encode()
        answer = api.handle("AWSStepFunctions.TestState", mocked)
        check_answer(model, answer.status, answer.body)
        assert (answer.status, answer.body["output"]) == (200, '{"n": 1}')
    finally:
        api.close()
