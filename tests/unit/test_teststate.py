"""TestState as a pure function: one state, its data flow, Retry/Catch and AWS's refusals.

Expected values marked "AWS docs" are the responses printed in the Step Functions developer
guide (test-state-isolation); "recorded" ones come from AWS recordings of TestState
(LocalStack's snapshot suite).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.asl.errors import DefinitionError, StatesError
from stepline.engine.teststate import (
    Mock,
    MockErrorOutput,
    StateConfig,
    TestStateError,
    TestStateResult,
    test_state,
)

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ROLE = "arn:aws:iam::123456789012:role/test"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def run(definition: Any, input_text: str | None = "{}", **kwargs: Any) -> TestStateResult:
    kwargs.setdefault("now", T0)
    kwargs.setdefault("rng", random.Random(7))
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return test_state(text, input_text, **kwargs)


def inspection(result: TestStateResult) -> dict[str, Any]:
    """inspectionData with its JSON-text members parsed."""
    assert result.inspection_data is not None
    parsed: dict[str, Any] = {}
    for key, value in result.inspection_data.items():
        parsed[key] = json.loads(value) if isinstance(value, str) else value
    return parsed


def refused(code: str, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(TestStateError) as caught:
        run(*args, **kwargs)
    assert caught.value.code == code
    return caught.value.message


def error_mock(error: str, cause: str | None = "it broke") -> Mock:
    return Mock(error_output=MockErrorOutput(error, cause))


# ---- Pass, Choice, Wait, Succeed, Fail ----------------------------------------------------


def test_pass_debug_shows_every_step_of_the_jsonpath_data_flow() -> None:
    # AWS docs, "Example 2: Using DEBUG inspectionLevel ... in a Pass state": same request,
    # same response (input echoed as sent, the computed steps as compact JSON).
    definition = {
        "Type": "Pass",
        "InputPath": "$.payload",
        "Parameters": {"data": 1},
        "ResultPath": "$.result",
        "OutputPath": "$.result.data",
        "Next": "Another State",
    }
    result = run(definition, '{"payload": {"foo": "bar"}}', inspection_level="DEBUG")
    assert result.to_dict() == {
        "output": "1",
        "inspectionData": {
            "input": '{"payload": {"foo": "bar"}}',
            "afterInputPath": '{"foo":"bar"}',
            "afterParameters": '{"data":1}',
            "afterResultSelector": '{"data":1}',
            "afterResultPath": '{"payload":{"foo":"bar"},"result":{"data":1}}',
        },
        "nextState": "Another State",
        "status": "SUCCEEDED",
    }


def test_pass_with_result_shows_the_result_not_the_input_path() -> None:
    # recorded (IO_RESULT_PASS_STATE): result and afterResultSelector, no afterInputPath.
    definition = {"Type": "Pass", "Result": {"k": "v"}, "ResultPath": "$.r", "End": True}
    found = inspection(run(definition, '{"a": 1}', inspection_level="DEBUG"))
    assert found == {
        "input": {"a": 1},
        "result": {"k": "v"},
        "afterResultSelector": {"k": "v"},
        "afterResultPath": {"a": 1, "r": {"k": "v"}},
    }


def test_info_level_has_no_inspection_data_and_trace_shows_what_debug_shows() -> None:
    definition = {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": True}
    info = run(definition, '{"a": 5}')
    assert info.inspection_data is None
    assert info.to_dict() == {"output": '{"x":5}', "status": "SUCCEEDED"}
    debug = run(definition, '{"a": 5}', inspection_level="DEBUG")
    trace = run(definition, '{"a": 5}', inspection_level="TRACE")
    assert trace.inspection_data == debug.inspection_data
    assert inspection(debug)["afterParameters"] == {"x": 5}
    assert "nextState" not in info.to_dict()  # End: no next state


def test_jsonata_pass_assign_shows_the_variables_after_the_state() -> None:
    definition = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Assign": {"total": "{% $states.input.n + $base %}", "seen": True},
        "Output": "{% $total %}",  # Output sees the variables as of entry: $total is unset
        "Next": "After",
    }
    result = run(
        definition, '{"n": 2}', inspection_level="DEBUG", variables='{"base": 40, "total": 1}'
    )
    assert result.status == "SUCCEEDED"
    assert result.output_value == 1
    assert result.next_state == "After"
    found = inspection(result)
    assert found["variables"] == {"base": 40, "total": 42, "seen": True}
    assert set(found) == {"input", "variables"}  # JSONata: no JSONPath steps


def test_choice_gives_the_next_state_and_echoes_the_input_text() -> None:
    # AWS docs, "Example 1: Using INFO inspectionLevel to test a Choice state".
    definition = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"},
            {"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"},
        ],
        "Default": "No Match",
    }
    result = run(definition, '{"number": 2}')
    assert result.to_dict() == {
        "output": '{"number": 2}',
        "nextState": "Equals 2",
        "status": "SUCCEEDED",
    }
    assert run(definition, '{"number": 9}').next_state == "No Match"
    debug = inspection(run(definition, '{"number": 1}', inspection_level="DEBUG"))
    assert debug == {"input": {"number": 1}, "afterInputPath": {"number": 1}}


def test_choice_without_a_match_fails() -> None:
    definition = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}],
    }
    result = run(definition, '{"n": 2}')
    assert result.status == "FAILED"
    assert result.error == "States.NoChoiceMatched"
    assert result.output is None and result.next_state is None


def test_wait_is_evaluated_but_not_waited_for() -> None:
    definition = {"Type": "Wait", "Seconds": 86400, "OutputPath": "$.keep", "Next": "Later"}
    result = run(definition, '{"keep": [1], "drop": 2}')
    assert (result.status, result.output_value, result.next_state) == ("SUCCEEDED", [1], "Later")
    bad = {"Type": "Wait", "TimestampPath": "$.when", "End": True}
    failed = run(bad, '{"when": "not a time"}')
    assert (failed.status, failed.error) == ("FAILED", "States.Runtime")


def test_succeed_has_no_next_state() -> None:
    result = run({"Type": "Succeed", "InputPath": "$.a"}, '{"a": {"b": 1}}')
    assert result.to_dict() == {"output": '{"b":1}', "status": "SUCCEEDED"}


def test_fail_state_fails_with_its_error_and_cause() -> None:
    # recorded (BASE_FAIL_STATE, DEBUG): error, cause, input and afterInputPath; no output.
    definition = {"Type": "Fail", "Error": "SomeFailure", "Cause": "It failed."}
    result = run(definition, '{"Value": "HelloWorld"}', inspection_level="DEBUG")
    assert result.to_dict() == {
        "error": "SomeFailure",
        "cause": "It failed.",
        "inspectionData": {
            "input": '{"Value": "HelloWorld"}',
            "afterInputPath": '{"Value": "HelloWorld"}',
        },
        "status": "FAILED",
    }
    from_paths = {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}
    computed = run(from_paths, '{"e": "Boom", "c": "because"}')
    assert (computed.error, computed.cause) == ("Boom", "because")


def test_a_data_flow_error_in_a_pass_state_fails_with_the_steps_reached() -> None:
    definition = {"Type": "Pass", "InputPath": "$.a", "Parameters": {"x.$": "$.missing"}}
    definition["End"] = True
    result = run(definition, '{"a": {"b": 1}}', inspection_level="DEBUG")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "$.missing" in (result.cause or "")
    assert inspection(result) == {"input": {"a": {"b": 1}}, "afterInputPath": {"b": 1}}


# ---- Task ----------------------------------------------------------------------------------

TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "work", "Payload.$": "$.args"},
    "ResultSelector": {"body.$": "$.Payload.body"},
    "ResultPath": "$.res",
    "OutputPath": "$.res",
    "Next": "Done",
}


def test_task_with_a_mocked_result_goes_through_selector_result_path_and_output_path() -> None:
    mock = Mock(result='{"Payload": {"body": "ok", "noise": 1}, "StatusCode": 200}')
    result = run(TASK, '{"args": {"x": 1}, "keep": true}', inspection_level="DEBUG", mock=mock)
    assert (result.status, result.next_state) == ("SUCCEEDED", "Done")
    assert result.output_value == {"body": "ok"}
    found = inspection(result)
    assert found == {
        "input": {"args": {"x": 1}, "keep": True},
        "afterInputPath": {"args": {"x": 1}, "keep": True},
        "afterParameters": {"FunctionName": "work", "Payload": {"x": 1}},
        "result": {"Payload": {"body": "ok", "noise": 1}, "StatusCode": 200},
        "afterResultSelector": {"body": "ok"},
        "afterResultPath": {"args": {"x": 1}, "keep": True, "res": {"body": "ok"}},
    }
    # the mocked result passes through untouched: its own text comes back
    assert result.inspection_data is not None
    assert result.inspection_data["result"] == mock.result


def test_jsonata_task_shows_arguments_and_result() -> None:
    # recorded (Ask for Approval, mocked): afterArguments, input, result.
    definition = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.n * 2 %}"},
        "Output": "{% $states.result.v %}",
        "End": True,
    }
    result = run(definition, '{"n": 21}', inspection_level="DEBUG", mock=Mock(result='{"v": 3}'))
    assert result.output_value == 3
    assert inspection(result) == {
        "input": {"n": 21},
        "afterArguments": {"FunctionName": "f", "Payload": 42},
        "result": {"v": 3},
    }


RETRYING = {
    "Type": "Task",
    "QueryLanguage": "JSONata",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Retry": [
        {"ErrorEquals": ["Other"], "MaxAttempts": 1},
        {"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5},
    ],
    "End": True,
}


def test_a_mocked_error_a_retrier_matches_is_retriable_with_its_backoff() -> None:
    mock = error_mock("MockException", "Mock the cause of the error.")
    result = run(RETRYING, "{}", inspection_level="DEBUG", mock=mock)
    assert result.to_dict()["status"] == "RETRIABLE"
    assert (result.error, result.cause) == ("MockException", "Mock the cause of the error.")
    assert result.output is None and result.next_state is None
    assert inspection(result)["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 1}
    # recorded (retrierRetryCount 4, IntervalSeconds 1, BackoffRate 2): a 16 s back-off
    fourth = run(
        RETRYING,
        "{}",
        inspection_level="DEBUG",
        mock=mock,
        state_config=StateConfig(retrier_retry_count=4),
    )
    assert fourth.status == "RETRIABLE"
    assert inspection(fourth)["errorDetails"]["retryBackoffIntervalSeconds"] == 16


def test_retries_used_up_fail_the_state_naming_the_retrier() -> None:
    # recorded (retrierRetryCount 5 = MaxAttempts): FAILED, errorDetails {retryIndex}.
    result = run(
        RETRYING,
        "{}",
        inspection_level="DEBUG",
        mock=error_mock("MockException"),
        state_config=StateConfig(retrier_retry_count=5),
    )
    assert (result.status, result.error) == ("FAILED", "MockException")
    assert inspection(result)["errorDetails"] == {"retryIndex": 1}


CATCHING = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "f"},
    "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
    "Catch": [
        {"ErrorEquals": ["Other"], "Next": "Elsewhere"},
        {
            "ErrorEquals": ["Lambda.TooManyRequestsException"],
            "ResultPath": "$.error",
            "Next": "HandleThrottling",
        },
    ],
    "Next": "Success",
}


def test_a_caught_error_gives_the_catchers_output_and_next_state() -> None:
    # AWS docs, "Testing catch handlers": output after the catcher's ResultPath.
    result = run(
        CATCHING,
        '{"data": "value"}',
        inspection_level="DEBUG",
        mock=error_mock("Lambda.TooManyRequestsException", "Rate exceeded"),
        state_config=StateConfig(retrier_retry_count=2),
    )
    assert result.status == "CAUGHT_ERROR"
    assert result.next_state == "HandleThrottling"
    assert (result.error, result.cause) == ("Lambda.TooManyRequestsException", "Rate exceeded")
    assert result.output_value == {
        "data": "value",
        "error": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"},
    }
    assert inspection(result)["errorDetails"] == {"retryIndex": 0, "catchIndex": 1}
    # with a retry left, the same error is retriable instead
    again = run(CATCHING, "{}", mock=error_mock("Lambda.TooManyRequestsException"))
    assert again.status == "RETRIABLE"


def test_an_error_nothing_handles_fails_and_states_runtime_is_never_caught() -> None:
    assert run(CATCHING, "{}", mock=error_mock("Unhandled")).status == "FAILED"
    catch_all = dict(TASK, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    caught = run(catch_all, '{"args": 1}', mock=Mock(result='{"Payload": {"body": 1}}'))
    assert caught.status == "SUCCEEDED"
    # ResultSelector reads a path the result lacks: States.Runtime, not caught by States.ALL
    runtime = run(catch_all, '{"args": 1}', mock=Mock(result='{"other": 1}'))
    assert (runtime.status, runtime.error) == ("FAILED", "States.Runtime")
    tasks_fail = run(catch_all, '{"args": 1}', mock=error_mock("States.TaskFailed"))
    assert (tasks_fail.status, tasks_fail.next_state) == ("CAUGHT_ERROR", "Caught")


class ServiceFailure(Exception):
    """Shaped like the integrations' TaskFailure: ``error`` and ``cause`` attributes."""

    def __init__(self, error: str, cause: str | None) -> None:
        super().__init__(error)
        self.error, self.cause = error, cause


