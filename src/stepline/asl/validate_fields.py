"""Which fields each state type accepts, in each query language.

AWS (measured with ValidateStateMachineDefinition): a field the state type does not know
is ``Field 'X' is not supported``, located at the state. A field that belongs to the
other query language has a message of its own, also located at the state:

- JSONPath state: ``The QueryLanguage is set to 'JSONPath', but field 'Output' is only
  supported for the 'JSONata' QueryLanguage`` (Output, Arguments, Items);
- JSONata state: ``The QueryLanguage is set to 'JSONata', but field 'InputPath' is only
  supported for the 'JSONPath' QueryLanguage`` (InputPath, OutputPath, ResultPath,
  ResultSelector, Parameters, Result, ItemsPath and every ``*Path`` field; recorded from
  AWS in floci-io/floci's validator tests).

A state that sets ``"QueryLanguage": "JSONPath"`` under a JSONata machine gets only
``'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine``:
AWS does not add the other-language field messages on top (floci, measured).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from stepline.asl.errors import Json
from stepline.asl.validate_common import Language, Report, expect_string

_IO: Final = ("InputPath", "OutputPath")
_RESULT: Final = ("ResultPath", "ResultSelector", "Retry", "Catch")
_TRANSITION: Final = ("Next", "End")
_HANDLERS: Final = ("Retry", "Catch")
_MAP_COMMON: Final = (
    "ItemProcessor",
    "Iterator",
    "ItemSelector",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Label",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
)
_MAP_PATHS: Final = (
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
)
_TASK_COMMON: Final = ("Resource", "Credentials", "TimeoutSeconds", "HeartbeatSeconds")
_TASK_PATHS: Final = ("TimeoutSecondsPath", "HeartbeatSecondsPath")

# AWS: the fields each type accepts besides Type, Comment and QueryLanguage.
JSONPATH_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "Pass": frozenset({*_IO, "Result", "ResultPath", "Parameters", "Assign", *_TRANSITION}),
    "Task": frozenset(
        {*_IO, *_RESULT, "Parameters", *_TASK_COMMON, *_TASK_PATHS, "Assign", *_TRANSITION}
    ),
    "Wait": frozenset(
        {*_IO, "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", *_TRANSITION}
    ),
    "Parallel": frozenset({*_IO, *_RESULT, "Parameters", "Branches", "Assign", *_TRANSITION}),
    "Map": frozenset(
        {*_IO, *_RESULT, "Parameters", *_MAP_COMMON, *_MAP_PATHS, "Assign", *_TRANSITION}
    ),
    "Choice": frozenset({*_IO, "Choices", "Default", "Assign"}),
    "Succeed": frozenset(_IO),
    "Fail": frozenset({"Error", "Cause", "ErrorPath", "CausePath"}),
}
# AWS developer guide (transforming-data, per-state pages): Arguments on Task and Parallel,
# Output on all but Fail, Assign where JSONPath has it, Items on Map.
JSONATA_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "Pass": frozenset({"Output", "Assign", *_TRANSITION}),
    "Task": frozenset({*_TASK_COMMON, "Arguments", "Output", "Assign", *_HANDLERS, *_TRANSITION}),
    "Wait": frozenset({"Seconds", "Timestamp", "Output", "Assign", *_TRANSITION}),
    "Parallel": frozenset({"Branches", "Arguments", "Output", "Assign", *_HANDLERS, *_TRANSITION}),
    "Map": frozenset({*_MAP_COMMON, "Items", "Output", "Assign", *_HANDLERS, *_TRANSITION}),
    "Choice": frozenset({"Choices", "Default", "Output", "Assign"}),
    "Succeed": frozenset({"Output"}),
    "Fail": frozenset({"Error", "Cause"}),
}
_FIELDS: Final[Mapping[Language, Mapping[str, frozenset[str]]]] = {
    "JSONPath": JSONPATH_FIELDS,
    "JSONata": JSONATA_FIELDS,
}
_COMMON: Final = frozenset({"Type", "Comment", "QueryLanguage"})


def check_fields(
    report: Report,
    state: Mapping[str, Json],
    state_type: str,
    location: str,
    language: Language,
    *,
    downgraded: bool = False,
) -> None:
    """Report each field the state cannot carry, in the order the definition lists them.

    ``downgraded``: a JSONPath state under a JSONata machine, already refused as a whole.
    """
    own = _FIELDS[language][state_type]
    other = _FIELDS["JSONata" if language == "JSONPath" else "JSONPath"][state_type]
    for key in state:
        if key in own or key in _COMMON:
            continue
        if key in other:
            if not downgraded:
                report.other_language(key, language, location)
        else:
            report.schema(f"Field '{key}' is not supported", location)
    if "Comment" in state:
        expect_string(report, state["Comment"], f"{location}/Comment")
