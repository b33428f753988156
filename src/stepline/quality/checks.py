"""SQL checks: a ``.sql`` file -> named checks, one per statement. Pure.

A check is named by a ``-- check: NAME`` comment line before its statement; a statement
without one is ``<file stem>_<n>`` (n counts the file's statements from 1). A check FAILs when
it returns rows, or one row with a single false value (see stepline.quality.evaluate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stepline.athena.tokens import SqlSyntaxError, position, split_statements

_NAME: Final = re.compile(r"^\s*--\s*check\s*:\s*(?P<name>\S.*?)\s*$", re.IGNORECASE | re.MULTILINE)


class ChecksError(ValueError):
    """A checks file that cannot be read; the message names the file and the place."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    sql: str  # the statement, its comments included


def parse_checks(text: str, stem: str = "check") -> tuple[Check, ...]:
    """The checks of a ``.sql`` file's ``text``; ``stem`` names unnamed ones."""
    try:
        statements = split_statements(text)
    except SqlSyntaxError as error:
        line, column = position(text, error.offset)
        raise ChecksError(f"line {line}, column {column}: {error.message}") from None
    if not statements:
        raise ChecksError("the file has no SQL statement")
    checks: list[Check] = []
    seen: set[str] = set()
    for index, sql in enumerate(statements, start=1):
        names = _NAME.findall(sql)
        name = names[-1] if names else f"{stem}_{index}"
        if name in seen:
            raise ChecksError(f"two checks are named {name!r}")
        seen.add(name)
        checks.append(Check(name, sql))
    return tuple(checks)
