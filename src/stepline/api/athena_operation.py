"""What an AmazonAthena operation is (``stepline.api.json11``), what it works with, and
how the engine's errors are answered.

Each ``athena_*`` operations module offers ``operations() -> Mapping[str, AthenaOperation]``,
keyed by the operation's name in Athena's service model (``StartQueryExecution``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeAlias

from stepline.api.checks import Member, Shape, string
from stepline.api.errors import ApiError
from stepline.api.json11 import Body, Operation, Reply, operation
from stepline.athena import QueryEngine
from stepline.athena.errors import ApiError as AthenaError

# AWS: Athena's service model, metadata: protocol "json", jsonVersion "1.1", targetPrefix
# "AmazonAthena", signingName "athena".
ATHENA_TARGET_PREFIX: Final = "AmazonAthena."
ATHENA_SIGNING_NAME: Final = "athena"
ATHENA_INTERNAL_ERROR: Final = "InternalServerException"
WORKGROUP_NAME: Final = r"[a-zA-Z0-9._-]{1,128}"


@dataclass(frozen=True, slots=True)
class AthenaContext:
    """What Athena handlers work with: the process's query engine (made on first use)."""

    engine: Callable[[], QueryEngine]


AthenaOperation: TypeAlias = Operation[AthenaContext]


def athena_operation(
    input: Shape,
) -> Callable[[Callable[[AthenaContext, Body], Reply]], AthenaOperation]:
    """Decorator: ``@athena_operation(shape(...))`` makes a handler an AthenaOperation."""
    return operation(input)


def query_id(name: str = "QueryExecutionId") -> Member:
    return string(name, required=True, min=1, max=128, pattern=r"[\w+=,.@-]+")


def workgroup_name(name: str = "WorkGroup", *, required: bool = False) -> Member:
    return string(name, required=required, pattern=WORKGROUP_NAME)


def athena_error(error: Exception) -> ApiError | None:
    """The engine's errors as Athena answers them (``AthenaErrorCode`` when it has one)."""
    if not isinstance(error, AthenaError):
        return None
    extra = {} if error.athena_error_code is None else {"AthenaErrorCode": error.athena_error_code}
    return ApiError(error.aws_type, error.message, extra=extra)


__all__ = [
    "ATHENA_SIGNING_NAME",
    "ATHENA_TARGET_PREFIX",
    "AthenaContext",
    "AthenaOperation",
    "Body",
    "Reply",
    "athena_error",
    "athena_operation",
]
