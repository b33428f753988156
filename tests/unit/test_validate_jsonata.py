"""validate(): JSONata states, QueryLanguage rules, Assign in both languages.

Expected codes/messages/locations marked "AWS" were observed from real AWS
(ValidateStateMachineDefinition / CreateStateMachine answers recorded by LocalStack or
quoted in floci-io/floci's issues and tests measured against AWS); the rest are stepline's.
"""

from __future__ import annotations

from typing import Any

import pytest

from stepline.asl.diagnostics import Diagnostic
from stepline.asl.validate import validate
from stepline.asl.validate_assign import variable_name_problem

Json = Any

SCHEMA = "SCHEMA_VALIDATION_FAILED"
INVALID = "INVALID_JSONATA_EXPRESSION"


# --- definitions --------------------------------------------------------------------


def machine(states: dict[str, Json], start: str = "A", **top: Json) -> dict[str, Json]:
    return {"StartAt": start, "States": states, **top}


def jsonata(states: dict[str, Json], start: str = "A") -> dict[str, Json]:
    """A JSONata machine."""
    return machine(states, start, QueryLanguage="JSONata")


def single(state: dict[str, Json]) -> dict[str, Json]:
    """A JSONata machine whose one state is A."""
    return jsonata({"A": state})


def task(**fields: Json) -> dict[str, Json]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, **fields}


def mapped(**fields: Json) -> dict[str, Json]:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}


def with_b(state: dict[str, Json]) -> dict[str, Json]:
    """A JSONata machine: A is ``state``, B a Succeed state it can go to."""
    return jsonata({"A": state, "B": {"Type": "Succeed"}})


def errors(definition: Json) -> list[Diagnostic]:
    return [d for d in validate(definition) if d.severity == "ERROR"]


def found(definition: Json) -> list[tuple[str, str, str]]:
    return [(d.code, d.location, d.message) for d in errors(definition)]


def other_language(field: str) -> str:
    return (
        f"The QueryLanguage is set to 'JSONata', but field '{field}' is only supported for "
        "the 'JSONPath' QueryLanguage"
    )


def jsonata_only(field: str) -> str:
    return (
        f"The QueryLanguage is set to 'JSONPath', but field '{field}' is only supported for "
        "the 'JSONata' QueryLanguage"
    )


# --- valid definitions ----------------------------------------------------------------

EVERY_TYPE = jsonata(
    {
        "A": {
            "Type": "Pass",
            "Output": {"v": "{% $states.input.v %}", "list": [1, "{% 2 %}"]},
            "Assign": {"x": 1, "y": "{% $states.input %}"},
            "Next": "T",
        },
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
            "Output": "{% $states.result.Payload %}",
            "Assign": {"r": "{% $states.result %}"},
            "TimeoutSeconds": "{% $x + 10 %}",
            "HeartbeatSeconds": 5,
            "Credentials": {"RoleArn": "{% 'arn:aws:iam::123456789012:role/r' %}"},
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Output": "{% $states.errorOutput %}",
                    "Assign": {"failed": True},
                    "Next": "F",
                }
            ],
            "Next": "W",
        },
        "W": {"Type": "Wait", "Seconds": "{% $x %}", "Assign": {"w": 1}, "Next": "W2"},
        "W2": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "Next": "W3"},
        "W3": {"Type": "Wait", "Timestamp": "{% $states.input.when %}", "Next": "C"},
        "C": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $x = 1 %}",
                    "Output": {"matched": True},
                    "Assign": {"branch": "first"},
                    "Next": "P",
                },
                {"Condition": True, "Next": "F"},
            ],
            "Default": "F",
            "Output": "{% $states.input %}",
            "Assign": {"branch": "default"},
        },
        "P": {
            "Type": "Parallel",
            "Arguments": {"a": "{% $x %}"},
            "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}],
            "Output": "{% $states.result[0] %}",
            "Next": "M",
        },
        "M": {
            "Type": "Map",
            "Items": [1, "{% $number('2') %}", 3],
            "ItemSelector": {"item": "{% $states.context.Map.Item.Value %}"},
            "MaxConcurrency": "{% $variable := 1 %}",
            "ToleratedFailureCount": 1,
            "ToleratedFailurePercentage": "{% 10 %}",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "Next": "S",
        },
        "S": {"Type": "Succeed", "Output": {"done": True}},
        "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "literal cause"},
    }
)


def test_jsonata_definition_of_every_state_type_is_valid() -> None:
    assert validate(EVERY_TYPE) == []


def test_jsonata_state_in_jsonpath_machine_is_valid() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"n.$": "$.n"}, "Next": "B"},
            "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $n %}", "Next": "C"},
            "C": {"Type": "Pass", "QueryLanguage": "JSONPath", "OutputPath": "$n", "End": True},
        }
    )
    assert validate(definition) == []


