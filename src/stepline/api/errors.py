"""API errors as AWS sends them, and the one mapping from our exceptions to AWS's codes.

AWS JSON 1.0 errors are an HTTP status (400 for a client error) and a body
``{"__type": "<Code>", "message": "..."}``; botocore raises the client's exception class of
that code (``client.exceptions.StateMachineDoesNotExist``). Some codes carry more members
(``ValidationException.reason``); they go into the body beside ``message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from stepline.activities import ActivityDoesNotExist
from stepline.arns import InvalidArn
from stepline.asl.diagnostics import Diagnostic
from stepline.asl.errors import DefinitionError
from stepline.catalog_checks import (
    MissingRequiredParameter,
    QuotaExceeded,
    ResourceNotFound,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    ValidationError,
)
from stepline.engine.teststate.request import TestStateError
from stepline.engine.tokens import InvalidToken
from stepline.express import NotExpress
from stepline.names import InvalidName
from stepline.service import ExecutionAlreadyExists, ExecutionNotRedrivable, TaskDoesNotExist
from stepline.store.protocol import Conflict, TooManyTags

_NO_EXTRA: Final[Mapping[str, str]] = MappingProxyType({})

# Operations whose model lists MissingRequiredParameter; the others answer a missing
# either-or member with ValidationException (reason MISSING_REQUIRED_PARAMETER).
_MISSING_PARAMETER_OPERATIONS: Final = frozenset({"UpdateStateMachine"})


class ApiError(Exception):
    """An error answered to the client: AWS's code, message, HTTP status, extra members."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        extra: Mapping[str, str] = _NO_EXTRA,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message, **self.extra}

    def __repr__(self) -> str:
        return f"ApiError({self.code!r}, {self.message!r}, {self.status})"


def validation(message: str, reason: str | None = None) -> ApiError:
    return ApiError("ValidationException", message, extra={"reason": reason} if reason else {})


def api_error(exc: BaseException, operation: str) -> ApiError | None:
    """AWS's error for an exception raised by a use case; None for an unexpected one (a
    bug or an unavailable store: the server answers 500 and logs it)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, MissingRequiredParameter):
        if operation in _MISSING_PARAMETER_OPERATIONS:
            return ApiError("MissingRequiredParameter", str(exc))
        return validation(str(exc), exc.reason)
    if isinstance(exc, ValidationError):
        return validation(str(exc), exc.reason)
    if isinstance(exc, DefinitionError):
        return ApiError("InvalidDefinition", definition_message(exc.diagnostics))
    if isinstance(exc, Conflict):  # AWS: HTTP 409
        return ApiError("ConflictException", str(exc), 409)
    if isinstance(exc, TestStateError):
        return ApiError(exc.code, exc.message)
    if isinstance(exc, TooManyTags):
        return ApiError("TooManyTags", str(exc), extra={"resourceName": exc.resource_arn})
    if isinstance(exc, ResourceNotFound) and exc.resource_name is not None:
        return ApiError("ResourceNotFound", str(exc), extra={"resourceName": exc.resource_name})
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return ApiError(code, str(exc))
    return None


_CODES: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (StateMachineDoesNotExist, "StateMachineDoesNotExist"),
    (StateMachineDeleting, "StateMachineDeleting"),
    (ResourceNotFound, "ResourceNotFound"),
    (ActivityDoesNotExist, "ActivityDoesNotExist"),
    (TaskDoesNotExist, "TaskDoesNotExist"),
    (ExecutionAlreadyExists, "ExecutionAlreadyExists"),
    (ExecutionNotRedrivable, "ExecutionNotRedrivable"),
    (QuotaExceeded, "ServiceQuotaExceededException"),
    (InvalidArn, "InvalidArn"),
    (InvalidName, "InvalidName"),
    (InvalidToken, "InvalidToken"),
    (NotExpress, "StateMachineTypeNotSupported"),
)


def definition_message(diagnostics: list[Diagnostic]) -> str:
    """AWS: "Invalid State Machine Definition: 'CODE: message at /States/A/Next, ...'"."""
    errors = [d for d in diagnostics if d.severity == "ERROR"] or diagnostics
    parts = [f"{d.code}: {d.message}" + (f" at {d.location}" if d.location else "") for d in errors]
    return f"Invalid State Machine Definition: '{', '.join(parts) or 'invalid definition'}'"
