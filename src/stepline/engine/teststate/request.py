"""What a TestState request carries besides the definition, and AWS's checks on it.

Shapes follow botocore's ``TestStateInput``: ``mock`` (``MockInput``: ``result`` JSON text
or ``errorOutput {error, cause}``, ``fieldValidationMode``), ``stateConfiguration``
(``TestStateConfiguration``), ``context`` and ``variables`` (JSON text). Messages quoted
below were recorded against AWS (LocalStack's TestState snapshots, ``tests/aws/services/
stepfunctions/v2/test_state``); the others are stepline's, marked so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, TypeAlias

from stepline.asl.errors import Json
from stepline.asl.model import MapState, ParallelState, State, TaskState
from stepline.engine.flow_jsonpath import is_callback

ErrorCode: TypeAlias = Literal["ValidationException", "InvalidDefinition", "InvalidExecutionInput"]
INSPECTION_LEVELS: Final = ("INFO", "DEBUG", "TRACE")
FIELD_VALIDATION_MODES: Final = ("STRICT", "PRESENT", "NONE")
Invoke: TypeAlias = Callable[[str, Json], Json]
"""``invoke(resource, parameters) -> result``; a failure raises ``StatesError`` or any
exception with ``error`` (and ``cause``) attributes, such as the integrations'
``TaskFailure``."""


class TestStateError(ValueError):
    """A request AWS refuses before running the state; ``code`` names AWS's exception
    (``ValidationException``, ``InvalidDefinition``, ``InvalidExecutionInput``)."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message


def invalid(message: str) -> TestStateError:
    return TestStateError("ValidationException", message)


@dataclass(frozen=True, slots=True)
class MockErrorOutput:
    """``mock.errorOutput``: the error the state's invocation raises."""

    error: str | None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class Mock:
    """``mock``: the invocation's ``result`` (JSON text) or its ``error_output``."""

    result: str | None = None
    error_output: MockErrorOutput | None = None
    field_validation_mode: str = "STRICT"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mock:
        """From the request's ``mock`` object (AWS field names)."""
        raw = data.get("errorOutput")
        error_output = None
        if isinstance(raw, Mapping):
            error_output = MockErrorOutput(raw.get("error"), raw.get("cause"))
        return cls(
            result=data.get("result"),
            error_output=error_output,
            field_validation_mode=data.get("fieldValidationMode") or "STRICT",
        )


@dataclass(frozen=True, slots=True)
class StateConfig:
    """``stateConfiguration`` (botocore ``TestStateConfiguration``)."""

    retrier_retry_count: int | None = None
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    map_item_reader_data: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StateConfig:
        return cls(
            retrier_retry_count=data.get("retrierRetryCount"),
            error_caused_by_state=data.get("errorCausedByState"),
            map_iteration_failure_count=data.get("mapIterationFailureCount"),
            map_item_reader_data=data.get("mapItemReaderData"),
        )


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the mock says the state's invocation did: a result, or an error."""

    result: Json = None
    result_text: str | None = None
    error: str | None = None
    cause: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


# ---- JSON texts ------------------------------------------------------------------------


def parse_input(text: str | None) -> Json:
    """``input``; absent or empty means ``{}``. stepline's message."""
    if text is None or not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError as exc:
        raise TestStateError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'"
        ) from None


def parse_variables(text: str | None) -> dict[str, Json]:
    """``variables``: a JSON object of variable names to values. stepline's messages."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise invalid(f"Invalid variables: the value is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise invalid("Invalid variables: the value must be a JSON object of variable values")
    return value


# ---- mock ------------------------------------------------------------------------------

_MOCKABLE: Final = ("Task", "Map", "Parallel")


def check_mock(mock: Mock | None, st: State, reveal_secrets: bool) -> Invocation | None:
    """AWS's checks on ``mock`` for the state under test; the parsed invocation."""
    if mock is None:
        if isinstance(st, MapState | ParallelState):
            # AWS (test_state_mock_validation recordings): an InvalidDefinition, same text
            # for Map and Parallel.
            raise TestStateError(
                "InvalidDefinition",
                "TestState API does not support Map or Parallel states. Supported state "
                "types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
            )
        return None
    if st.type not in _MOCKABLE:
        # AWS (recorded for Pass, Fail, Succeed; API reference: "A mock can only be
        # specified for Task, Map, or Parallel states").
        raise invalid(f"State type '{st.type}' is not supported when a mock is specified")
    if reveal_secrets:
        raise invalid("TestState does not support RevealSecrets when a mock is specified.")
    if mock.result is not None and mock.error_output is not None:
        raise invalid(
            "A test mock should have only one of the following fields: [result, errorOutput]."
        )
    if mock.field_validation_mode not in FIELD_VALIDATION_MODES:
        raise invalid(_enum_message(mock.field_validation_mode, "mock.fieldValidationMode"))
    if mock.error_output is not None:
        error = mock.error_output.error
        if not isinstance(error, str) or not error:
            # stepline's message (botocore: "required if mock.errorOutput is specified").
            raise invalid("mock.errorOutput.error is required when mock.errorOutput is given")
        return Invocation(error=error, cause=mock.error_output.cause)
    if mock.result is None:
        raise invalid(  # stepline's message
            "A test mock should have one of the following fields: [result, errorOutput]."
        )
    try:
        result = json.loads(mock.result)
    except ValueError:
        # LocalStack's text (AWS checks this even with fieldValidationMode NONE).
        raise invalid("Mocked result must be valid JSON") from None
    if isinstance(st, MapState | ParallelState) and not isinstance(result, list):
        raise invalid("Mocked result must be an array.")  # AWS (recorded)
    if isinstance(st, ParallelState) and len(result) != len(st.branches):
        raise invalid(  # AWS (recorded)
            "Mocked result must contain the same number of items as number of Parallel branches."
        )
    return Invocation(result=result, result_text=mock.result)


def needs_mock(st: State) -> bool:
    """AWS: "Without a mock, invoking these states via TestState API will return a
    validation exception" (Activity, .sync and .waitForTaskToken tasks)."""
    return isinstance(st, TaskState) and (is_callback(st.resource) or ".sync" in st.resource)


def check_runnable(st: State, mocked: bool, role_arn: str | None, invoke: Invoke | None) -> None:
    if not isinstance(st, TaskState) or mocked:
        return
    if role_arn is None:
        # AWS (recorded): a Task tested without a mock needs the execution role.
        raise invalid("RoleArn must be specified when testing a Task state")
    if needs_mock(st):
        raise invalid(  # stepline's message, after AWS's docs
            "TestState supports Activity tasks and the .sync and .waitForTaskToken service "
            "integration patterns only when a mock is specified"
        )
    if invoke is None:
        raise invalid(  # stepline's message
            f"No integration can invoke the resource '{st.resource}' here: specify a mock"
        )