def test_jsonata_state_may_restate_its_language() -> None:
    # AWS (floci, measured): "JSONata" on a state of a JSONata machine is fine.
    assert found(single({"Type": "Pass", "QueryLanguage": "JSONata", "End": True})) == []


def test_expressions_only_count_between_the_markers() -> None:
    # AWS: " {% x %} " (spaces outside), "$.x", "$$" are literals in a JSONata state.
    state = {"Type": "Pass", "Output": [" {% x[ %} ", "$.x", "$$", {"k.$": "$"}], "End": True}
    assert found(single(state)) == []


def test_literals_of_jsonpath_assign_are_not_expressions() -> None:
    # AWS (ASSIGNBASE BASE_CONSTANT_LITERALS): plain values are stored verbatim.
    state = {"Type": "Pass", "Assign": {"a": "{% 1 + %}", "b": "$.x", "c": "$$"}, "End": True}
    assert found(machine({"A": state})) == []


def test_jsonpath_assign_reads_paths_variables_and_intrinsics() -> None:
    state = {
        "Type": "Pass",
        "Assign": {
            "a.$": "$",
            "b.$": "$$.Execution.Id",
            "c.$": "$other.x",
            "d.$": "States.Format('{}', $.v)",
            "e": {"nested": 1},
        },
        "End": True,
    }
    assert found(machine({"A": state})) == []


def test_assign_allowed_on_every_type_that_has_it() -> None:
    assign = {"Assign": {"v": 1}}
    states = {
        "A": {"Type": "Pass", **assign, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", **assign, "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, **assign, "Next": "C"},
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$v", "IsPresent": True, "Next": "M", **assign}],
            **assign,
        },
        "M": {**{k: v for k, v in mapped(**assign).items() if k != "End"}, "Next": "Par"},
        "Par": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
            **assign,
            "End": True,
        },
    }
    assert found(machine(states)) == []
    jsonata_choice = {**states["C"], "Choices": [{"Condition": True, "Next": "M", **assign}]}
    assert found(jsonata(states | {"C": jsonata_choice})) == []


# --- one problem each ------------------------------------------------------------------

