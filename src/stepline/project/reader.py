"""Typed reading of one TOML table with messages that name the file, the table and the key.
Pure, except ``path`` (it looks whether the file exists)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from stepline.project.errors import ConfigError, at


class _Missing:
    pass


MISSING: Final = _Missing()


def kind(value: object) -> str:
    """A TOML value's kind, as a message names it."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


@dataclass(frozen=True)
class Section:
    """One table of the configuration: ``table`` is its dotted name (``jobs.orders``)."""

    file: str
    table: str
    data: Mapping[str, Any]

    def error(self, key: str | None, message: str) -> ConfigError:
        return at(self.file, self.table, key, message)

    def check_keys(self, allowed: Iterable[str]) -> None:
        known = tuple(allowed)
        for key in self.data:
            if key not in known:
                raise self.error(key, f"unknown key (known keys: {', '.join(known)})")

    def has(self, key: str) -> bool:
        return key in self.data

    def string(
        self, key: str, default: str | _Missing = MISSING, choices: Sequence[str] = ()
    ) -> str:
        value = self.data.get(key, default)
        if isinstance(value, _Missing):
            raise self.error(key, "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string, got {kind(value)}")
        if choices and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def optional_string(self, key: str, choices: Sequence[str] = ()) -> str | None:
        return self.string(key, choices=choices) if key in self.data else None

    def integer(
        self, key: str, default: int | None = None, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"must be a whole number, got {kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"{low} to {high}"
            raise self.error(key, f"must be {bounds}, got {value}")
        return value

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.error(key, f"must be a number, got {kind(value)}")
        if not low <= value <= high:
            raise self.error(key, f"must be {low:g} to {high:g}, got {value}")
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {kind(value)}")
        return value

    def table_of(self, key: str) -> Section:
        """The sub-table ``key`` (empty when absent)."""
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, f"must be a table, got {kind(value)}")
        return Section(self.file, f"{self.table}.{key}" if self.table else key, value)

    def tables(self, key: str) -> list[Section]:
        """An array of tables (``[[table.key]]``)."""
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(key, f"must be an array of tables, got {kind(value)}")
        return [Section(self.file, f"{self.table}.{key}[{i}]", v) for i, v in enumerate(value)]

    def children(self) -> list[tuple[str, Section]]:
        """Each key's table, for a table of named tables (``[jobs.<name>]``)."""
        found: list[tuple[str, Section]] = []
        for name, value in self.data.items():
            if not isinstance(value, Mapping):
                where = f"{self.table}.{name}"
                raise at(self.file, where, None, f"must be a table, got {kind(value)}")
            found.append((name, Section(self.file, f"{self.table}.{name}", value)))
        return found

    def string_map(self, key: str) -> dict[str, str]:
        """A table of strings (numbers and booleans are written as TOML writes them)."""
        section = self.table_of(key)
        out: dict[str, str] = {}
        for name, value in section.data.items():
            if isinstance(value, bool):
                out[name] = str(value).lower()
            elif isinstance(value, str | int | float):
                out[name] = str(value)
            else:
                raise section.error(name, f"must be a string, got {kind(value)}")
        return out

    def path(self, key: str, root: Path, suffixes: Sequence[str] = ()) -> tuple[str, Path]:
        """A file given relative to the project root (or absolute): the text as given and
        the absolute path. The file must exist."""
        text = self.string(key)
        path = (root / text).resolve()
        if not path.is_file():
            raise self.error(key, f"file {text} does not exist")
        if suffixes and not path.name.endswith(tuple(suffixes)):
            raise self.error(key, f"{text} must end with {' or '.join(suffixes)}")
        return text, path