def test_a_task_without_a_mock_calls_invoke() -> None:
    calls: list[tuple[str, Any]] = []

    def invoke(resource: str, parameters: Any) -> Any:
        calls.append((resource, parameters))
        return {"Payload": {"body": parameters["Payload"]["x"] * 10}}

    result = run(TASK, '{"args": {"x": 4}}', invoke=invoke, role_arn=ROLE)
    assert calls == [
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "work", "Payload": {"x": 4}})
    ]
    assert result.output_value == {"body": 40}

    def failing(resource: str, parameters: Any) -> Any:
        raise ServiceFailure("Lambda.ServiceException", "down")

    failed = run(CATCHING, "{}", invoke=failing, role_arn=ROLE)
    assert (failed.status, failed.error, failed.cause) == (
        "FAILED",
        "Lambda.ServiceException",
        "down",
    )

    def raising_states_error(resource: str, parameters: Any) -> Any:
        raise StatesError("Lambda.TooManyRequestsException", "slow down")

    retriable = run(CATCHING, "{}", invoke=raising_states_error, role_arn=ROLE)
    assert retriable.status == "RETRIABLE"

    def broken(resource: str, parameters: Any) -> Any:
        raise RuntimeError("a bug, not a task failure")

    with pytest.raises(RuntimeError):
        run(TASK, '{"args": {}}', invoke=broken, role_arn=ROLE)