CASES: list[tuple[str, Json, str, str, str]] = [
    # --- fields of the other language on a JSONata state (AWS, at the state)
    (
        "InputPath on Pass",
        single({"Type": "Pass", "InputPath": "$.a", "End": True}),
        SCHEMA,
        "/States/A",
        other_language("InputPath"),
    ),
    (
        "Result on Pass",
        single({"Type": "Pass", "Result": {}, "End": True}),
        SCHEMA,
        "/States/A",
        other_language("Result"),
    ),
    (
        "Parameters on Task",
        single(task(Parameters={})),
        SCHEMA,
        "/States/A",
        other_language("Parameters"),
    ),
    (
        "ResultSelector on Task",
        single(task(ResultSelector={})),
        SCHEMA,
        "/States/A",
        other_language("ResultSelector"),
    ),
    (
        "TimeoutSecondsPath on Task",
        single(task(TimeoutSecondsPath="$.t")),
        SCHEMA,
        "/States/A",
        other_language("TimeoutSecondsPath"),
    ),
    (
        "HeartbeatSecondsPath on Task",
        single(task(HeartbeatSecondsPath="$.t")),
        SCHEMA,
        "/States/A",
        other_language("HeartbeatSecondsPath"),
    ),
    (
        "SecondsPath on Wait",
        single({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
        SCHEMA,
        "/States/A",
        other_language("SecondsPath"),
    ),
    (
        "TimestampPath on Wait",
        single({"Type": "Wait", "TimestampPath": "$.s", "End": True}),
        SCHEMA,
        "/States/A",
        other_language("TimestampPath"),
    ),
    (
        "ResultPath on Parallel",
        single(
            {
                "Type": "Parallel",
                "ResultPath": "$.r",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
                "End": True,
            }
        ),
        SCHEMA,
        "/States/A",
        other_language("ResultPath"),
    ),
    (
        "ItemsPath on Map",
        single(mapped(ItemsPath="$.items")),
        SCHEMA,
        "/States/A",
        other_language("ItemsPath"),
    ),
    (
        "MaxConcurrencyPath on Map",
        single(mapped(MaxConcurrencyPath="$.limit")),
        SCHEMA,
        "/States/A",
        other_language("MaxConcurrencyPath"),
    ),  # AWS (floci, measured: at the state)
    (
        "ToleratedFailureCountPath on Map",
        single(mapped(ToleratedFailureCountPath="$.n")),
        SCHEMA,
        "/States/A",
        other_language("ToleratedFailureCountPath"),
    ),
    (
        "Parameters on Map",
        single(mapped(Parameters={})),
        SCHEMA,
        "/States/A",
        other_language("Parameters"),
    ),
    (
        "OutputPath on Succeed",
        single({"Type": "Succeed", "OutputPath": "$.a"}),
        SCHEMA,
        "/States/A",
        other_language("OutputPath"),
    ),
    (
        "InputPath on Choice",
        with_b({"Type": "Choice", "InputPath": "$", "Choices": [{"Condition": True, "Next": "B"}]}),
        SCHEMA,
        "/States/A",
        other_language("InputPath"),
    ),
    (
        "ErrorPath on Fail",
        single({"Type": "Fail", "ErrorPath": "$.e"}),
        SCHEMA,
        "/States/A",
        other_language("ErrorPath"),
    ),  # AWS (floci)
    (
        "CausePath on Fail",
        single({"Type": "Fail", "CausePath": "$.c"}),
        SCHEMA,
        "/States/A",
        other_language("CausePath"),
    ),  # AWS (floci)
    (
        "Output on Fail",
        single({"Type": "Fail", "Output": {}}),
        SCHEMA,
        "/States/A",
        "Field 'Output' is not supported",
    ),
    (
        "Arguments on Pass",
        single({"Type": "Pass", "Arguments": {}, "End": True}),
        SCHEMA,
        "/States/A",
        "Field 'Arguments' is not supported",
    ),
    (
        "Items on Task",
        single(task(Items=[])),
        SCHEMA,
        "/States/A",
        "Field 'Items' is not supported",
    ),
    (
        "Assign on Fail",
        single({"Type": "Fail", "Assign": {"x": 1}}),
        SCHEMA,
        "/States/A",
        "Field 'Assign' is not supported",
    ),
    (
        "ItemReader on an inline Map",
        single(mapped(ItemReader={})),
        SCHEMA,
        "/States/A",
        "Field 'ItemReader' is not supported",
    ),
    # --- catchers and Choice rules of a JSONata state
    (
        "ResultPath on a JSONata catcher",
        with_b(task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}])),
        SCHEMA,
        "/States/A/Catch[0]",
        other_language("ResultPath"),
    ),
    (
        "Output on a JSONPath catcher",
        machine(
            {
                "A": task(Catch=[{"ErrorEquals": ["States.ALL"], "Output": {}, "Next": "B"}]),
                "B": {"Type": "Succeed"},
            }
        ),
        SCHEMA,
        "/States/A/Catch[0]",
        jsonata_only("Output"),
    ),  # AWS
    (
        "catcher unknown field",
        with_b(task(Catch=[{"ErrorEquals": ["States.ALL"], "Else": 1, "Next": "B"}])),
        SCHEMA,
        "/States/A/Catch[0]",
        "Field 'Else' is not supported",
    ),
    (
        "operator in a JSONata rule",
        with_b(
            {
                "Type": "Choice",
                "Choices": [{"Condition": True, "StringEquals": "x", "Next": "B"}],
            }
        ),
        SCHEMA,
        "/States/A/Choices[0]",
        other_language("StringEquals"),
    ),
    (
        "JSONata rule without Condition",
        with_b({"Type": "Choice", "Choices": [{"Next": "B"}]}),
        SCHEMA,
        "/States/A/Choices[0]",
        "The object must have only one of the following fields, [And, Or, Not, Variable, "
        "Condition]",
    ),
    (
        "JSONata rule without Next",
        with_b({"Type": "Choice", "Choices": [{"Condition": True}], "Default": "B"}),
        SCHEMA,
        "/States/A/Choices[0]",
        "These fields are required: [Next]",
    ),
    (
        "JSONata rule unknown field",
        with_b({"Type": "Choice", "Choices": [{"Condition": True, "Next": "B", "Else": 1}]}),
        SCHEMA,
        "/States/A/Choices[0]",
        "Field 'Else' is not supported",
    ),
    (
        "JSONata Choice without Choices",
        with_b({"Type": "Choice", "Default": "B"}),
        SCHEMA,
        "/States/A",
        "These fields are required: [Choices]",
    ),
    (
        "JSONata rule target missing",
        with_b(
            {"Type": "Choice", "Choices": [{"Condition": True, "Next": "Ghost"}], "Default": "B"}
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Choices[0]/Next",
        "Missing 'Next' target: Ghost",
    ),
    # --- literal values of JSONata fields (checked as in JSONPath mode)
    (
        "Wait Seconds negative",
        single({"Type": "Wait", "Seconds": -1, "End": True}),
        SCHEMA,
        "/States/A/Seconds",
        "Minimum value is 0",
    ),
    (
        "Wait Seconds text",
        single({"Type": "Wait", "Seconds": "ten", "End": True}),
        SCHEMA,
        "/States/A/Seconds",
        "Expected value of type [INTEGER]",
    ),
    (
        "Wait Timestamp",
        single({"Type": "Wait", "Timestamp": "2030-01-01 00:00:00", "End": True}),
        SCHEMA,
        "/States/A/Timestamp",
        "String does not match RFC3339 timestamp",
    ),
    (
        "Wait without time",
        single({"Type": "Wait", "End": True}),
        SCHEMA,
        "/States/A",
        "This object should have only one of the following fields: [SecondsPath, Seconds, "
        "TimestampPath, Timestamp]",
    ),
    (
        "Wait Seconds and Timestamp",
        single({"Type": "Wait", "Seconds": 1, "Timestamp": "{% $t %}", "End": True}),
        SCHEMA,
        "/States/A",
        "There should only be one of the following fields",
    ),
    (
        "Task TimeoutSeconds 0",
        single(task(TimeoutSeconds=0)),
        SCHEMA,
        "/States/A/TimeoutSeconds",
        "Minimum value is 1",
    ),
    (
        "Task heartbeat not below timeout",
        single(task(TimeoutSeconds=5, HeartbeatSeconds=5)),
        SCHEMA,
        "/States/A/HeartbeatSeconds",
        "HeartbeatSeconds must be smaller than TimeoutSeconds",
    ),
    (
        "Task Resource",
        single({"Type": "Task", "Resource": "{% $f %}", "End": True}),
        SCHEMA,
        "/States/A/Resource",
        "Value is not a valid resource ARN",
    ),
    (
        "Task Credentials without RoleArn",
        single(task(Credentials={"Role": "x"})),
        SCHEMA,
        "/States/A/Credentials",
        "The field 'RoleArn' is required but was missing",
    ),
    (
        "Map MaxConcurrency negative",
        single(mapped(MaxConcurrency=-1)),
        SCHEMA,
        "/States/A/MaxConcurrency",
        "Minimum value is 0",
    ),  # AWS wording (JSONPath mode)
    (
        "Map ToleratedFailurePercentage",
        single(mapped(ToleratedFailurePercentage=101)),
        SCHEMA,
        "/States/A/ToleratedFailurePercentage",
        "Maximum value is 100",
    ),
    (
        "Map ItemSelector",
        single(mapped(ItemSelector=5)),
        SCHEMA,
        "/States/A/ItemSelector",
        "Expected value of type [OBJECT]",
    ),
    (
        "Fail Error",
        single({"Type": "Fail", "Error": 5}),
        SCHEMA,
        "/States/A/Error",
        "Expected value of type [STRING]",
    ),
    (
        "JSONata Assign not an object",
        single({"Type": "Pass", "Assign": "{% {'a': 1} %}", "End": True}),
        SCHEMA,
        "/States/A/Assign",
        "Expected value of type [OBJECT]",
    ),
    # --- malformed expressions (AWS: INVALID_JSONATA_EXPRESSION, the parser's message
    #     without its code, located down to the string)
    (
        "Output",
        single({"Type": "Pass", "Output": "{% 1 + %}", "End": True}),
        INVALID,
        "/States/A/Output",
        "Unexpected end of expression",
    ),  # AWS
    (
        "Output nested",
        single({"Type": "Pass", "Output": {"a": {"b": ["{% a[1,2) %}"]}}, "End": True}),
        INVALID,
        "/States/A/Output/a/b[0]",
        'Expected "]", got ","',
    ),  # AWS
    (
        "empty expression",
        single({"Type": "Pass", "Output": {"v": "{%  %}"}, "End": True}),
        INVALID,
        "/States/A/Output/v",
        "Unexpected end of expression",
    ),  # AWS (floci: "" -> Unexpected end of expression)
    (
        "Assign",
        single({"Type": "Pass", "Assign": {"v": "{% $x := %}"}, "End": True}),
        INVALID,
        "/States/A/Assign/v",
        "Unexpected end of expression",
    ),
    (
        "Arguments",
        single(task(Arguments={"Payload": {"Comment": "{% 1 + %}"}})),
        INVALID,
        "/States/A/Arguments/Payload/Comment",
        "Unexpected end of expression",
    ),
    (
        "Condition",
        with_b({"Type": "Choice", "Choices": [{"Condition": "{% 1 + %}", "Next": "B"}]}),
        INVALID,
        "/States/A/Choices[0]/Condition",
        "Unexpected end of expression",
    ),
    (
        "rule Output",
        with_b(
            {"Type": "Choice", "Choices": [{"Condition": True, "Output": "{% ( %}", "Next": "B"}]}
        ),
        INVALID,
        "/States/A/Choices[0]/Output",
        "Unexpected end of expression",
    ),
    (
        "rule Assign",
        with_b(
            {
                "Type": "Choice",
                "Choices": [{"Condition": True, "Assign": {"x": "{% 1 + %}"}, "Next": "B"}],
            }
        ),
        INVALID,
        "/States/A/Choices[0]/Assign/x",
        "Unexpected end of expression",
    ),
    (
        "catcher Output",
        with_b(task(Catch=[{"ErrorEquals": ["States.ALL"], "Output": "{% 1 + %}", "Next": "B"}])),
        INVALID,
        "/States/A/Catch[0]/Output",
        "Unexpected end of expression",
    ),
    (
        "catcher Assign",
        with_b(
            task(
                Catch=[
                    {"ErrorEquals": ["States.ALL"], "Assign": {"Retry": "{% 1 + %}"}, "Next": "B"}
                ]
            )
        ),
        INVALID,
        "/States/A/Catch[0]/Assign/Retry",
        "Unexpected end of expression",
    ),  # AWS location shape (floci: /States/E/Catch[0]/Assign/Retry)
    (
        "Wait Seconds",
        single({"Type": "Wait", "Seconds": "{% 1 + %}", "End": True}),
        INVALID,
        "/States/A/Seconds",
        "Unexpected end of expression",
    ),
    (
        "Wait Timestamp expression",
        single({"Type": "Wait", "Timestamp": "{% 1 + %}", "End": True}),
        INVALID,
        "/States/A/Timestamp",
        "Unexpected end of expression",
    ),
    (
        "Task HeartbeatSeconds",
        single(task(HeartbeatSeconds="{% 1 + %}")),
        INVALID,
        "/States/A/HeartbeatSeconds",
        "Unexpected end of expression",
    ),
    (
        "Map Items",
        single(mapped(Items="{% 1 + %}")),
        INVALID,
        "/States/A/Items",
        "Unexpected end of expression",
    ),
    (
        "Map ItemSelector expression",
        single(mapped(ItemSelector={"v": "{% 1 + %}"})),
        INVALID,
        "/States/A/ItemSelector/v",
        "Unexpected end of expression",
    ),
    (
        "Map ToleratedFailureCount",
        single(mapped(ToleratedFailureCount="{% 1 + %}")),
        INVALID,
        "/States/A/ToleratedFailureCount",
        "Unexpected end of expression",
    ),
    (
        "Fail Cause",
        single({"Type": "Fail", "Cause": "{% 1 + %}"}),
        INVALID,
        "/States/A/Cause",
        "Unexpected end of expression",
    ),
    (
        "Parallel branch state",
        single(
            {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {
                            "B": {"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": True}
                        },
                    }
                ],
                "End": True,
            }
        ),
        INVALID,
        "/States/A/Branches[0]/States/B/Output/v",
        "Unexpected end of expression",
    ),  # AWS location shape
    # --- QueryLanguage
    (
        "JSONPath state in a JSONata machine",
        single({"Type": "Pass", "QueryLanguage": "JSONPath", "Output": {}, "End": True}),
        SCHEMA,
        "/States/A",
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
    ),  # AWS (and floci, measured: the Output is not reported on top)
    (
        "JSONata fields of a JSONPath state nested in a JSONata Parallel",
        machine(
            {
                "A": {
                    "Type": "Parallel",
                    "QueryLanguage": "JSONata",
                    "Branches": [
                        {
                            "StartAt": "B",
                            "States": {"B": {"Type": "Pass", "Output": {}, "End": True}},
                        }
                    ],
                    "End": True,
                }
            }
        ),
        SCHEMA,
        "/States/A/Branches[0]/States/B",
        jsonata_only("Output"),
    ),  # AWS (floci, measured: a branch state inherits the machine's language)
    (
        "Map processor state inherits the JSONata machine",
        single(
            {
                **mapped(),
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "InputPath": "$", "End": True}},
                },
            }
        ),
        SCHEMA,
        "/States/A/ItemProcessor/States/P",
        other_language("InputPath"),
    ),
]