def check_state_config(config: StateConfig, st: State, invocation: Invocation | None) -> None:
    """stepline's checks (AWS's texts unknown): counts are whole numbers, each field fits
    the state under test."""
    for field, value in (
        ("retrierRetryCount", config.retrier_retry_count),
        ("mapIterationFailureCount", config.map_iteration_failure_count),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid(f"stateConfiguration.{field} must be an integer")
        if value is not None and value < 0:
            raise invalid(f"stateConfiguration.{field} must be at least 0")
    if config.map_iteration_failure_count is not None and not isinstance(st, MapState):
        raise invalid("stateConfiguration.mapIterationFailureCount applies only to a Map state")
    if config.map_item_reader_data is not None:
        if not isinstance(st, MapState):
            raise invalid("stateConfiguration.mapItemReaderData applies only to a Map state")
        try:
            json.loads(config.map_item_reader_data)
        except ValueError:
            raise invalid("stateConfiguration.mapItemReaderData must be valid JSON") from None
    caused_by = config.error_caused_by_state
    fan_out = isinstance(st, MapState | ParallelState)
    if caused_by is not None:
        if not fan_out:
            raise invalid(
                "stateConfiguration.errorCausedByState applies only to a Map or Parallel state"
            )
        if not _contains(st, caused_by):
            raise invalid(
                f"stateConfiguration.errorCausedByState '{caused_by}' is not a state inside "
                f"the {st.type} state"
            )
    elif fan_out and invocation is not None and invocation.failed:
        # AWS docs (test-state-isolation, "Specifying error source with
        # errorCausedByState"): "When mocking errors for Map or Parallel states, you must
        # specify which sub-state caused the error".
        raise invalid(
            "stateConfiguration.errorCausedByState must name the state inside the "
            f"{st.type} state that raised the mocked error"
        )


def _contains(st: State, name: str) -> bool:
    branches = st.branches if isinstance(st, ParallelState) else ()
    if isinstance(st, MapState):
        branches = (st.processor,)
    for branch in branches:
        if name in branch.states:
            return True
        if any(_contains(inner, name) for inner in branch.states.values()):
            return True
    return False


def _enum_message(value: str, field: str) -> str:
    allowed = INSPECTION_LEVELS if field == "inspectionLevel" else FIELD_VALIDATION_MODES
    return (
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def check_inspection_level(level: str) -> None:
    if level not in INSPECTION_LEVELS:
        raise invalid(_enum_message(level, "inspectionLevel"))


# ---- context ---------------------------------------------------------------------------

_CONTEXT_PREFIX: Final = "Invalid Context object provided: "
# Field -> expected JSON type ("any" for Execution.Input). LocalStack's validator, whose
# messages match AWS's recordings (test_state_context_object).
_CONTEXT_FIELDS: Final[Mapping[str, Mapping[str, str]]] = {
    "Execution": {
        "Id": "string",
        "Input": "any",
        "Name": "string",
        "RoleArn": "string",
        "StartTime": "string",
        "RedriveCount": "integer",
        "RedriveTime": "string",
    },
    "State": {"EnteredTime": "string", "Name": "string", "RetryCount": "integer"},
    "StateMachine": {"Id": "string", "Name": "string"},
    "Task": {"Token": "string"},
}


def parse_context(text: str | None, st: State, mocked: bool) -> dict[str, Json] | None:
    """``context``: the whole context object (``$$``) the state sees, checked as AWS does.

    AWS (test_state_context_object recordings): the given object replaces the context
    object entirely (``{}`` gives ``$$`` = ``{}``); "This field may only be specified if a
    mock is specified" (API reference).
    """
    if text is None:
        return None
    if not mocked:
        raise invalid("The context field may only be specified when a mock is specified")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise invalid(f"{_CONTEXT_PREFIX}the value is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise invalid(f"{_CONTEXT_PREFIX}the value must be a JSON object")
    for key, part in value.items():
        if key == "Map":
            raise invalid(
                f"{_CONTEXT_PREFIX}'Map' field is not supported when mocking a Context object"
            )
        fields = _CONTEXT_FIELDS.get(key)
        if fields is None:
            raise invalid(f"{_CONTEXT_PREFIX}Field '{key}' is not allowed")
        if part is None:
            continue
        if not isinstance(part, dict):
            raise invalid(f"{_CONTEXT_PREFIX}{key} must be a object")
        for name, item in part.items():
            kind = fields.get(name)
            if kind is None:
                raise invalid(f"{_CONTEXT_PREFIX}Field '{name}' is not allowed")
            if item is not None and not _is_kind(item, kind):
                raise invalid(f"{_CONTEXT_PREFIX}{key}.{name} must be a {kind}")
    if "Task" in value and not (
        isinstance(st, TaskState) and (is_callback(st.resource) or ".sync" in st.resource)
    ):
        raise invalid(
            f"{_CONTEXT_PREFIX}Context object contains 'Task' when state is not a Task state "
            "with a '.sync' or '.waitForTaskToken' service integration pattern"
        )
    return value


def _is_kind(value: Json, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return True