def test_a_task_without_a_mock_needs_a_role_an_invoke_and_a_plain_pattern() -> None:
    def invoke(resource: str, parameters: Any) -> Any:
        return {}

    # recorded: "RoleArn must be specified when testing a Task state"
    assert "RoleArn must be specified" in refused("ValidationException", TASK, invoke=invoke)
    assert "specify a mock" in refused("ValidationException", TASK, role_arn=ROLE)
    for resource in (
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::glue:startJobRun.sync",
        "arn:aws:states:us-east-1:123456789012:activity:work",
    ):
        definition = {"Type": "Task", "Resource": resource, "End": True}
        message = refused("ValidationException", definition, invoke=invoke, role_arn=ROLE)
        assert "only when a mock is specified" in message
        assert run(definition, "{}", mock=Mock(result='"done"')).output == '"done"'


def test_a_callback_task_sees_the_task_token_of_the_given_context() -> None:
    definition = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Arguments": {"MessageBody": "{% $states.context.Task.Token %}"},
        "End": True,
    }
    context = json.dumps({"Task": {"Token": "abcd123"}})
    result = run(
        definition, "{}", inspection_level="DEBUG", mock=Mock(result="{}"), context=context
    )
    assert inspection(result)["afterArguments"] == {"MessageBody": "abcd123"}
    jsonpath = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"MessageBody": {"TaskToken.$": "$$.Task.Token"}},
        "End": True,
    }
    result = run(jsonpath, "{}", inspection_level="DEBUG", mock=Mock(result="{}"), context=context)
    assert inspection(result)["afterParameters"] == {"MessageBody": {"TaskToken": "abcd123"}}


def test_the_given_context_replaces_the_context_object() -> None:
    # recorded (test_state_context_object): the given object is the whole of $$.
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "ResultSelector": {"ctx.$": "$$"},
        "End": True,
    }
    given = {"Execution": {"Id": "arn:x", "Name": "n"}, "State": {"Name": "MyTask"}}
    result = run(definition, "{}", mock=Mock(result="{}"), context=json.dumps(given))
    assert result.output_value == {"ctx": given}
    assert run(definition, "{}", mock=Mock(result="{}"), context="{}").output_value == {"ctx": {}}
    default = run(definition, '{"i": 1}', mock=Mock(result="{}")).output_value["ctx"]
    # recorded: AWS names the state "StateName", runs an express-style execution and shows
    # RoleArn null without a role
    assert default["State"] == {
        "Name": "StateName",
        "EnteredTime": "2026-01-02T03:04:05.000Z",
        "RetryCount": 0,
    }
    assert ":express:" in default["Execution"]["Id"]
    assert default["Execution"]["RoleArn"] is None
    assert default["Execution"]["Input"] == {"i": 1}
    assert "RedriveCount" not in default["Execution"]


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            '{"Execution": {"Id": 1}}',
            "Invalid Context object provided: Execution.Id must be a string",
        ),
        (
            '{"Map": {}}',
            "Invalid Context object provided: 'Map' field is not supported when "
            "mocking a Context object",
        ),
        (
            '{"Execution": {"pokemon": "squirtle"}}',
            "Invalid Context object provided: Field 'pokemon' is not allowed",
        ),
        ('{"Pokedex": {}}', "Invalid Context object provided: Field 'Pokedex' is not allowed"),
        (
            '{"Task": {"Token": "t"}}',
            "Invalid Context object provided: Context object contains "
            "'Task' when state is not a Task state with a '.sync' or "
            "'.waitForTaskToken' service integration pattern",
        ),
        ("{nope", "Invalid Context object provided: the value is not valid JSON"),
    ],
)
def test_a_context_object_is_checked_as_aws_checks_it(context: str, message: str) -> None:
    # recorded messages (test_state_context_object), but the last one (stepline's)
    found = refused("ValidationException", TASK, mock=Mock(result="{}"), context=context)
    assert found.startswith(message)


def test_a_context_needs_a_mock() -> None:
    message = refused("ValidationException", {"Type": "Pass", "End": True}, context="{}")
    assert "only be specified when a mock is specified" in message


# ---- a state inside a whole machine ---------------------------------------------------------

MACHINE = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": "one", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.cost", "NumericLessThan": 10, "Next": "Approved"}],
            "Default": "Ask",
        },
        "Ask": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.answer", "Next": "Approved"},
        "Approved": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Item",
                "States": {
                    "Item": {
                        "Type": "Pass",
                        "Parameters": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                        "End": True,
                    }
                },
            },
            "End": True,
        },
    },
}


def test_state_name_picks_the_state_from_a_whole_machine() -> None:
    # recorded (blog post scenario): Choice by stateName gives the next state.
    small = run(MACHINE, '{"cost": 9}', state_name="Check")
    assert (small.status, small.next_state) == ("SUCCEEDED", "Approved")
    assert run(MACHINE, '{"cost": 10}', state_name="Check").next_state == "Ask"
    asked = run(MACHINE, '{"cost": 10}', state_name="Ask", mock=Mock(result='{"approval": true}'))
    assert asked.output_value == {"cost": 10, "answer": {"approval": True}}
    assert asked.next_state == "Approved"
    first = run(MACHINE, "{}", state_name="First")
    assert (first.output_value, first.next_state) == ("one", "Check")
    # recorded: even a state chosen by stateName shows "StateName" as $$.State.Name
    named = {
        "StartAt": "Real",
        "States": {"Real": {"Type": "Pass", "Parameters": {"n.$": "$$.State.Name"}, "End": True}},
    }
    assert run(named, "{}", state_name="Real").output_value == {"n": "StateName"}


def test_a_state_inside_a_map_sees_a_default_map_item() -> None:
    # AWS docs, "Automatic Context population": $$.Map.Item.Index 0, Value = the input.
    result = run(MACHINE, '{"id": 7}', state_name="Item")
    assert result.output_value == {"i": 0, "v": {"id": 7}}


def test_an_unknown_state_name_and_a_machine_without_one_are_refused() -> None:
    assert refused("ValidationException", MACHINE, state_name="Nope") == (
        "State not found in definition"
    )
    with pytest.raises(DefinitionError) as caught:
        run(MACHINE)
    assert "stateName" in str(caught.value)


# ---- Map and Parallel ------------------------------------------------------------------------

MAP = {
    "Type": "Map",
    "InputPath": "$.order",
    "ItemsPath": "$.lines",
    "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "at.$": "$$.Map.Item.Index"},
    "MaxConcurrency": 3,
    "ToleratedFailureCount": 1,
    "ItemProcessor": {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    },
    "ResultSelector": {"n.$": "States.ArrayLength($)"},
    "ResultPath": "$.summary",
    "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "TooMany"}],
    "End": True,
}
ORDER = '{"order": {"lines": [{"sku": "a"}, {"sku": "b"}], "id": 9}}'


def test_a_map_with_a_mock_shows_how_it_would_split_and_takes_the_mock_as_its_result() -> None:
    result = run(MAP, ORDER, inspection_level="DEBUG", mock=Mock(result='["A", "B"]'))
    assert result.status == "SUCCEEDED"
    # ResultPath writes into the raw state input, not into what InputPath selected
    after_result_path = {**json.loads(ORDER), "summary": {"n": 2}}
    assert result.output_value == after_result_path
    found = inspection(result)
    assert found == {
        "input": json.loads(ORDER),
        "afterInputPath": {"lines": [{"sku": "a"}, {"sku": "b"}], "id": 9},
        "afterItemsPath": [{"sku": "a"}, {"sku": "b"}],
        "afterItemSelector": [{"sku": "a", "at": 0}, {"sku": "b", "at": 1}],
        "afterResultSelector": {"n": 2},
        "afterResultPath": after_result_path,
        "toleratedFailureCount": 1,
        "maxConcurrency": 3,
    }


def test_map_iteration_failures_over_the_threshold_raise_it() -> None:
    mock = Mock(result='["A", "B"]')
    ok = run(MAP, ORDER, mock=mock, state_config=StateConfig(map_iteration_failure_count=1))
    assert ok.status == "SUCCEEDED"
    over = run(MAP, ORDER, mock=mock, state_config=StateConfig(map_iteration_failure_count=2))
    assert (over.status, over.next_state) == ("CAUGHT_ERROR", "TooMany")
    assert over.error == "States.ExceedToleratedFailureThreshold"
    assert over.cause == "The specified tolerated failure threshold was exceeded"
    # recorded: a Map without a threshold ignores the count
    no_threshold = {k: v for k, v in MAP.items() if k != "ToleratedFailureCount"}
    count = StateConfig(map_iteration_failure_count=2)
    assert run(no_threshold, ORDER, mock=mock, state_config=count).status == "SUCCEEDED"
    message = refused(
        "ValidationException",
        MAP,
        ORDER,
        mock=mock,
        state_config=StateConfig(map_iteration_failure_count=3),
    )
    assert "cannot exceed the number of items" in message


def test_a_map_with_a_mocked_error_needs_the_state_that_raised_it() -> None:
    mock = error_mock("MockException", "Mock the error cause.")
    message = refused("ValidationException", MAP, ORDER, mock=mock)
    assert "errorCausedByState" in message
    wrong = StateConfig(error_caused_by_state="Nowhere")
    assert "is not a state inside" in refused(
        "ValidationException", MAP, ORDER, mock=mock, state_config=wrong
    )
    # recorded: the mocked error fails the Map (no handler for it here)
    result = run(MAP, ORDER, mock=mock, state_config=StateConfig(error_caused_by_state="Work"))
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "MockException",
        "Mock the error cause.",
    )


def test_a_jsonata_map_shows_concurrency_and_thresholds_only() -> None:
    # recorded (BASE_MAP_STATE with a ToleratedFailurePercentage expression, DEBUG)
    definition = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.Values %}",
        "ToleratedFailurePercentage": "{% 1 %}",
        "ItemProcessor": {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "Output": "{% $states.result %}",
        "End": True,
    }
    result = run(
        definition, '{"Values": [1, 2, 3]}', inspection_level="DEBUG", mock=Mock(result="[1, 1, 1]")
    )
    assert result.output == "[1, 1, 1]"  # recorded: the mocked text comes back as sent
    assert result.inspection_data == {
        "input": '{"Values": [1, 2, 3]}',
        "toleratedFailurePercentage": 1.0,
        "maxConcurrency": 0,
    }


PARALLEL = {
    "Type": "Parallel",
    "Parameters": {"x.$": "$.x"},
    "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
    ],
    "ResultPath": "$.both",
    "Next": "After",
}


def test_a_parallel_with_a_mock_takes_it_as_the_branches_results() -> None:
    result = run(PARALLEL, '{"x": 1}', inspection_level="DEBUG", mock=Mock(result="[1, 2]"))
    assert (result.status, result.next_state) == ("SUCCEEDED", "After")
    assert result.output_value == {"x": 1, "both": [1, 2]}
    assert inspection(result)["afterParameters"] == {"x": 1}
    # recorded messages
    assert refused("ValidationException", PARALLEL, mock=Mock(result='{"a": 1}')) == (
        "Mocked result must be an array."
    )
    assert refused("ValidationException", PARALLEL, mock=Mock(result="[1]")) == (
        "Mocked result must contain the same number of items as number of Parallel branches."
    )
    assert refused("ValidationException", MAP, mock=Mock(result="{}")) == (
        "Mocked result must be an array."
    )
    mock = error_mock("Branch.Failed")
    config = StateConfig(error_caused_by_state="B")
    failed = run(PARALLEL, '{"x": 1}', mock=mock, state_config=config)
    assert (failed.status, failed.error) == ("FAILED", "Branch.Failed")


@pytest.mark.parametrize("definition", [MAP, PARALLEL])
def test_map_and_parallel_need_a_mock(definition: dict[str, Any]) -> None:
    # recorded: an InvalidDefinition, same text for both
    assert refused("InvalidDefinition", definition, "{}") == (
        "TestState API does not support Map or Parallel states. Supported state types "
        "include: [Task, Wait, Pass, Succeed, Fail, Choice]"
    )


# ---- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Pass", "Succeed", "Fail", "Choice", "Wait"])
def test_only_task_map_and_parallel_take_a_mock(kind: str) -> None:
    definitions: dict[str, dict[str, Any]] = {
        "Pass": {"Type": "Pass", "End": True},
        "Succeed": {"Type": "Succeed"},
        "Fail": {"Type": "Fail", "Error": "E"},
        "Choice": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "X"}],
            "Default": "X",
        },
        "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    }
    message = refused("ValidationException", definitions[kind], mock=Mock(result="{}"))
    assert message == f"State type '{kind}' is not supported when a mock is specified"


def test_a_mock_is_checked_as_aws_checks_it() -> None:
    both = Mock(result="{}", error_output=MockErrorOutput("E"))
    assert refused("ValidationException", TASK, mock=both) == (
        "A test mock should have only one of the following fields: [result, errorOutput]."
    )
    assert refused("ValidationException", TASK, mock=Mock(result="{}"), reveal_secrets=True) == (
        "TestState does not support RevealSecrets when a mock is specified."
    )
    assert refused("ValidationException", TASK, mock=Mock(result="not JSON")) == (
        "Mocked result must be valid JSON"
    )
    assert "errorOutput.error is required" in refused(
        "ValidationException", TASK, mock=Mock(error_output=MockErrorOutput(None, "c"))
    )
    assert "fieldValidationMode" in refused(
        "ValidationException", TASK, mock=Mock(result="{}", field_validation_mode="LOOSE")
    )
    parsed = Mock.from_dict({"errorOutput": {"error": "E", "cause": "C"}})
    assert parsed == Mock(error_output=MockErrorOutput("E", "C"))
    config = StateConfig.from_dict({"retrierRetryCount": 2, "errorCausedByState": "W"})
    assert config == StateConfig(retrier_retry_count=2, error_caused_by_state="W")


def test_bad_json_and_bad_values_in_the_request_get_clear_errors() -> None:
    pass_state = {"Type": "Pass", "End": True}
    message = refused("InvalidExecutionInput", pass_state, '{"a": ')
    assert message.startswith("Invalid State Machine Execution Input")
    assert "not valid JSON" in refused("ValidationException", pass_state, variables="[")
    assert "JSON object" in refused("ValidationException", pass_state, variables="[1]")
    assert "inspectionLevel" in refused(
        "ValidationException", pass_state, inspection_level="VERBOSE"
    )
    assert "at least 0" in refused(
        "ValidationException",
        RETRYING,
        mock=error_mock("E"),
        state_config=StateConfig(retrier_retry_count=-1),
    )
    assert run(pass_state, None).output == "{}"  # no input: {}


def test_an_invalid_definition_raises_definition_error_located_in_the_state() -> None:
    with pytest.raises(DefinitionError) as not_json:
        run("{not json", "{}")
    assert not_json.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"
    with pytest.raises(DefinitionError) as bad_path:
        run({"Type": "Pass", "InputPath": "nope", "End": True}, "{}")
    assert [d.location for d in bad_path.value.diagnostics] == ["/InputPath"]
    with pytest.raises(DefinitionError):
        run({"Type": "Teleport", "End": True}, "{}")