@pytest.mark.parametrize(
    ("definition", "code", "location", "message"),
    [pytest.param(d, c, loc, m, id=name) for name, d, c, loc, m in CASES],
)
def test_each_problem_is_reported_with_code_and_location(
    definition: Json, code: str, location: str, message: str
) -> None:
    problems = errors(definition)
    assert len(problems) == 1, problems
    assert (problems[0].code, problems[0].location) == (code, location)
    assert message in problems[0].message


# --- several problems, their order --------------------------------------------------


def test_jsonpath_fields_are_reported_in_definition_order() -> None:
    state = {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}
    assert [m for _, _, m in found(single({**state, "End": True}))] == [
        other_language("InputPath"),
        other_language("OutputPath"),
        other_language("ResultPath"),
    ]  # AWS (floci, measured)


def test_unknown_state_language_resolves_to_jsonata_and_is_reported_after_fields() -> None:
    # AWS (floci, measured): the InputPath is refused first, then the value at its field.
    state = {"Type": "Pass", "QueryLanguage": "foo", "InputPath": "$.a", "End": True}
    assert found(machine({"A": state})) == [
        (SCHEMA, "/States/A", other_language("InputPath")),
        (
            SCHEMA,
            "/States/A/QueryLanguage",
            "Value should be one of the following: [JSONPath, JSONata]",
        ),
    ]


