"""validate(): every diagnostic with its AWS code, location and message.

Expected codes/messages/locations marked "AWS" were observed from real AWS
(ValidateStateMachineDefinition / CreateStateMachine answers); the rest are stepline's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepline.asl.diagnostics import Diagnostic
from stepline.asl.validate import validate

Json = Any


def machine(states: dict[str, Json], start: str = "A", **top: Json) -> dict[str, Json]:
    return {"StartAt": start, "States": states, **top}


def single(state: dict[str, Json], **top: Json) -> dict[str, Json]:
    """A one-state machine whose state is called A."""
    return machine({"A": state}, **top)


def task(**fields: Json) -> dict[str, Json]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, **fields}


def mapped(**fields: Json) -> dict[str, Json]:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}


def nested(state: dict[str, Json]) -> dict[str, Json]:
    """A Parallel state P whose one branch holds ``state`` as A (nested scopes need no end)."""
    branch = {"StartAt": "A", "States": {"A": state}}
    return machine({"P": {"Type": "Parallel", "Branches": [branch], "End": True}}, start="P")


def choice(*rules: Json, **fields: Json) -> dict[str, Json]:
    states = {"C": {"Type": "Choice", "Choices": list(rules), **fields}, "B": {"Type": "Succeed"}}
    return machine(states, start="C")


def rule(**fields: Json) -> dict[str, Json]:
    return {"Variable": "$.x", "Next": "B", **fields}


def errors(definition: Json) -> list[Diagnostic]:
    return [d for d in validate(definition) if d.severity == "ERROR"]


# (definition, code, location, message fragment): each definition has exactly one error.
SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING = "MISSING_TRANSITION_TARGET"
UNSUPPORTED = "UNSUPPORTED_BY_STEPLINE"
CASES: list[tuple[str, Json, str, str, str]] = [
    # --- the definition as a whole
    ("empty text", "", SCHEMA, "", "Definition must be a valid JSON object"),  # AWS
    ("blank text", "  \n ", SCHEMA, "", "Definition must be a valid JSON object"),
    ("json array", "[1, 2]", SCHEMA, "", "Definition must be a valid JSON object"),
    ("no fields", {}, SCHEMA, "/", "These fields are required: [States, StartAt]"),  # AWS
    ("no StartAt", {"States": {"A": {"Type": "Succeed"}}}, SCHEMA, "/", "required: [StartAt]"),
    ("no States", {"StartAt": "A"}, SCHEMA, "/", "These fields are required: [States]"),  # AWS
    (
        "unknown top field",
        single({"Type": "Succeed"}, Coment="x"),
        SCHEMA,
        "/",
        "Field 'Coment' is not supported",
    ),
    (
        "Version",
        single({"Type": "Succeed"}, Version="2.0"),
        SCHEMA,
        "/Version",
        "Value should be one of the following: [1.0]",
    ),
    (
        "top TimeoutSeconds 0",
        single({"Type": "Succeed"}, TimeoutSeconds=0),
        SCHEMA,
        "/TimeoutSeconds",
        "Minimum value is 1",
    ),
    (
        "top TimeoutSeconds text",
        single({"Type": "Succeed"}, TimeoutSeconds="5"),
        SCHEMA,
        "/TimeoutSeconds",
        "Expected value of type [INTEGER]",
    ),
    (
        "Comment type",
        single({"Type": "Succeed"}, Comment=5),
        SCHEMA,
        "/Comment",
        "Expected value of type [STRING]",
    ),
    (
        "StartAt type",
        machine({"A": {"Type": "Succeed"}}, start=5),
        SCHEMA,
        "/StartAt",
        "Expected value of type [STRING]",
    ),
    (
        "States type",
        {"StartAt": "A", "States": []},
        SCHEMA,
        "/States",
        "Expected value of type [OBJECT]",
    ),
    (
        "QueryLanguage case",
        single({"Type": "Succeed"}, QueryLanguage="jsonpath"),
        SCHEMA,
        "/QueryLanguage",
        "Value should be one of the following: [JSONPath, JSONata]",
    ),  # AWS
    (
        "QueryLanguage type",
        single({"Type": "Succeed"}, QueryLanguage=5),
        SCHEMA,
        "/QueryLanguage",
        "Expected value of type [STRING]",
    ),  # AWS
    # --- any state
    (
        "state not object",
        nested([]),
        SCHEMA,
        "/States/P/Branches[0]/States/A",
        "Expected value of type [OBJECT]",
    ),
    ("no Type", single({"End": True}), SCHEMA, "/States/A", "These fields are required: [Type]"),
    (
        "unknown Type",
        single({"Type": "Sleep", "End": True}),
        SCHEMA,
        "/States/A/Type",
        "Value should be one of the following: [Pass, Task, Choice, Wait, Succeed, Fail, ",
    ),
    (
        "Type not string",
        single({"Type": 1, "End": True}),
        SCHEMA,
        "/States/A/Type",
        "Expected value of type [STRING]",
    ),
    (
        "TimeoutSeconds on Pass",
        single({"Type": "Pass", "TimeoutSeconds": 5, "End": True}),
        SCHEMA,
        "/States/A",
        "Field 'TimeoutSeconds' is not supported",
    ),  # AWS
    (
        "Catch on Pass",
        single({"Type": "Pass", "End": True, "Catch": []}),
        SCHEMA,
        "/States/A",
        "Field 'Catch' is not supported",
    ),  # AWS
    (
        "Retry on Wait",
        single({"Type": "Wait", "Seconds": 1, "End": True, "Retry": []}),
        SCHEMA,
        "/States/A",
        "Field 'Retry' is not supported",
    ),  # AWS
    (
        "End on Succeed",
        single({"Type": "Succeed", "End": True}),
        SCHEMA,
        "/States/A",
        "Field 'End' is not supported",
    ),
    (
        "InputPath on Fail",
        single({"Type": "Fail", "InputPath": "$"}),
        SCHEMA,
        "/States/A",
        "Field 'InputPath' is not supported",
    ),
    (
        "Next and End",
        machine({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": {"Type": "Succeed"}}),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [Next, End]",
    ),
    (
        "neither Next nor End",
        nested({"Type": "Pass"}),
        SCHEMA,
        "/States/P/Branches[0]/States/A",
        "This object should have only one of the following fields: [Next, End]",
    ),
    (
        "End false",
        nested({"Type": "Pass", "End": False}),
        SCHEMA,
        "/States/P/Branches[0]/States/A",
        "This object should have only one of the following fields: [Next, End]",
    ),
    (
        "End not boolean",
        single({"Type": "Pass", "End": "yes"}),
        SCHEMA,
        "/States/A/End",
        "Expected value of type [BOOLEAN]",
    ),
    (
        "state Comment",
        single({"Type": "Succeed", "Comment": 1}),
        SCHEMA,
        "/States/A/Comment",
        "Expected value of type [STRING]",
    ),
    (
        "Output on JSONPath state",
        single({"Type": "Pass", "Output": {}, "End": True}),
        SCHEMA,
        "/States/A",
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only "
        "supported for the 'JSONata' QueryLanguage",
    ),  # AWS
    (
        "Arguments on JSONPath Task",
        single(task(Arguments={})),
        SCHEMA,
        "/States/A",
        "but field 'Arguments' is only supported for the 'JSONata' QueryLanguage",
    ),  # AWS
    (
        "Items on JSONPath Map",
        single(mapped(Items=[1])),
        SCHEMA,
        "/States/A",
        "but field 'Items' is only supported for the 'JSONata' QueryLanguage",
    ),  # AWS
    (
        "Assign not an object",
        single({"Type": "Pass", "Assign": [1], "End": True}),
        SCHEMA,
        "/States/A/Assign",
        "Expected value of type [OBJECT]",
    ),
    (
        "Assign bad path",
        single({"Type": "Pass", "Assign": {"x.$": "nope"}, "End": True}),
        SCHEMA,
        "/States/A/Assign",
        "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function",
    ),
    (
        "Assign on Succeed",
        single({"Type": "Succeed", "Assign": {"x": 1}}),
        SCHEMA,
        "/States/A",
        "Field 'Assign' is not supported",
    ),
    (
        "state QueryLanguage unknown",
        single({"Type": "Pass", "QueryLanguage": "foo", "End": True}),
        SCHEMA,
        "/States/A/QueryLanguage",
        "Value should be one of the following: [JSONPath, ",
    ),
    (
        "state QueryLanguage type",
        single({"Type": "Pass", "QueryLanguage": 5, "End": True}),
        SCHEMA,
        "/States/A/QueryLanguage",
        "Expected value of type [STRING]",
    ),  # AWS
    (
        "long state name",
        machine({"N" * 81: {"Type": "Succeed"}}, start="N" * 81),
        "INVALID_STATE_NAME",
        "/States/" + "N" * 81,
        f"Invalid State name: State '{'N' * 81}' exceeds the 80-character limit allowed by the "
        "service",
    ),  # AWS
    # --- paths
    (
        "InputPath not a path",
        single({"Type": "Pass", "InputPath": "foo", "End": True}),
        SCHEMA,
        "/States/A/InputPath",
        "Value must be a valid JSONPath.",
    ),  # AWS
    (
        "OutputPath type",
        single({"Type": "Pass", "OutputPath": 5, "End": True}),
        SCHEMA,
        "/States/A/OutputPath",
        "Expected value of type [STRING]",
    ),
    (
        "ResultPath not a reference path",
        single({"Type": "Pass", "ResultPath": "$.a[*]", "End": True}),
        SCHEMA,
        "/States/A/ResultPath",
        "Value is not a Reference Path: ",
    ),  # AWS prefix
    (
        "ResultPath not a path",
        single(task(ResultPath="result")),
        SCHEMA,
        "/States/A/ResultPath",
        "Value is not a Reference Path: ",
    ),
    (
        "ResultPath into the context",
        single(task(ResultPath="$$.Execution")),
        SCHEMA,
        "/States/A/ResultPath",
        "the context object ('$$') cannot be written",
    ),
    # --- payload templates
    (
        "Parameters value not a path",
        single(task(Parameters={"a.$": "foo"})),
        SCHEMA,
        "/States/A/Parameters",
        "The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic function call",
    ),  # AWS
    (
        "Parameters nested",
        single({"Type": "Pass", "Parameters": {"x": [{"b.$": "nope"}]}, "End": True}),
        SCHEMA,
        "/States/A/Parameters",
        "The value for the field 'b.$' must be",
    ),
    (
        "Parameters value not text",
        single(task(Parameters={"a.$": 5})),
        SCHEMA,
        "/States/A/Parameters",
        "The value for the field 'a.$' must be",
    ),
    (
        "Parameters not object",
        single(task(Parameters="x")),
        SCHEMA,
        "/States/A/Parameters",
        "Expected value of type [OBJECT]",
    ),
    (
        "ResultSelector value",
        single(task(ResultSelector={"r.$": "States.Nope("})),
        SCHEMA,
        "/States/A/ResultSelector",
        "The value for the field 'r.$' must be",
    ),
    # --- Task
    (
        "Task without Resource",
        single({"Type": "Task", "End": True}),
        SCHEMA,
        "/States/A",
        "These fields are required: [Resource]",
    ),
    (
        "Resource not an ARN",
        single(task(Resource="my-function")),
        SCHEMA,
        "/States/A/Resource",
        "Value is not a valid resource ARN",
    ),  # AWS
    (
        "TimeoutSeconds 0",
        single(task(TimeoutSeconds=0)),
        SCHEMA,
        "/States/A/TimeoutSeconds",
        "Minimum value is 1",
    ),
    (
        "TimeoutSeconds too big",
        single(task(TimeoutSeconds=100_000_000)),
        SCHEMA,
        "/States/A/TimeoutSeconds",
        "Maximum value is 99999999",
    ),  # AWS wording
    (
        "TimeoutSeconds and Path",
        single(task(TimeoutSeconds=5, TimeoutSecondsPath="$.t")),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [TimeoutSeconds, TimeoutSecondsPath]",
    ),
    (
        "TimeoutSecondsPath",
        single(task(TimeoutSecondsPath="t")),
        SCHEMA,
        "/States/A/TimeoutSecondsPath",
        "Value is not a Reference Path: ",
    ),
    (
        "HeartbeatSeconds not below TimeoutSeconds",
        single(task(TimeoutSeconds=5, HeartbeatSeconds=5)),
        SCHEMA,
        "/States/A/HeartbeatSeconds",
        "HeartbeatSeconds must be smaller than TimeoutSeconds",
    ),
    (
        "HeartbeatSeconds type",
        single(task(HeartbeatSeconds=1.5)),
        SCHEMA,
        "/States/A/HeartbeatSeconds",
        "Expected value of type [INTEGER]",
    ),
    (
        "Credentials without RoleArn",
        single(task(Credentials={"Role": "x"})),
        SCHEMA,
        "/States/A/Credentials",
        "The field 'RoleArn' is required but was missing",
    ),
    # --- Retry
    (
        "Retry not array",
        single(task(Retry={})),
        SCHEMA,
        "/States/A/Retry",
        "Expected value of type [ARRAY]",
    ),
    (
        "retrier without ErrorEquals",
        single(task(Retry=[{"MaxAttempts": 1}])),
        SCHEMA,
        "/States/A/Retry[0]",
        "These fields are required: [ErrorEquals]",
    ),
    (
        "ErrorEquals empty",
        single(task(Retry=[{"ErrorEquals": []}])),
        SCHEMA,
        "/States/A/Retry[0]/ErrorEquals",
        "Value cannot be empty",
    ),
    (
        "States.ALL not alone",
        single(task(Retry=[{"ErrorEquals": ["X", "States.ALL"]}])),
        SCHEMA,
        "/States/A/Retry[0]/ErrorEquals[1]",
        "States.ALL must appear alone and at end of list",
    ),
    (
        "States.ALL not last",
        single(task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])),
        SCHEMA,
        "/States/A/Retry[0]/ErrorEquals[0]",
        "States.ALL must appear alone and at end of list",
    ),  # AWS
    (
        "reserved error name",
        single(task(Retry=[{"ErrorEquals": ["States.Oops"]}])),
        SCHEMA,
        "/States/A/Retry[0]/ErrorEquals[0]",
        "'States.Oops' is not a predefined error name",
    ),
    (
        "error name type",
        single(task(Retry=[{"ErrorEquals": [1]}])),
        SCHEMA,
        "/States/A/Retry[0]/ErrorEquals[0]",
        "Expected value of type [STRING]",
    ),
    (
        "BackoffRate below 1",
        single(task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])),
        SCHEMA,
        "/States/A/Retry[0]/BackoffRate",
        "Minimum value is 1",
    ),
    (
        "MaxAttempts negative",
        single(task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": -1}])),
        SCHEMA,
        "/States/A/Retry[0]/MaxAttempts",
        "Minimum value is 0",
    ),
    (
        "IntervalSeconds 0",
        single(task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 0}])),
        SCHEMA,
        "/States/A/Retry[0]/IntervalSeconds",
        "Minimum value is 1",
    ),
    (
        "MaxDelaySeconds 0",
        single(task(Retry=[{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}])),
        SCHEMA,
        "/States/A/Retry[0]/MaxDelaySeconds",
        "Minimum value is 1",
    ),
    (
        "JitterStrategy",
        single(task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}])),
        SCHEMA,
        "/States/A/Retry[0]/JitterStrategy",
        "Value should be one of the following: [NONE, FULL]",
    ),
    (
        "retrier unknown field",
        single(task(Retry=[{"ErrorEquals": ["X"], "Tries": 2}])),
        SCHEMA,
        "/States/A/Retry[0]",
        "Field 'Tries' is not supported",
    ),
    # --- Catch
    (
        "catcher without Next",
        single(task(Catch=[{"ErrorEquals": ["States.ALL"]}])),
        SCHEMA,
        "/States/A/Catch[0]",
        "These fields are required: [Next]",
    ),
    (
        "catcher ResultPath",
        machine(
            {
                "A": task(Catch=[{"ErrorEquals": ["X"], "Next": "B", "ResultPath": "$..x"}]),
                "B": {"Type": "Succeed"},
            }
        ),
        SCHEMA,
        "/States/A/Catch[0]/ResultPath",
        "Value is not a Reference Path: ",
    ),
    (
        "catcher Assign bad intrinsic",
        machine(
            {
                "A": task(
                    Catch=[{"ErrorEquals": ["X"], "Next": "B", "Assign": {"e.$": "States.Nope()"}}]
                ),
                "B": {"Type": "Succeed"},
            }
        ),
        SCHEMA,
        "/States/A/Catch[0]/Assign",
        "The value for the field 'e.$' must be a valid JSONPath",
    ),
    (
        "catcher target missing",
        single(task(Catch=[{"ErrorEquals": ["X"], "Next": "Ghost"}])),
        MISSING,
        "/States/A/Catch[0]/Next",
        "Missing 'Next' target: Ghost",
    ),  # AWS
    # --- Wait
    (
        "Wait without time",
        single({"Type": "Wait", "End": True}),
        SCHEMA,
        "/States/A",
        "This object should have only one of the following fields: [SecondsPath, Seconds, "
        "TimestampPath, Timestamp]",
    ),
    (
        "Wait with two times",
        single({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [SecondsPath, "
        "Seconds, TimestampPath, Timestamp]",
    ),  # AWS
    (
        "Seconds negative",
        single({"Type": "Wait", "Seconds": -1, "End": True}),
        SCHEMA,
        "/States/A/Seconds",
        "Minimum value is 0",
    ),
    (
        "Seconds too big",
        single({"Type": "Wait", "Seconds": 10**16, "End": True}),
        SCHEMA,
        "/States/A/Seconds",
        "Maximum value is 99999999",
    ),  # AWS
    (
        "Seconds fraction",
        single({"Type": "Wait", "Seconds": 1.5, "End": True}),
        SCHEMA,
        "/States/A/Seconds",
        "Expected value of type [INTEGER]",
    ),
    (
        "Timestamp not RFC 3339",
        single({"Type": "Wait", "Timestamp": "2024-01-01 00:00:00", "End": True}),
        SCHEMA,
        "/States/A/Timestamp",
        "String does not match RFC3339 timestamp",
    ),  # AWS
    (
        "SecondsPath",
        single({"Type": "Wait", "SecondsPath": "seconds", "End": True}),
        SCHEMA,
        "/States/A/SecondsPath",
        "Value is not a Reference Path: ",
    ),
    # --- Fail
    (
        "Error and ErrorPath",
        single({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [Error, ErrorPath]",
    ),
    (
        "Cause type",
        single({"Type": "Fail", "Cause": 5}),
        SCHEMA,
        "/States/A/Cause",
        "Expected value of type [STRING]",
    ),
    (
        "ErrorPath not a path",
        single({"Type": "Fail", "ErrorPath": "error"}),
        SCHEMA,
        "/States/A/ErrorPath",
        "Value is not a Reference Path: ",
    ),
    (
        "CausePath bad intrinsic",
        single({"Type": "Fail", "CausePath": "States.Format('x'"}),
        SCHEMA,
        "/States/A/CausePath",
        "The value for the field 'CausePath' must be a valid JSONPath or a valid intrinsic",
    ),
    # --- Choice
    (
        "Choice without Choices",
        machine({"C": {"Type": "Choice", "Default": "B"}, "B": {"Type": "Succeed"}}, start="C"),
        SCHEMA,
        "/States/C",
        "These fields are required: [Choices]",
    ),
    ("Choices empty", choice(Default="B"), SCHEMA, "/States/C/Choices", "Value cannot be empty"),
    (
        "Choice with Next",
        choice(rule(IsPresent=True), Next="B"),
        SCHEMA,
        "/States/C",
        "Field 'Next' is not supported",
    ),
    (
        "rule without Next",
        choice({"Variable": "$.x", "IsNull": True}, Default="B"),
        SCHEMA,
        "/States/C/Choices[0]",
        "These fields are required: [Next]",
    ),
    (
        "nested rule with Next",
        choice({"And": [rule(IsNull=True)], "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/And[0]",
        "Field 'Next' is not supported",
    ),
    (
        "two operators",
        choice(rule(IsNull=True, IsString=True)),
        SCHEMA,
        "/States/C/Choices[0]",
        "There should only be one of the following fields: [StringEquals, StringEqualsPath, ",
    ),
    (
        "no operator",
        choice(rule()),
        SCHEMA,
        "/States/C/Choices[0]",
        "This object should have only one of the following fields: [StringEquals, ",
    ),
    (
        "no Variable",
        choice({"NumericEquals": 1, "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]",
        "The object must have only one of the following fields, [And, Or, Not, Variable, "
        "Condition]",
    ),
    (
        "Variable and And",
        choice(rule(IsNull=True, And=[{"Variable": "$.y", "IsNull": True}])),
        SCHEMA,
        "/States/C/Choices[0]",
        "The object must have only one of the following fields",
    ),
    (
        "NumericEquals text",
        choice(rule(NumericEquals="1")),
        SCHEMA,
        "/States/C/Choices[0]/NumericEquals",
        "Expected value of type [NUMBER]",
    ),
    (
        "NumericLessThan bool",
        choice(rule(NumericLessThan=True)),
        SCHEMA,
        "/States/C/Choices[0]/NumericLessThan",
        "Expected value of type [NUMBER]",
    ),
    (
        "StringEquals number",
        choice(rule(StringEquals=1)),
        SCHEMA,
        "/States/C/Choices[0]/StringEquals",
        "Expected value of type [STRING]",
    ),
    (
        "BooleanEquals text",
        choice(rule(BooleanEquals="true")),
        SCHEMA,
        "/States/C/Choices[0]/BooleanEquals",
        "Expected value of type [BOOLEAN]",
    ),
    (
        "IsPresent text",
        choice(rule(IsPresent="yes")),
        SCHEMA,
        "/States/C/Choices[0]/IsPresent",
        "Expected value of type [BOOLEAN]",
    ),
    (
        "TimestampEquals not a timestamp",
        choice(rule(TimestampEquals="yesterday")),
        SCHEMA,
        "/States/C/Choices[0]/TimestampEquals",
        "String does not match RFC3339 timestamp",
    ),
    (
        "...Path operand",
        choice(rule(StringEqualsPath="x")),
        SCHEMA,
        "/States/C/Choices[0]/StringEqualsPath",
        "Value is not a Reference Path: ",
    ),
    (
        "Variable not a path",
        choice({"Variable": "x", "IsNull": True, "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/Variable",
        "Value is not a Reference Path: ",
    ),  # AWS prefix
    (
        "And empty",
        choice({"And": [], "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/And",
        "Value cannot be empty",
    ),
    (
        "Or not array",
        choice({"Or": {}, "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/Or",
        "Expected value of type [ARRAY]",
    ),
    (
        "Not not object",
        choice({"Not": [], "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/Not",
        "Expected value of type [OBJECT]",
    ),
    (
        "deep nested operand",
        choice({"Not": {"Or": [{"Variable": "$.a", "IsNull": 1}]}, "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]/Not/Or[0]/IsNull",
        "Expected value of type [BOOLEAN]",
    ),
    (
        "Condition in JSONPath rule",
        choice({"Condition": "{% true %}", "Next": "B"}),
        SCHEMA,
        "/States/C/Choices[0]",
        "but field 'Condition' is only supported for the 'JSONata' QueryLanguage",
    ),
    (
        "rule unknown field",
        choice(rule(IsNull=True, Else="B")),
        SCHEMA,
        "/States/C/Choices[0]",
        "Field 'Else' is not supported",
    ),
    (
        "rule Assign not an object",
        choice(rule(IsNull=True, Assign="v")),
        SCHEMA,
        "/States/C/Choices[0]/Assign",
        "Expected value of type [OBJECT]",
    ),
    (
        "rule target missing",
        choice(rule(IsNull=True, Next="Ghost"), Default="B"),
        MISSING,
        "/States/C/Choices[0]/Next",
        "Missing 'Next' target: Ghost",
    ),  # AWS
    (
        "Default target missing",
        choice(rule(IsNull=True), Default="Ghost"),
        MISSING,
        "/States/C/Default",
        "Missing 'Next' target: Ghost",
    ),  # AWS
    # --- Parallel
    (
        "Parallel without Branches",
        single({"Type": "Parallel", "End": True}),
        SCHEMA,
        "/States/A",
        "These fields are required: [Branches]",
    ),
    (
        "Branches empty",
        single({"Type": "Parallel", "Branches": [], "End": True}),
        SCHEMA,
        "/States/A/Branches",
        "Value cannot be empty",
    ),
    (
        "branch without StartAt",
        single(
            {"Type": "Parallel", "End": True, "Branches": [{"States": {"B": {"Type": "Succeed"}}}]}
        ),
        SCHEMA,
        "/States/A/Branches[0]",
        "These fields are required: [StartAt]",
    ),
    (
        "branch unknown field",
        single(
            {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Succeed"}},
                        "QueryLanguage": "JSONata",
                    }
                ],
            }
        ),
        SCHEMA,
        "/States/A/Branches[0]",
        "Field 'QueryLanguage' is not supported",
    ),  # AWS
    (
        "branch leaves its scope",
        machine(
            {
                "A": {
                    "Type": "Parallel",
                    "Next": "Out",
                    "Branches": [
                        {
                            "StartAt": "B",
                            "States": {
                                "B": {"Type": "Pass", "Next": "Out"},
                            },
                        }
                    ],
                },
                "Out": {"Type": "Succeed"},
            }
        ),
        MISSING,
        "/States/A/Branches[0]/States/B/Next",
        "Missing 'Next' target: Out",
    ),
    (
        "unreachable in branch",
        single(
            {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "W",
                        "States": {
                            "W": {"Type": "Pass", "End": True},
                            "Ghost": {"Type": "Pass", "End": True},
                        },
                    }
                ],
            }
        ),
        MISSING,
        "/States/A/Branches[0]/States/Ghost",
        'State "Ghost" is not reachable.',
    ),  # AWS
    (
        "TimeoutSeconds on Parallel",
        single(
            {
                "Type": "Parallel",
                "TimeoutSeconds": 5,
                "End": True,
                "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Succeed"}}}],
            }
        ),
        SCHEMA,
        "/States/A",
        "Field 'TimeoutSeconds' is not supported",
    ),  # AWS
    # --- Map
    (
        "Map without processor",
        single({"Type": "Map", "End": True}),
        SCHEMA,
        "/States/A",
        "This object should have only one of the following fields: [ItemProcessor, Iterator]",
    ),
    (
        "Map with both processors",
        single(mapped(Iterator={"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}})),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [ItemProcessor, Iterator]",
    ),
    (
        "ItemsPath",
        single(mapped(ItemsPath="$.items[*]")),
        SCHEMA,
        "/States/A/ItemsPath",
        "Value is not a Reference Path: ",
    ),
    (
        "ItemSelector and Parameters",
        single(mapped(ItemSelector={}, Parameters={})),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [ItemSelector, Parameters]",
    ),
    (
        "ItemSelector value",
        single(mapped(ItemSelector={"v.$": "value"})),
        SCHEMA,
        "/States/A/ItemSelector",
        "The value for the field 'v.$' must be",
    ),
    (
        "MaxConcurrency negative",
        single(mapped(MaxConcurrency=-1)),
        SCHEMA,
        "/States/A/MaxConcurrency",
        "Minimum value is 0",
    ),  # AWS
    (
        "MaxConcurrency and Path",
        single(mapped(MaxConcurrency=1, MaxConcurrencyPath="$.m")),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields: [MaxConcurrency, MaxConcurrencyPath]",
    ),
    (
        "ToleratedFailurePercentage",
        single(mapped(ToleratedFailurePercentage=101)),
        SCHEMA,
        "/States/A/ToleratedFailurePercentage",
        "Maximum value is 100",
    ),
    (
        "ToleratedFailureCount",
        single(mapped(ToleratedFailureCount=-2)),
        SCHEMA,
        "/States/A/ToleratedFailureCount",
        "Minimum value is 0",
    ),
    (
        "ToleratedFailureCountPath",
        single(mapped(ToleratedFailureCountPath="n")),
        SCHEMA,
        "/States/A/ToleratedFailureCountPath",
        "Value is not a Reference Path: ",
    ),
    (
        "processor Mode",
        single(
            mapped(
                ItemProcessor={
                    "ProcessorConfig": {"Mode": "FAST"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Succeed"}},
                }
            )
        ),
        SCHEMA,
        "/States/A/ItemProcessor/ProcessorConfig/Mode",
        "Value should be one of the following: [INLINE, DISTRIBUTED]",
    ),
    (
        "DISTRIBUTED without ExecutionType",
        single(
            mapped(
                ItemProcessor={
                    "ProcessorConfig": {"Mode": "DISTRIBUTED"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Succeed"}},
                }
            )
        ),
        SCHEMA,
        "/States/A/ItemProcessor/ProcessorConfig",
        "These fields are required: [ExecutionType]",
    ),
    (
        "INLINE with ExecutionType",
        single(
            mapped(
                ItemProcessor={
                    "ProcessorConfig": {"Mode": "INLINE", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Succeed"}},
                }
            )
        ),
        SCHEMA,
        "/States/A/ItemProcessor/ProcessorConfig",
        "Field 'ExecutionType' is not supported",
    ),
    (
        "processor QueryLanguage",
        single(
            mapped(
                ItemProcessor={
                    "QueryLanguage": "JSONata",
                    "StartAt": "P",
                    "States": {"P": {"Type": "Succeed"}},
                }
            )
        ),
        SCHEMA,
        "/States/A/ItemProcessor",
        "Field 'QueryLanguage' is not supported",
    ),  # AWS
    (
        "Iterator QueryLanguage",
        single(
            {
                "Type": "Map",
                "End": True,
                "Iterator": {
                    "QueryLanguage": "JSONata",
                    "StartAt": "P",
                    "States": {"P": {"Type": "Succeed"}},
                },
            }
        ),
        SCHEMA,
        "/States/A/Iterator",
        "Field 'QueryLanguage' is not supported",
    ),  # AWS
    (
        "Label too long",
        single(mapped(Label="L" * 41)),
        "INVALID_LABEL_NAME",
        "/States/A/Label",
        "exceeds the 40-character limit",
    ),
    (
        "Label character",
        single(mapped(Label="my label")),
        "INVALID_LABEL_NAME",
        "/States/A/Label",
        "contains a character that is not allowed",
    ),
    (
        "ItemReader on an inline Map",
        single(mapped(ItemReader={})),
        SCHEMA,
        "/States/A",
        "Field 'ItemReader' is not supported",
    ),
    (
        "processor StartAt missing target",
        single(mapped(ItemProcessor={"StartAt": "Nope", "States": {}})),
        MISSING,
        "/States/A/ItemProcessor/StartAt",
        "Missing 'Next' target: Nope",
    ),  # AWS
    # --- transitions
    (
        "Next target missing",
        machine(
            {
                "A": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::x:y",
                    "Next": "Ghost",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
                },
                "B": {"Type": "Succeed"},
            }
        ),
        MISSING,
        "/States/A/Next",
        "Missing 'Next' target: Ghost",
    ),  # AWS
    (
        "unreachable state",
        machine({"A": {"Type": "Succeed"}, "C": {"Type": "Succeed"}}),
        MISSING,
        "/States/C",
        'State "C" is not reachable.',
    ),  # AWS
    (
        "slash in state name",
        machine({"A": {"Type": "Succeed"}, "a/b": {"Type": "Succeed"}}),
        MISSING,
        "/States/a/b",
        'State "a/b" is not reachable.',
    ),  # AWS
    (
        "no terminal state",
        machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
        "MISSING_END_STATE",
        "",
        "Workflow has no terminal state",
    ),  # AWS
    (
        "no terminal state hides unreachable",
        machine(
            {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"},
                "U": {"Type": "Pass", "Next": "A"},
            }
        ),
        "MISSING_END_STATE",
        "",
        "Workflow has no terminal state",
    ),  # AWS
    (
        "duplicate name across scopes",
        machine(
            {
                "A": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}],
                }
            }
        ),
        "DUPLICATE_STATE_NAME",
        "/States/A/Branches[0]/States/A",
        "Duplicate State name: A",
    ),
    (
        "duplicate key in text",
        '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}',
        "DUPLICATE_STATE_NAME",
        "/States/A",
        "Duplicate State name: A",
    ),
]


@pytest.mark.parametrize(
    ("definition", "code", "location", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_problem_is_reported_with_code_and_location(
    definition: Json, code: str, location: str, fragment: str
) -> None:
    found = errors(definition)
    assert len(found) == 1, "\n".join(map(str, found))
    assert (found[0].code, found[0].location) == (code, location)
    assert fragment in found[0].message


def test_unparsable_text_names_line_and_column_like_aws() -> None:
    # AWS, recorded: the definition "not a definition".
    (found,) = validate("not a definition")
    where = '[Source: (String)"not a definition"; line: 1, column: 4]'
    assert found.code == "INVALID_JSON_DESCRIPTION"
    assert found.location == where
    assert found.message == (
        "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or "
        f"token 'null', 'true' or 'false')\n at {where}"
    )


@pytest.mark.parametrize(
    ("text", "fragment", "line", "column"),
    [
        ('{\n  "StartAt": "A",\n}', "was expecting double-quote to start field name", 3, 2),
        ('{"StartAt" "A"}', "was expecting a colon to separate field name and value", 1, 13),
        ('{"States": [1 2]}', "was expecting comma to separate Array entries", 1, 16),
        ('{"a": 1 "b": 2}', "was expecting comma to separate Object entries", 1, 10),
        ('{"a": NaN}', "Non-standard token 'NaN'", 1, 10),
        ('{"a": ', "Unexpected end-of-input", 1, 8),
        ('{"a": 1} x', "expected end of input", 1, 11),
    ],
)
def test_syntax_errors_name_line_and_column(
    text: str, fragment: str, line: int, column: int
) -> None:
    (found,) = validate(text)
    assert found.code == "INVALID_JSON_DESCRIPTION"
    assert fragment in found.message
    assert found.location.endswith(f"; line: {line}, column: {column}]")
    assert found.message.endswith(found.location)


def test_long_source_is_truncated_in_the_location() -> None:
    text = '{"Comment": "' + "x" * 600 + '", oops}'
    (found,) = validate(text)
    assert '"[truncated ' in found.location
    assert len(found.location) < 600


def test_valid_definition_of_every_state_type_has_no_diagnostics() -> None:
    definition = {
        "Comment": "all types",
        "Version": "1.0",
        "TimeoutSeconds": 60,
        "QueryLanguage": "JSONPath",
        "StartAt": "Pass",
        "States": {
            "Pass": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "Task"},
            "Task": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Parameters": {"x.$": "$.r.a", "ctx.$": "$$.Execution.Id"},
                "ResultSelector": {"p.$": "$.Payload"},
                "ResultPath": "$.task",
                "TimeoutSeconds": 10,
                "HeartbeatSeconds": 5,
                "Retry": [
                    {"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0},
                    {"ErrorEquals": ["States.ALL"], "BackoffRate": 1.5, "JitterStrategy": "FULL"},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fail", "ResultPath": None}],
                "Next": "Choice",
            },
            "Choice": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThanPath": "$.m", "Next": "Wait"},
                    {
                        "And": [
                            {"Variable": "$.s", "StringMatches": "a*"},
                            {"Not": {"Variable": "$.t", "TimestampEquals": "2024-01-01T00:00:00Z"}},
                        ],
                        "Next": "Parallel",
                    },
                ],
                "Default": "Map",
            },
            "Wait": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00+02:00", "Next": "Map"},
            "Parallel": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Succeed"}}}],
                "Next": "Map",
            },
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "MaxConcurrency": 2,
                "ToleratedFailurePercentage": 10,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Inner",
                    "States": {"Inner": {"Type": "Pass", "End": True}},
                },
                "Label": "items",
                "Next": "Done",
            },
            "Done": {"Type": "Succeed", "OutputPath": None},
            "Fail": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.Cause"},
        },
    }
    assert validate(definition) == []
    assert validate(json.dumps(definition)) == []


def test_nested_loop_without_terminal_state_is_accepted() -> None:
    # AWS: MISSING_END_STATE only concerns the top level.
    loop = {
        "StartAt": "L1",
        "States": {"L1": {"Type": "Pass", "Next": "L2"}, "L2": {"Type": "Pass", "Next": "L1"}},
    }
    assert errors(single(mapped(ItemProcessor=loop))) == []


def test_dangling_next_and_no_terminal_state_come_in_aws_order() -> None:
    found = errors(single({"Type": "Pass", "Next": "NOPE"}))
    assert [(d.code, d.location) for d in found] == [
        ("MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("MISSING_END_STATE", ""),
    ]


def test_dangling_start_at_makes_every_state_unreachable() -> None:
    found = errors(machine({"A": {"Type": "Succeed"}}, start="Nope"))
    assert [(d.code, d.location, d.message) for d in found] == [
        ("MISSING_TRANSITION_TARGET", "/StartAt", "Missing 'Next' target: Nope"),
        ("MISSING_TRANSITION_TARGET", "/States/A", 'State "A" is not reachable.'),
    ]


def test_jsonpath_state_under_jsonata_machine() -> None:
    found = errors(
        single({"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}, QueryLanguage="JSONata")
    )
    assert [(d.code, d.location, d.message) for d in found] == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        )
    ]  # AWS


def test_jsonata_state_refuses_jsonpath_fields_at_the_state() -> None:
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "InputPath": "$.a", "Next": "B"}
    found = errors(machine({"A": state, "B": {"Type": "Succeed"}}))
    assert [(d.code, d.location, d.message) for d in found] == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
            "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported "
            "for the 'JSONPath' QueryLanguage",
        )
    ]


def test_duplicate_label_is_reported_on_the_second_map() -> None:
    inner = {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}
    inner2 = {"StartAt": "Y", "States": {"Y": {"Type": "Succeed"}}}
    states = {
        "A": {"Type": "Map", "Label": "L", "ItemProcessor": inner, "Next": "B"},
        "B": {"Type": "Map", "Label": "L", "ItemProcessor": inner2, "End": True},
    }
    (found,) = errors(machine(states))
    assert (found.code, found.location, found.message) == (
        "DUPLICATE_LABEL_NAME",
        "/States/B/Label",
        "Duplicate Label name: L",
    )


def test_one_definition_with_many_problems_reports_all_of_them() -> None:
    definition = {
        "StartAt": "Load",
        "Extra": 1,
        "States": {
            "Load": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "InputPath": "input",
                "Parameters": {"id.$": "id"},
                "Retry": [{"ErrorEquals": ["States.ALL", "Oops"], "BackoffRate": 0}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Missing"}],
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": "1"}],
                "Default": "Nowhere",
            },
            "Pause": {"Type": "Wait", "Seconds": -5, "Timestamp": "soon", "End": True},
            "Stop": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Comment": 3},
            "Mystery": {"Type": "Sleep"},
        },
    }
    found = {(d.code, d.location) for d in errors(definition)}
    expected = {
        ("SCHEMA_VALIDATION_FAILED", "/"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Load/InputPath"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Load/Parameters"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Load/Retry[0]/ErrorEquals[0]"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Load/Retry[0]/BackoffRate"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Check/Choices[0]"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Check/Choices[0]/NumericEquals"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Pause"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Pause/Seconds"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Pause/Timestamp"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Stop"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Stop/Comment"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Mystery/Type"),
        ("MISSING_TRANSITION_TARGET", "/States/Load/Catch[0]/Next"),
        ("MISSING_TRANSITION_TARGET", "/States/Check/Default"),
        ("MISSING_TRANSITION_TARGET", "/States/Pause"),
        ("MISSING_TRANSITION_TARGET", "/States/Stop"),
        ("MISSING_TRANSITION_TARGET", "/States/Mystery"),
    }
    assert found == expected
    # Schema problems first, then transitions (AWS's order).
    codes = [d.code for d in errors(definition)]
    assert codes.index("MISSING_TRANSITION_TARGET") > max(
        i for i, code in enumerate(codes) if code == "SCHEMA_VALIDATION_FAILED"
    )


@pytest.mark.parametrize(
    ("definition", "code", "location"),
    [
        (single(task(Parameters={"a": "$.x"})), "NO_DOLLAR", "/States/A/Parameters"),
        (
            single(task(ResultSelector={"n": {"b": "States.UUID()"}})),
            "NO_DOLLAR",
            "/States/A/ResultSelector",
        ),
        (
            single({"Type": "Pass", "Result": {"a.$": "$.x"}, "End": True}),
            "PASS_RESULT_IS_STATIC",
            "/States/A/Result",
        ),
        (single({"Type": "Fail", "Cause": "$.cause"}), "NO_PATH", "/States/A/Cause"),
    ],
)
def test_warnings(definition: Json, code: str, location: str) -> None:
    (found,) = validate(definition)
    assert (found.severity, found.code, found.location) == ("WARNING", code, location)


def test_diagnostic_str_is_one_readable_line() -> None:
    diagnostic = Diagnostic(
        "ERROR", "MISSING_TRANSITION_TARGET", "Missing 'Next' target: X", "/States/Load/Next"
    )
    assert (
        str(diagnostic) == "/States/Load/Next: MISSING_TRANSITION_TARGET: Missing 'Next' target: X"
    )
    assert str(Diagnostic("ERROR", "MISSING_END_STATE", "m", "")) == "/: MISSING_END_STATE: m"
