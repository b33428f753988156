"""Express executions' history, logged as AWS logs it to CloudWatch Logs.

AWS keeps no history of an EXPRESS execution: with a ``loggingConfiguration`` whose level
is not OFF, each event goes to the configured log group as one JSON record
(``id``, ``type``, ``details``, ``previous_event_id``, ``event_timestamp`` in epoch
milliseconds, ``execution_arn``, ``redrive_count``, numbers as strings). stepline writes
those records, one per line, to ``<logs dir>/<log group name>.jsonl``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from stepline.engine.history import HistoryEvent, details_key

# AWS: FATAL logs how executions end badly; ERROR adds every failed, timed-out or aborted
# step (and Fail states); ALL logs every event.
_FATAL: Final = frozenset({"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
_ERROR_ENDINGS: Final = ("Failed", "TimedOut", "Aborted")
_DATA_FIELDS: Final = frozenset(
    {
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "parameters",
        "assignedVariables",
        "assignedVariablesDetails",
    }
)


def logged(event_type: str, level: str) -> bool:
    """Whether an event of ``event_type`` is logged at ``level`` (ALL, ERROR, FATAL, OFF)."""
    if level == "ALL":
        return True
    if level == "ERROR":
        return event_type.endswith(_ERROR_ENDINGS) or event_type == "FailStateEntered"
    return level == "FATAL" and event_type in _FATAL


def log_group_name(log_group_arn: str) -> str:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` -> ``<name>``."""
    parts = log_group_arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        raise ValueError(f"not a CloudWatch Logs log group ARN: '{log_group_arn}'")
    return parts[6]


def log_records(
    events: Iterable[HistoryEvent],
    configuration: Mapping[str, Any],
    execution_arn: str,
    redrive_count: int = 0,
) -> list[dict[str, Any]]:
    """The records a ``loggingConfiguration`` logs of an execution's events."""
    level = str(configuration.get("level") or "OFF")
    with_data = bool(configuration.get("includeExecutionData"))
    records = []
    for event in events:
        if not logged(event.type, level):
            continue
        shown = event.to_dict()
        details = dict(shown.get(details_key(event.type)) or {})
        if not with_data:
            details = {k: v for k, v in details.items() if k not in _DATA_FIELDS}
        records.append(
            {
                "id": str(event.id),
                "type": event.type,
                "details": details,
                "previous_event_id": str(event.previous_event_id),
                "event_timestamp": str(int(event.timestamp.timestamp() * 1000)),
                "execution_arn": execution_arn,
                "redrive_count": str(redrive_count),
            }
        )
    return records


class LogFiles:
    """Log groups as JSON-lines files under one directory (the I/O edge of this module)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def path_of(self, group: str) -> Path:
        parts = [p for p in group.split("/") if p]
        if not parts or any(p in (".", "..") for p in parts):
            raise ValueError(f"log group name '{group}' cannot be a file under {self.root}")
        return self.root.joinpath(*parts).with_name(parts[-1] + ".jsonl")

    def write(self, group: str, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        path = self.path_of(group)
        text = "".join(json.dumps(r, default=str, separators=(",", ":")) + "\n" for r in records)
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(text)

    def read(self, group: str) -> list[dict[str, Any]]:
        path = self.path_of(group)
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