def test_unknown_machine_language_resolves_to_jsonata() -> None:
    # AWS (floci, measured): "jsonpath" is not JSONPath; the state is JSONata.
    definition = machine(
        {"A": {"Type": "Pass", "InputPath": "$.a", "End": True}}, QueryLanguage="jsonpath"
    )
    assert found(definition) == [
        (SCHEMA, "/QueryLanguage", "Value should be one of the following: [JSONPath, JSONata]"),
        (SCHEMA, "/States/A", other_language("InputPath")),
    ]


def test_downgrade_keeps_the_other_checks() -> None:
    # AWS (floci, measured): the downgrade and MaxConcurrency's range error come together.
    state = {**mapped(MaxConcurrency=-1), "QueryLanguage": "JSONPath"}
    assert [(c, loc) for c, loc, _ in found(single(state))] == [
        (SCHEMA, "/States/A"),
        (SCHEMA, "/States/A/MaxConcurrency"),
    ]


def test_each_malformed_expression_of_a_field_is_reported() -> None:
    state = {"Type": "Pass", "Output": {"a": "{% 1 + %}", "b": ["{% 2 %}", "{% ( %}"]}, "End": True}
    assert [(c, loc) for c, loc, _ in found(single(state))] == [
        (INVALID, "/States/A/Output/a"),
        (INVALID, "/States/A/Output/b[1]"),
    ]


