"""TestState's answer, shaped like botocore's ``TestStateOutput`` and ``InspectionData``.

Payloads are JSON text, as AWS sends them. AWS echoes a caller's text unchanged when a
value passes through untouched (docs, test-state-isolation: input ``{"number": 2}`` comes
back as output ``"{\\"number\\": 2}"``; recorded: a mocked Map result ``"[1, 4, 9]"``), so
the request's input and mock result keep their own text; everything else is rendered as
the history renders it (compact).

Which intermediate values DEBUG shows follows AWS's recordings (LocalStack's TestState
snapshots): a JSONPath Pass with ``Result`` shows ``result`` but no ``afterInputPath``; a
Pass without it shows ``afterParameters`` and ``afterResultSelector`` even when the state
has neither field; Choice, Wait, Succeed and Fail show ``afterInputPath``; JSONata states
show ``afterArguments`` (Task, Parallel) and no JSONPath step; a Map shows no ``result``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, TypeAlias

from stepline.asl.dataflow import to_json_text
from stepline.asl.errors import Json
from stepline.asl.model import FailState, MapState, PassState, State
from stepline.engine.teststate.runner import Outcome, StateTest

Status: TypeAlias = Literal["SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR"]

# botocore InspectionData member order.
_ORDER: Final = (
    "input",
    "afterArguments",
    "afterInputPath",
    "afterParameters",
    "result",
    "afterResultSelector",
    "afterResultPath",
    "variables",
    "errorDetails",
    "afterItemsPath",
    "afterItemSelector",
    "toleratedFailureCount",
    "toleratedFailurePercentage",
    "maxConcurrency",
)
_TEXT_FIELDS: Final = frozenset(
    {
        "input",
        "afterArguments",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "variables",
        "afterItemsPath",
        "afterItemSelector",
    }
)


@dataclass(frozen=True, slots=True)
class TestStateResult:
    """The outcome of one TestState call. ``output`` and the payloads in
    ``inspection_data`` are JSON text; ``inspection_data`` is None at INFO."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    status: Status
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    inspection_data: Mapping[str, Any] | None = None

    @property
    def output_value(self) -> Json:
        """``output`` parsed (None when there is none)."""
        return None if self.output is None else json.loads(self.output)

    def to_dict(self) -> dict[str, Any]:
        """The ``TestStateOutput`` JSON object (absent members left out)."""
        shape: dict[str, Any] = {}
        if self.output is not None:
            shape["output"] = self.output
        if self.error is not None:
            shape["error"] = self.error
        if self.cause is not None:
            shape["cause"] = self.cause
        if self.inspection_data is not None:
            shape["inspectionData"] = dict(self.inspection_data)
        if self.next_state is not None:
            shape["nextState"] = self.next_state
        shape["status"] = self.status
        return shape


class Renderer:
    """JSON text for values, keeping the caller's own text for the values they gave."""

    def __init__(self, originals: Mapping[int, str]) -> None:
        self.originals = originals  # id() of a parsed container -> its request text

    def text(self, value: Json) -> str:
        if isinstance(value, dict | list):
            original = self.originals.get(id(value))
            if original is not None:
                return original
        return to_json_text(value)


def build_result(
    outcome: Outcome, test: StateTest, level: str, renderer: Renderer
) -> TestStateResult:
    output = None
    if outcome.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        output = renderer.text(outcome.output)
    inspection = None
    if level != "INFO":
        inspection = _inspection(outcome, test, renderer)
    return TestStateResult(
        status=outcome.status,
        output=output,
        error=outcome.error,
        cause=outcome.cause,
        next_state=outcome.next_state,
        inspection_data=inspection,
    )


def _inspection(outcome: Outcome, test: StateTest, renderer: Renderer) -> dict[str, Any]:
    seen = _shown(test.st, test.seen, test.visit.data)
    values: dict[str, Any] = {"input": test.visit.data, **seen, **test.extras}
    if outcome.variables:
        values["variables"] = dict(outcome.variables)
    if outcome.error_details:
        values["errorDetails"] = dict(outcome.error_details)
    shaped: dict[str, Any] = {}
    for key in _ORDER:
        if key in values:
            value = values[key]
            shaped[key] = renderer.text(value) if key in _TEXT_FIELDS else value
    return shaped


def _shown(st: State, seen: dict[str, Json], data: Json) -> dict[str, Json]:
    """The intermediate values AWS shows for this state (see the module docstring)."""
    shown = dict(seen)
    if st.base.query_language == "JSONata":
        return shown  # the JSONata flow records no JSONPath step
    if isinstance(st, FailState):
        shown["afterInputPath"] = data
    elif isinstance(st, PassState):
        if st.has_result:
            shown.pop("afterInputPath", None)
            shown["result"] = shown["afterResultSelector"] = st.result
        elif "afterInputPath" in shown and (st.parameters is None or "afterParameters" in shown):
            shown.setdefault("afterParameters", shown["afterInputPath"])
            shown["afterResultSelector"] = shown["afterParameters"]
    elif isinstance(st, MapState):
        shown.pop("result", None)
    return shown
