"""What every AWS JSON protocol request carries: the operation named by ``X-Amz-Target``
(``<Service prefix><Operation>``) and a body that is a JSON object."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from stepline.api.errors import ApiError

T = TypeVar("T")


def find_operation(target: str | None, prefix: str, operations: Mapping[str, T]) -> tuple[str, T]:
    """The operation's name and handler; UnknownOperationException otherwise."""
    if not target or not target.startswith(prefix):
        raise ApiError(
            "UnknownOperationException",
            f"X-Amz-Target must be {prefix}<Operation>, got {target!r}",
        )
    name = target[len(prefix) :]
    operation = operations.get(name)
    if operation is None:
        raise ApiError("UnknownOperationException", f"stepline does not implement {target}")
    return name, operation


def request_members(body: bytes) -> Mapping[str, Any]:
    """The request's members: a JSON object (an empty body is ``{}``)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ApiError(
            "SerializationException", f"The request body is not valid JSON: {exc}"
        ) from None
    if not isinstance(value, dict):
        raise ApiError(
            "SerializationException",
            f"The request body must be a JSON object, got {type(value).__name__}",
        )
    return value