def test_broken_jsonata_definition_reports_every_problem() -> None:
    definition = jsonata(
        {
            "A": {
                "Type": "Pass",
                "InputPath": "$.x",
                "Output": {"v": "{% 1 + %}"},
                "Assign": {"x": "{% a[1,2) %}"},
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.x", "StringEquals": "a", "Next": "W"},
                    {"Condition": "{% ( %}", "Next": "Ghost"},
                ],
                "Default": "W",
            },
            "W": {"Type": "Wait", "Seconds": -5, "SecondsPath": "$.s", "Next": "T"},
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {},
                "TimeoutSeconds": "{% 1 + %}",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "F"}],
                "End": True,
            },
            "F": {"Type": "Fail", "Cause": 7},
        }
    )
    assert [(code, location) for code, location, _ in found(definition)] == [
        (SCHEMA, "/States/A"),  # InputPath
        (INVALID, "/States/A/Output/v"),
        (INVALID, "/States/A/Assign/x"),
        (SCHEMA, "/States/C/Choices[0]"),  # Variable
        (SCHEMA, "/States/C/Choices[0]"),  # StringEquals
        (INVALID, "/States/C/Choices[1]/Condition"),
        (SCHEMA, "/States/W"),  # SecondsPath
        (SCHEMA, "/States/W"),  # Seconds and SecondsPath
        (SCHEMA, "/States/W/Seconds"),
        (SCHEMA, "/States/T"),  # Parameters
        (SCHEMA, "/States/T/Catch[0]"),  # ResultPath
        (INVALID, "/States/T/TimeoutSeconds"),
        (SCHEMA, "/States/F/Cause"),
        ("MISSING_TRANSITION_TARGET", "/States/C/Choices[1]/Next"),
    ]


def test_undefined_variables_are_not_validation_errors() -> None:
    # AWS (REFVARS test_undefined_reference): accepted at creation, fails at run time.
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Output": "{% $doesNotExist %}", "Next": "B"},
            "B": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"r": "{% $nope %}"},
                "End": True,
            },
        }
    )
    assert validate(definition) == []
    jsonpath = machine({"A": {"Type": "Pass", "Parameters": {"r.$": "$nope"}, "End": True}})
    assert validate(jsonpath) == []


# --- variable names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["x", "theAnswer", "x1", "état", "変数", "a_b", "_hidden", "v" * 80]
)
def test_valid_variable_names(name: str) -> None:
    assert variable_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "is a Unicode identifier"),
        ("1x", "is a Unicode identifier"),
        ("a.b", "is a Unicode identifier"),
        ("a-b", "is a Unicode identifier"),
        ("has space", "is a Unicode identifier"),
        ("states", "'states' is reserved"),
        ("v" * 81, "exceeds the 80-character limit"),
    ],
)
def test_invalid_variable_names(name: str, why: str) -> None:
    problem = variable_name_problem(name)
    assert problem is not None and problem.startswith("Invalid variable name: ") and why in problem


@pytest.mark.parametrize(
    ("definition", "location", "name"),
    [
        pytest.param(
            machine({"A": {"Type": "Pass", "Assign": {"a.b": 1}, "End": True}}),
            "/States/A/Assign",
            "'a.b'",
            id="JSONPath literal",
        ),
        pytest.param(
            machine({"A": {"Type": "Pass", "Assign": {"a.b.$": "$.x"}, "End": True}}),
            "/States/A/Assign",
            "'a.b'",
            id="JSONPath path",
        ),
        pytest.param(
            single({"Type": "Pass", "Assign": {"my var": 1}, "End": True}),
            "/States/A/Assign",
            "'my var'",
            id="JSONata",
        ),
        pytest.param(
            single({"Type": "Pass", "Assign": {"states": 1}, "End": True}),
            "/States/A/Assign",
            "'states'",
            id="reserved",
        ),
        pytest.param(
            with_b(task(Catch=[{"ErrorEquals": ["States.ALL"], "Assign": {"1x": 1}, "Next": "B"}])),
            "/States/A/Catch[0]/Assign",
            "'1x'",
            id="catcher",
        ),
        pytest.param(
            with_b(
                {
                    "Type": "Choice",
                    "Choices": [{"Condition": True, "Assign": {"x-y": 1}, "Next": "B"}],
                }
            ),
            "/States/A/Choices[0]/Assign",
            "'x-y'",
            id="Choice rule",
        ),
    ],
)
def test_invalid_variable_names_are_refused(definition: Json, location: str, name: str) -> None:
    # stepline's refusal and wording: AWS's answer is not recorded (see validate_assign).
    ((code, at, message),) = found(definition)
    assert (code, at) == (SCHEMA, location)
    assert message.startswith(f"Invalid variable name: {name}")


