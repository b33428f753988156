"""AWS's rules for the names of executions, activities and the like (the ``Name`` shape)."""

from __future__ import annotations

from typing import Final

MAX_NAME: Final = 80
# AWS: names must avoid white space, brackets, wildcards and these punctuation marks.
FORBIDDEN: Final = frozenset(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')


class InvalidName(ValueError):
    """AWS: InvalidName — the message says which name and what is wrong with it."""


def check_name(name: str, what: str) -> str:
    """``name`` when AWS accepts it as a ``what`` ("activity name", ...); else InvalidName."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        size = len(name) if isinstance(name, str) else type(name).__name__
        raise InvalidName(f"{what} must be 1 to {MAX_NAME} characters, got {size}: {name!r}")
    bad = sorted({c for c in name if c in FORBIDDEN or _control(c)})
    if bad:
        raise InvalidName(f"{what} {name!r} contains characters AWS rejects: {bad!r}")
    return name


def _control(char: str) -> bool:
    """AWS: control characters (U+0000-001F, U+007F-009F), U+FFFE-FFFF and surrogates."""
    code = ord(char)
    return (
        code < 0x20 or 0x7F <= code <= 0x9F or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF
    )
