"""The one error a project's configuration raises: a message naming the file, the table and
the key (``stepline.toml: [jobs.orders] script: file glue/jobs/x.py does not exist``)."""

from __future__ import annotations

from stepline.usage import UsageError


class ConfigError(UsageError):
    """A problem of the project's files; the CLI prints the message (exit code 2)."""


def at(file: str, table: str, key: str | None, message: str) -> ConfigError:
    """``<file>: [<table>] <key>: <message>`` (no table: the top level)."""
    place = f"[{table}] " if table else ""
    what = f"{key}: " if key else ""
    return ConfigError(f"{file}: {place}{what}{message}")
