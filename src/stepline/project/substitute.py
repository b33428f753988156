"""``${name}`` variables in configuration values and definition files, and the deep merge of
``[env.<name>]`` overlays. Pure.

``$${`` stands for a literal ``${``. A string that is one variable and nothing else
(``"${retries}"``) takes the variable's value with its type (a number stays a number); a
variable inside a longer string is written as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

VarValue = str | int | float | bool
_VARIABLE: Final = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class Undefined(Exception):
    """A ``${name}`` that no variable defines (or a malformed one)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def substitute(text: str, variables: Mapping[str, VarValue]) -> Any:
    """``text`` with its variables replaced; raises Undefined."""
    whole = _VARIABLE.fullmatch(text)
    if whole is not None and whole.group(0) != "$${":
        return _lookup(whole.group(1), variables)

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        value = _lookup(match.group(1), variables)
        return json.dumps(value) if isinstance(value, bool) else str(value)

    return _VARIABLE.sub(replace, text)


def _lookup(name: str, variables: Mapping[str, VarValue]) -> VarValue:
    name = name.strip()
    if not _NAME.fullmatch(name) or name not in variables:
        raise Undefined(name)
    return variables[name]


def substitute_tree(
    value: Any, variables: Mapping[str, VarValue], where: str, on_error: Callable[[str, str], Any]
) -> Any:
    """Every string in a JSON/TOML value substituted; ``on_error(path, name)`` raises for an
    undefined variable (``path`` is a JSON pointer below ``where``)."""
    if isinstance(value, str):
        try:
            return substitute(value, variables)
        except Undefined as exc:
            on_error(where, exc.name)
            raise  # on_error raises; this is for the type checker
    if isinstance(value, Mapping):
        return {
            k: substitute_tree(v, variables, f"{where}/{_escape(str(k))}", on_error)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            substitute_tree(v, variables, f"{where}/{i}", on_error) for i, v in enumerate(value)
        ]
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """``overlay`` over ``base``: tables merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged
