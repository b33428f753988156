"""load(): valid definitions become compiled model records with AWS's defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from stepline.asl.errors import DefinitionError
from stepline.asl.model import (
    Branch,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    SucceedState,
    TaskState,
    WaitState,
)
from stepline.asl.parse import load
from stepline.asl.templates import Template

Json = Any


def machine(states: dict[str, Json], start: str = "A", **top: Json) -> dict[str, Json]:
    return {"StartAt": start, "States": states, **top}


def only(state: dict[str, Json], **top: Json) -> Any:
    """The record of the single state A of a one-state machine."""
    return load(machine({"A": state}, **top)).root.states["A"]


def test_machine_fields_and_source_are_kept() -> None:
    definition = machine({"A": {"Type": "Succeed"}}, Comment="c", Version="1.0", TimeoutSeconds=30)
    loaded = load(definition)
    assert loaded.root.start_at == "A"
    assert (loaded.timeout_seconds, loaded.comment, loaded.version) == (30, "c", "1.0")
    assert loaded.definition is definition


def test_text_definition_is_parsed() -> None:
    definition = machine({"A": {"Type": "Pass", "Result": [1, 2], "End": True}})
    loaded = load(json.dumps(definition))
    assert loaded.definition == definition
    state = loaded.root.states["A"]
    assert isinstance(state, PassState)
    assert state.result == [1, 2]


def test_pass_defaults() -> None:
    state = only({"Type": "Pass", "End": True})
    assert isinstance(state, PassState)
    assert (state.base.name, state.base.next, state.base.end, state.base.comment) == (
        "A",
        None,
        True,
        None,
    )
    # AWS: InputPath, OutputPath and ResultPath default to "$".
    assert state.io.input_path is not None and state.io.input_path.text == "$"
    assert state.io.output_path is not None and state.io.output_path.is_root
    assert state.result_path is not None and state.result_path.text == "$"
    assert (state.has_result, state.result, state.parameters) == (False, None, None)


def test_pass_with_every_field() -> None:
    definition = machine(
        {
            "A": {
                "Type": "Pass",
                "Comment": "first",
                "InputPath": "$.in",
                "OutputPath": None,
                "Parameters": {"v.$": "$.x", "k": 1},
                "Result": None,
                "ResultPath": None,
                "Next": "B",
            },
            "B": {"Type": "Succeed"},
        }
    )
    state = load(definition).root.states["A"]
    assert isinstance(state, PassState)
    assert (state.base.next, state.base.end, state.base.comment) == ("B", False, "first")
    assert state.io.input_path is not None and state.io.input_path.text == "$.in"
    assert state.io.output_path is None  # JSON null is kept as None
    assert state.result_path is None  # ResultPath null: the result is discarded
    assert (state.has_result, state.result) == (True, None)
    assert isinstance(state.parameters, Template)
    assert state.parameters.evaluate({"x": 7}, {}) == {"v": 7, "k": 1}


def test_task_fields_and_retry_catch_defaults() -> None:
    definition = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "ResultSelector": {"body.$": "$.Payload"},
                "ResultPath": "$.out",
                "TimeoutSecondsPath": "$.timeout",
                "HeartbeatSeconds": 10,
                "Credentials": {"RoleArn.$": "$.role"},
                "Retry": [
                    {"ErrorEquals": ["States.Timeout"]},
                    {
                        "ErrorEquals": ["States.ALL"],
                        "IntervalSeconds": 5,
                        "MaxAttempts": 0,
                        "BackoffRate": 1,
                        "MaxDelaySeconds": 60,
                        "JitterStrategy": "FULL",
                    },
                ],
                "Catch": [
                    {"ErrorEquals": ["Custom"], "Next": "B"},
                    {"ErrorEquals": ["States.ALL"], "Next": "B", "ResultPath": None},
                ],
                "End": True,
            },
            "B": {"Type": "Succeed"},
        }
    )
    state = load(definition).root.states["A"]
    assert isinstance(state, TaskState)
    assert state.resource == "arn:aws:states:::lambda:invoke"
    assert state.parameters is not None
    assert state.parameters.evaluate({"n": 1}, {}) == {"FunctionName": "f", "Payload": {"n": 1}}
    assert state.result_selector is not None
    assert state.result_selector.evaluate({"Payload": 3}, {}) == {"body": 3}
    assert state.result_path is not None and state.result_path.text == "$.out"
    assert state.timeout_seconds is None
    assert state.timeout_seconds_path is not None
    assert state.timeout_seconds_path.text == "$.timeout"
    assert (state.heartbeat_seconds, state.heartbeat_seconds_path) == (10, None)
    assert state.credentials is not None
    assert state.credentials.evaluate({"role": "r"}, {}) == {"RoleArn": "r"}
    first, second = state.retry
    # AWS defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, no jitter.
    assert (first.error_equals, first.interval_seconds, first.max_attempts) == (
        ("States.Timeout",),
        1,
        3,
    )
    assert (first.backoff_rate, first.max_delay_seconds, first.jitter_strategy) == (
        2.0,
        None,
        "NONE",
    )
    assert (second.interval_seconds, second.max_attempts, second.backoff_rate) == (5, 0, 1.0)
    assert isinstance(second.backoff_rate, float)
    assert (second.max_delay_seconds, second.jitter_strategy) == (60, "FULL")
    default_catch, null_catch = state.catch
    assert (default_catch.error_equals, default_catch.next) == (("Custom",), "B")
    assert default_catch.result_path is not None and default_catch.result_path.text == "$"
    assert null_catch.result_path is None


def test_choice_rules_are_compiled() -> None:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "InputPath": "$.in",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                    {
                        "And": [
                            {"Variable": "$.s", "IsPresent": True},
                            {"Not": {"Variable": "$.s", "StringEquals": "x"}},
                        ],
                        "Next": "Other",
                    },
                ],
                "Default": "Other",
            },
            "Big": {"Type": "Succeed"},
            "Other": {"Type": "Succeed"},
        },
        start="C",
    )
    state = load(definition).root.states["C"]
    assert isinstance(state, ChoiceState)
    assert (state.base.next, state.base.end, state.default) == (None, False, "Other")
    assert state.io.input_path is not None and state.io.input_path.text == "$.in"
    big, other = state.choices
    assert (big.next, other.next) == ("Big", "Other")
    assert big.matches({"n": 11}, {}) and not big.matches({"n": 10}, {})
    assert other.matches({"n": 0, "s": "y"}, {}) and not other.matches({"n": 0, "s": "x"}, {})


def test_wait_fields() -> None:
    state = only({"Type": "Wait", "Timestamp": "2030-01-02T03:04:05.5+02:00", "End": True})
    assert isinstance(state, WaitState)
    expected = datetime(2030, 1, 2, 1, 4, 5, 500_000, tzinfo=UTC)
    assert state.timestamp == expected
    assert state.timestamp is not None
    assert state.timestamp.utcoffset() == timedelta(hours=2)
    assert (state.seconds, state.seconds_path, state.timestamp_path) == (None, None, None)
    by_seconds = only({"Type": "Wait", "Seconds": 0, "End": True})
    assert isinstance(by_seconds, WaitState)
    assert (by_seconds.seconds, by_seconds.timestamp) == (0, None)
    by_path = only({"Type": "Wait", "TimestampPath": "$.when", "End": True})
    assert isinstance(by_path, WaitState)
    assert by_path.timestamp_path is not None and by_path.timestamp_path.text == "$.when"
    by_seconds_path = only({"Type": "Wait", "SecondsPath": "$.s", "End": True})
    assert isinstance(by_seconds_path, WaitState)
    assert by_seconds_path.seconds_path is not None
    assert by_seconds_path.seconds_path.get({"s": 3}, {}) == 3


def test_succeed_and_fail_are_terminal() -> None:
    succeed = only({"Type": "Succeed", "OutputPath": "$.x"})
    assert isinstance(succeed, SucceedState)
    assert (succeed.base.next, succeed.base.end) == (None, True)
    assert succeed.io.output_path is not None and succeed.io.output_path.text == "$.x"
    fail = only({"Type": "Fail", "Error": "E", "Cause": "because"})
    assert isinstance(fail, FailState)
    assert (fail.base.end, fail.error, fail.cause) == (True, "E", "because")
    assert (fail.error_path, fail.cause_path, fail.error_template, fail.cause_template) == (
        None,
        None,
        None,
        None,
    )


def test_fail_paths_and_intrinsics() -> None:
    fail = only({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('c={}', $.c)"})
    assert isinstance(fail, FailState)
    assert fail.error_path is not None and fail.error_path.get({"e": "Boom"}, {}) == "Boom"
    assert (fail.error, fail.cause, fail.cause_path, fail.error_template) == (
        None,
        None,
        None,
        None,
    )
    assert fail.cause_template is not None
    assert fail.cause_template.evaluate({"c": 5}, {}) == {"Cause": "c=5"}


def test_parallel_branches() -> None:
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "B2",
                        "States": {
                            "B2": {"Type": "Pass", "Next": "B3"},
                            "B3": {"Type": "Succeed"},
                        },
                    },
                ],
                "ResultSelector": {"first.$": "$[0]"},
                "ResultPath": "$.branches",
                "Retry": [{"ErrorEquals": ["States.BranchFailed"], "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
        start="P",
    )
    state = load(definition).root.states["P"]
    assert isinstance(state, ParallelState)
    assert state.base.next == "Done"
    first, second = state.branches
    assert isinstance(first, Branch)
    assert (first.start_at, list(first.states)) == ("B1", ["B1"])
    assert (second.start_at, list(second.states)) == ("B2", ["B2", "B3"])
    assert isinstance(second.states["B3"], SucceedState)
    assert state.result_selector is not None
    assert state.result_selector.evaluate([1, 2], {}) == {"first": 1}
    assert state.retry[0].max_attempts == 1
    assert state.catch[0].next == "Done"


def test_map_with_item_processor() -> None:
    state = only(
        {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"v.$": "$$.Map.Item.Value"},
            "MaxConcurrencyPath": "$.max",
            "ToleratedFailurePercentage": 5,
            "ToleratedFailureCountPath": "$.count",
            "Label": "rows",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Inner",
                "States": {"Inner": {"Type": "Pass", "End": True}},
            },
            "ResultPath": "$.mapped",
            "End": True,
        }
    )
    assert isinstance(state, MapState)
    assert state.mode == "DISTRIBUTED"
    assert (state.processor.start_at, list(state.processor.states)) == ("Inner", ["Inner"])
    assert state.items_path is not None and state.items_path.text == "$.items"
    assert state.item_selector is not None
    assert state.item_selector.uses_context
    assert state.max_concurrency == 0
    assert state.max_concurrency_path is not None
    assert state.tolerated_failure_percentage == 5.0
    assert isinstance(state.tolerated_failure_percentage, float)
    assert state.tolerated_failure_count is None
    assert state.tolerated_failure_count_path is not None
    assert state.label == "rows"
    assert state.result_path is not None and state.result_path.text == "$.mapped"


def test_map_legacy_iterator_and_parameters_and_defaults() -> None:
    state = only(
        {
            "Type": "Map",
            "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
            "Parameters": {"index.$": "$$.Map.Item.Index"},
            "MaxConcurrency": 3,
            "End": True,
        }
    )
    assert isinstance(state, MapState)
    assert state.mode == "INLINE"
    assert state.processor.start_at == "I"
    assert state.item_selector is not None
    assert state.item_selector.evaluate({}, {"Map": {"Item": {"Index": 4}}}) == {"index": 4}
    assert state.max_concurrency == 3
    assert state.items_path is not None and state.items_path.text == "$"  # AWS default
    assert (state.tolerated_failure_count, state.tolerated_failure_percentage) == (None, None)
    assert (state.retry, state.catch, state.label) == ((), (), None)


def test_invalid_definition_raises_with_every_diagnostic() -> None:
    definition = machine({"A": {"Type": "Pass", "Next": "Ghost", "Bogus": 1}})
    with pytest.raises(DefinitionError) as caught:
        load(definition)
    codes = [(d.code, d.location) for d in caught.value.diagnostics]
    assert codes == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A"),
        ("MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("MISSING_END_STATE", ""),
    ]
    assert str(caught.value).splitlines()[1] == (
        "/States/A/Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: Ghost"
    )


def test_unparsable_text_raises() -> None:
    with pytest.raises(DefinitionError) as caught:
        load("{")
    assert caught.value.diagnostics[0].code == "INVALID_JSON_DESCRIPTION"


def test_query_language_of_each_state() -> None:
    # A state inherits the machine's language; a JSONPath machine may hold JSONata states.
    loaded = load(
        machine(
            {
                "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Next": "B"},
                "B": {"Type": "Pass", "End": True},
            }
        )
    )
    a, b = loaded.root.states["A"], loaded.root.states["B"]
    assert (a.base.query_language, b.base.query_language) == ("JSONata", "JSONPath")
    assert b.base.jsonata is None and a.base.jsonata is not None
    jsonata = only({"Type": "Pass", "End": True}, QueryLanguage="JSONata")
    assert jsonata.base.query_language == "JSONata"


def test_warnings_do_not_stop_loading() -> None:
    state = only({"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True})
    assert isinstance(state, PassState)
    assert state.parameters is not None
    assert state.parameters.evaluate({"x": 1}, {}) == {"a": "$.x"}


def test_timestamp_offsets_are_kept() -> None:
    state = only({"Type": "Wait", "Timestamp": "2030-01-01T00:00:00-05:30", "End": True})
    assert isinstance(state, WaitState)
    assert state.timestamp == datetime(2030, 1, 1, tzinfo=timezone(-timedelta(hours=5, minutes=30)))


def test_five_hundred_states_load() -> None:
    states: dict[str, Json] = {
        f"S{i}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"Payload.$": "$.p", "n": i},
            "ResultPath": f"$.r{i}",
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Next": f"S{i + 1}",
        }
        for i in range(499)
    }
    states["S499"] = {"Type": "Succeed"}
    definition = machine(states, start="S0")
    loaded = load(definition)  # speed: benchmarks, never a timed test
    assert len(loaded.root.states) == 500
    last_task = loaded.root.states["S498"]
    assert last_task.base.next == "S499"
    assert loaded.root.states["S499"].type == "Succeed"
