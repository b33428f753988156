"""Validation of the states that nest state machines: Parallel and Map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from stepline.asl.diagnostics import DUPLICATE_LABEL_NAME, INVALID_LABEL_NAME
from stepline.asl.errors import Json
from stepline.asl.validate_common import (
    Language,
    Report,
    StateContext,
    check_exclusive,
    check_known_fields,
    check_path,
    check_required,
    check_template,
    expect_array,
    expect_enum,
    expect_int,
    expect_number,
    expect_object,
    expect_string,
    warn_missing_dollar,
)
from stepline.asl.validate_expressions import (
    check_jsonata,
    check_jsonata_int,
    check_jsonata_number,
    is_expression,
)
from stepline.asl.validate_map_io import MAP_IO_FIELDS, check_map_io

MAX_LABEL: Final = 40
MODES: Final = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES: Final = ("STANDARD", "EXPRESS")
# AWS docs (Map state, Label): no whitespace, brackets, wildcards, special or control chars.
_LABEL_FORBIDDEN: Final = frozenset(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')


def check_parallel(
    report: Report, state: Mapping[str, Json], location: str, context: StateContext
) -> None:
    if not check_required(report, state, ("Branches",), location):
        return
    branches = expect_array(report, state["Branches"], f"{location}/Branches", non_empty=True)
    for index, branch in enumerate(branches or ()):
        context.check_branch(branch, f"{location}/Branches[{index}]", frozenset())


def check_map(
    report: Report,
    state: Mapping[str, Json],
    location: str,
    context: StateContext,
    language: Language = "JSONPath",
) -> None:
    key = check_exclusive(report, state, ("ItemProcessor", "Iterator"), location, required=True)
    if key is not None:
        _check_processor(report, state[key], f"{location}/{key}", context)
    if language == "JSONata":
        _check_jsonata_map(report, state, location)
    else:
        _check_jsonpath_map(report, state, location)
    if "Label" in state:
        _check_label(report, state["Label"], f"{location}/Label", context)
    if _distributed(state.get(key or "")):
        check_map_io(report, state, location, language)
    else:
        for name in MAP_IO_FIELDS:
            if name in state:
                # AWS: these fields belong to a Distributed Map.
                report.schema(f"Field '{name}' is not supported", location)


def _distributed(processor: Json) -> bool:
    if not isinstance(processor, dict):
        return False
    config = processor.get("ProcessorConfig")
    return isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


def _check_jsonpath_map(report: Report, state: Mapping[str, Json], location: str) -> None:
    if "ItemsPath" in state:
        check_path(report, state["ItemsPath"], f"{location}/ItemsPath", reference=True)
    check_exclusive(report, state, ("ItemSelector", "Parameters"), location, required=False)
    for selector in ("ItemSelector", "Parameters"):
        if selector in state:
            at = f"{location}/{selector}"
            check_template(report, state[selector], selector, at)
            warn_missing_dollar(report, state[selector], at)
    _check_limit(report, state, "MaxConcurrency", location, integer=True, maximum=None)
    _check_limit(report, state, "ToleratedFailureCount", location, integer=True, maximum=None)
    _check_limit(report, state, "ToleratedFailurePercentage", location, integer=False, maximum=100)


def _check_jsonata_map(report: Report, state: Mapping[str, Json], location: str) -> None:
    """Items, ItemSelector and the limits of a JSONata Map: literals or expressions."""
    if "Items" in state:
        check_jsonata(report, state["Items"], "Items", f"{location}/Items")
    if "ItemSelector" in state:
        at = f"{location}/ItemSelector"
        selector = state["ItemSelector"]
        if is_expression(selector) or expect_object(report, selector, at) is not None:
            check_jsonata(report, selector, "ItemSelector", at)
    for name in ("MaxConcurrency", "ToleratedFailureCount"):
        if name in state:
            check_jsonata_int(report, state, name, location, minimum=0)
    if "ToleratedFailurePercentage" in state:
        check_jsonata_number(
            report, state, "ToleratedFailurePercentage", location, minimum=0, maximum=100
        )


def _check_processor(report: Report, value: Json, at: str, context: StateContext) -> None:
    processor = expect_object(report, value, at)
    if processor is None:
        return
    if "ProcessorConfig" in processor:
        _check_processor_config(report, processor["ProcessorConfig"], f"{at}/ProcessorConfig")
    context.check_branch(processor, at, frozenset({"ProcessorConfig"}))


def _check_processor_config(report: Report, value: Json, at: str) -> None:
    config = expect_object(report, value, at)
    if config is None:
        return
    check_known_fields(report, config, frozenset({"Mode", "ExecutionType"}), at)
    mode = expect_enum(report, config["Mode"], MODES, f"{at}/Mode") if "Mode" in config else None
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        report.schema("These fields are required: [ExecutionType]", at)
    if "ExecutionType" in config:
        if mode != "DISTRIBUTED":
            report.schema("Field 'ExecutionType' is not supported", at)
        else:
            expect_enum(report, config["ExecutionType"], EXECUTION_TYPES, f"{at}/ExecutionType")


def _check_limit(
    report: Report,
    state: Mapping[str, Json],
    name: str,
    location: str,
    *,
    integer: bool,
    maximum: int | None,
) -> None:
    """MaxConcurrency / ToleratedFailure*: a value or a ``...Path``, not both.

    AWS: a negative MaxConcurrency is ``Minimum value is 0``; no upper bound is checked.
    """
    check_exclusive(report, state, (name, f"{name}Path"), location, required=False)
    if name in state:
        at = f"{location}/{name}"
        if integer:
            expect_int(report, state[name], at, minimum=0, maximum=maximum)
        else:
            expect_number(report, state[name], at, minimum=0, maximum=maximum)
    if f"{name}Path" in state:
        check_path(report, state[f"{name}Path"], f"{location}/{name}Path", reference=True)


def _check_label(report: Report, value: Json, at: str, context: StateContext) -> None:
    label = expect_string(report, value, at)
    if label is None:
        return
    if len(label) > MAX_LABEL:
        report.error(
            INVALID_LABEL_NAME,
            f"Invalid Label name: Label '{label}' exceeds the {MAX_LABEL}-character limit "
            "allowed by the service",
            at,
        )
    elif any(char in _LABEL_FORBIDDEN or ord(char) < 32 for char in label):
        report.error(
            INVALID_LABEL_NAME,
            f"Invalid Label name: Label '{label}' contains a character that is not allowed "
            "(whitespace, brackets, wildcards, special or control characters)",
            at,
        )
    if label in context.labels:
        report.error(DUPLICATE_LABEL_NAME, f"Duplicate Label name: {label}", at)
    else:
        context.labels[label] = at