# --- variable scopes (docs: an inner scope cannot assign an outer variable) -----------


def scoped(inner_assign: Json, *, outer: Json, parallel: bool = False, **map_fields: Json) -> Json:
    """A JSONata machine: Init assigns ``outer``, then a Map (or Parallel) whose inner
    state I assigns ``inner_assign``."""
    inner = {"StartAt": "I", "States": {"I": {"Type": "Pass", "Assign": inner_assign, "End": True}}}
    nested: dict[str, Json] = (
        {
            "Type": "Parallel",
            "Branches": [
                inner,
                {
                    "StartAt": "J",
                    "States": {"J": {"Type": "Pass", "Assign": inner_assign, "End": True}},
                },
            ],
            "End": True,
        }
        if parallel
        else {"Type": "Map", "ItemProcessor": inner, "End": True, **map_fields}
    )
    return jsonata({"Init": {"Type": "Pass", "Assign": outer, "Next": "N"}, "N": nested}, "Init")


def scope_error(name: str, location: str) -> tuple[str, str, str]:
    return (
        SCHEMA,
        location,
        f"Variable '{name}' belongs to an enclosing scope: a state inside a Parallel branch or "
        "a Map iteration cannot assign it",
    )


def test_map_iteration_cannot_assign_an_outer_variable() -> None:
    assert found(scoped({"counter": "{% $counter + 1 %}"}, outer={"counter": 0})) == [
        scope_error("counter", "/States/N/ItemProcessor/States/I/Assign")
    ]


def test_parallel_branches_cannot_assign_an_outer_variable() -> None:
    assert found(scoped({"status": "done"}, outer={"status": "new"}, parallel=True)) == [
        scope_error("status", "/States/N/Branches[0]/States/I/Assign"),
        scope_error("status", "/States/N/Branches[1]/States/J/Assign"),
    ]


def test_jsonpath_inner_state_cannot_assign_an_outer_variable() -> None:
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "Assign": {"x.$": "$"}, "End": True}},
                },
                "End": True,
            },
        },
        "Init",
    )
    assert found(definition) == [scope_error("x", "/States/M/ItemProcessor/States/P/Assign")]


def test_nested_iteration_cannot_assign_the_enclosing_iteration_variable() -> None:
    inner_map = {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Deep",
            "States": {"Deep": {"Type": "Pass", "Assign": {"current": 2}, "End": True}},
        },
        "End": True,
    }
    definition = jsonata(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Set",
                    "States": {
                        "Set": {"Type": "Pass", "Assign": {"current": 1}, "Next": "Inner"},
                        "Inner": inner_map,
                    },
                },
                "End": True,
            }
        },
        "M",
    )
    assert found(definition) == [
        scope_error(
            "current", "/States/M/ItemProcessor/States/Inner/ItemProcessor/States/Deep/Assign"
        )
    ]


def test_what_scopes_allow() -> None:
    # Inner states assign their own names, and sibling branches the same name (ASSIGNBASE
    # BASE_SCOPE_PARALLEL); the Map's own Assign and its catchers are in the outer scope.
    assert found(scoped({"innerX": 1}, outer={"x": 1}, parallel=True)) == []
    outer_owned = scoped(
        {"item": 1},
        outer={"x": 1},
        Assign={"x": 2},
        Catch=[{"ErrorEquals": ["States.ALL"], "Assign": {"x": 3}, "Next": "Init"}],
    )
    assert found(outer_owned) == []


