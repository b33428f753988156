"""Declarative checks of request members: presence, JSON type, length, range, enum, pattern.

Each operation declares its input as a ``Shape`` of ``Member``s (what the service model
says of them: required, type, limits); ``Shape.check`` reports every violation at once as
one ValidationException in AWS's words::

    2 validation errors detected: Value null at 'name' failed to satisfy constraint:
    Member must not be null; Value 'X...' at 'type' failed to satisfy constraint: Member
    must satisfy enum value set: [STANDARD, EXPRESS]

Members not declared are ignored, as AWS ignores unknown members.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from stepline.api.errors import ApiError

Kind: TypeAlias = Literal["string", "integer", "float", "boolean", "list", "structure"]

_SHOWN: Final = 100  # longest value quoted in a message


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    kind: Kind = "string"
    required: bool = False
    min: int | None = None  # length (string, list) or value (integer)
    max: int | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # a Python regular expression the whole value must match
    sensitive: bool = False  # never quote the value (input, output, definitions)
    item: Member | None = None  # a list's items (the name is unused)
    members: tuple[Member, ...] = ()  # a structure's


@dataclass(frozen=True, slots=True)
class Shape:
    members: tuple[Member, ...]

    def check(self, body: Mapping[str, Any]) -> None:
        problems: list[str] = []
        _check_members(self.members, body, "", problems)
        if problems:
            count = len(problems)
            raise ApiError(
                "ValidationException",
                f"{count} validation error{'s' if count > 1 else ''} detected: "
                + "; ".join(problems),
            )


def shape(*members: Member) -> Shape:
    return Shape(members)


def string(
    name: str,
    *,
    required: bool = False,
    min: int | None = None,
    max: int | None = None,
    enum: tuple[str, ...] = (),
    pattern: str | None = None,
    sensitive: bool = False,
) -> Member:
    return Member(name, "string", required, min, max, enum, pattern, sensitive)


def arn(name: str, *, required: bool = False, max: int = 256) -> Member:
    return string(name, required=required, min=1, max=max)


def integer(
    name: str, *, required: bool = False, min: int | None = None, max: int | None = None
) -> Member:
    return Member(name, "integer", required, min, max)


def floating(
    name: str, *, required: bool = False, min: int | None = None, max: int | None = None
) -> Member:
    """A float member (JSON numbers, integral ones too)."""
    return Member(name, "float", required, min, max)


def boolean(name: str, *, required: bool = False) -> Member:
    return Member(name, "boolean", required)


def structure(name: str, *members: Member, required: bool = False) -> Member:
    return Member(name, "structure", required, members=members)


def list_of(
    name: str,
    item: Member,
    *,
    required: bool = False,
    min: int | None = None,
    max: int | None = None,
) -> Member:
    return Member(name, "list", required, min, max, item=item)


def _check_members(
    members: tuple[Member, ...], body: Mapping[str, Any], prefix: str, problems: list[str]
) -> None:
    for member in members:
        _check(member, body.get(member.name), f"{prefix}{member.name}", problems)


def _check(member: Member, value: Any, path: str, problems: list[str]) -> None:
    if value is None:  # AWS: a JSON null is an absent member
        if member.required:
            problems.append(f"Value null at '{path}' failed to satisfy constraint: {_NOT_NULL}")
        return
    if not _has_kind(value, member.kind):
        problems.append(
            f"{_value(member, value)} at '{path}' failed to satisfy constraint:"
            f" Member must be of type {_TYPE_NAMES[member.kind]}"
        )
        return
    for constraint in _constraints(member, value):
        problems.append(
            f"{_value(member, value)} at '{path}' failed to satisfy constraint: {constraint}"
        )
    if member.kind == "structure":
        _check_members(member.members, value, f"{path}.", problems)
    elif member.kind == "list" and member.item is not None:
        for index, item in enumerate(value, 1):
            if member.item.kind == "structure" and isinstance(item, Mapping):
                _check_members(member.item.members, item, f"{path}.{index}.member.", problems)
            else:
                _check(member.item, item, f"{path}.{index}.member", problems)


_NOT_NULL: Final = "Member must not be null"
_TYPE_NAMES: Final[Mapping[Kind, str]] = {
    "string": "string",
    "integer": "integer",
    "float": "float",
    "boolean": "boolean",
    "list": "list",
    "structure": "structure (a JSON object)",
}


def _has_kind(value: Any, kind: Kind) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":  # NaN and Infinity (Python's JSON reads them) are no numbers
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and (isinstance(value, int) or math.isfinite(value))
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, Mapping)


def _constraints(member: Member, value: Any) -> list[str]:
    found: list[str] = []
    if member.kind in ("string", "list"):
        size = len(value)
        if member.min is not None and size < member.min:
            found.append(f"Member must have length greater than or equal to {member.min}")
        if member.max is not None and size > member.max:
            found.append(f"Member must have length less than or equal to {member.max}")
    if member.kind in ("integer", "float"):
        if member.min is not None and value < member.min:
            found.append(f"Member must have value greater than or equal to {member.min}")
        if member.max is not None and value > member.max:
            found.append(f"Member must have value less than or equal to {member.max}")
    if member.enum and value not in member.enum:
        found.append(f"Member must satisfy enum value set: [{', '.join(member.enum)}]")
    if member.pattern is not None and not re.fullmatch(member.pattern, value):
        found.append(f"Member must satisfy regular expression pattern: {member.pattern}")
    return found


def _value(member: Member, value: Any) -> str:
    """AWS quotes the offending value, except sensitive ones ("Value at 'input' ...")."""
    if member.sensitive or member.kind in ("list", "structure"):
        return "Value"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + "..."
    return f"Value '{text}'"