def test_distributed_map_child_is_a_scope_of_its_own() -> None:
    definition = scoped({"x": 2}, outer={"x": 1})
    definition["States"]["N"]["ItemProcessor"]["ProcessorConfig"] = {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    assert found(definition) == []


# --- what an expression may read (AWS: UNSUPPORTED_JSONATA_EXPRESSION) -----------------

UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"


def output(value: Json) -> dict[str, Json]:
    return single({"Type": "Pass", "Output": value, "End": True})


def top_level(name: str) -> str:
    return f"Reference to '{name}' at the top level is not supported."


@pytest.mark.parametrize(
    ("definition", "location", "message"),
    [
        pytest.param(output({"v": "{% phone %}"}), "/States/A/Output/v", top_level("phone")),
        pytest.param(output({"v": "{% phone[0] %}"}), "/States/A/Output/v", top_level("phone")),
        pytest.param(
            output({"a": {"b": ["{% phone %}"]}}), "/States/A/Output/a/b[0]", top_level("phone")
        ),
        pytest.param(output("{% $.phone %}"), "/States/A/Output", top_level("$")),
        pytest.param(output("{% $$ %}"), "/States/A/Output", "Reference to '$$' is not supported."),
        pytest.param(
            output("{% $states.errorOutput %}"),
            "/States/A/Output",
            "Field '$states.errorOutput' does not exist.",
        ),
        pytest.param(
            single({"Type": "Pass", "Assign": {"Next": "{% phone %}"}, "End": True}),
            "/States/A/Assign/Next",
            top_level("phone"),
        ),
        pytest.param(
            with_b({"Type": "Choice", "Choices": [{"Condition": "{% phone = 1 %}", "Next": "B"}]}),
            "/States/A/Choices[0]/Condition",
            top_level("phone"),
        ),
        pytest.param(
            single({"Type": "Wait", "Seconds": "{% phone %}", "End": True}),
            "/States/A/Seconds",
            top_level("phone"),
        ),
        pytest.param(
            single({"Type": "Fail", "Cause": "{% phone %}"}), "/States/A/Cause", top_level("phone")
        ),
        pytest.param(single(mapped(Items="{% phone %}")), "/States/A/Items", top_level("phone")),
        pytest.param(
            single(mapped(ItemSelector={"Next": "{% phone %}"})),
            "/States/A/ItemSelector/Next",
            top_level("phone"),
        ),
        pytest.param(
            single(
                {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "B",
                            "States": {
                                "B": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": True}
                            },
                        }
                    ],
                    "End": True,
                }
            ),
            "/States/A/Branches[0]/States/B/Output/v",
            top_level("phone"),
        ),
        pytest.param(
            with_b(
                task(
                    Catch=[
                        {"ErrorEquals": ["States.ALL"], "Output": {"v": "{% phone %}"}, "Next": "B"}
                    ]
                )
            ),
            "/States/A/Catch[0]/Output/v",
            top_level("phone"),
        ),
        pytest.param(
            jsonata(
                {
                    "A": {"Type": "Pass", "Assign": {"phone": "{% 1 %}"}, "Next": "E"},
                    "E": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": True},
                }
            ),
            "/States/E/Output/v",
            top_level("phone"),
        ),  # an earlier Assign does not make the bare name legal
    ],
)
def test_references_aws_refuses(definition: Json, location: str, message: str) -> None:
    # AWS (floci-io/floci issue #2670 and its tests, measured against AWS).
    assert found(definition) == [(UNSUPPORTED, location, message)]


def test_each_distinct_name_gets_its_own_diagnostic() -> None:
    assert found(output({"v": "{% aaa + bbb + aaa %}"})) == [
        (UNSUPPORTED, "/States/A/Output/v", top_level("aaa")),
        (UNSUPPORTED, "/States/A/Output/v", top_level("bbb")),
    ]  # AWS (floci, measured)


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.phone",
        "$states.input.phone[0]",
        "$states.input.items[phone > 3]",
        "$map($states.input.a, function($x){ $x.phone })",
        "$phone",
        "$states.input^(name)",
        "$states.input{kind: $count($)}",
        "$states.input ~> |a|{'b': c}|",
        "($x := $states.input; $x.a)",
        "$states.input.a#$i.b",
    ],
)
def test_anchored_references_are_accepted(expression: str) -> None:
    assert found(output({"v": "{% " + expression + " %}"})) == []


def test_error_output_is_readable_in_catchers() -> None:
    catcher = {
        "ErrorEquals": ["States.ALL"],
        "Output": "{% $states.errorOutput %}",
        "Assign": {"lastError": "{% $states.errorOutput.Error %}"},
        "Next": "B",
    }
    assert found(with_b(task(Catch=[catcher]))) == []  # AWS (floci, measured)


def test_fields_that_are_not_expressions_are_not_parsed() -> None:
    # AWS (floci, measured): Comment, ErrorEquals and JSONPath states keep "{% %}" as text.
    assert found(single({"Type": "Pass", "Comment": "{% phone %}", "End": True})) == []
    assert found(single(task(Retry=[{"ErrorEquals": ["{% phone %}"]}]))) == []
    jsonpath = machine({"A": {"Type": "Pass", "Parameters": {"v": "{% phone %}"}, "End": True}})
    assert found(jsonpath) == []


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ("$x :=", "Unexpected end of expression"),
        ("phone %.other", 'The symbol "." cannot be used as a unary operator'),
        ("", "Unexpected end of expression"),
    ],
)
def test_parse_errors_are_worded_as_aws(expression: str, message: str) -> None:
    # AWS: every pair run through validate-state-machine-definition (floci's tests).
    assert found(output("{% " + expression + " %}")) == [(INVALID, "/States/A/Output", message)]
