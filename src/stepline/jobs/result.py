"""The result file the launcher writes for its parent: status, Glue-style error, timings."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

LaunchStatus = Literal["SUCCEEDED", "FAILED"]


@dataclass(frozen=True)
class LaunchReport:
    """Written once by the launcher when the script has finished (or could not start).

    Times are seconds since the epoch (``time.time()``): ``launcher_started_at`` when the
    launcher began, ``script_started_at`` when the script's first line ran (None if it never
    ran), ``finished_at`` when the script returned or raised.
    """

    status: LaunchStatus
    error_message: str | None
    launcher_started_at: float
    script_started_at: float | None
    finished_at: float
    error_type: str | None = None
    failed_line: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def write_report(path: Path, report: LaunchReport) -> None:
    """Write ``report`` atomically (a reader sees the whole file or none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(report.to_json(), encoding="utf-8")
    os.replace(temporary, path)


def read_report(path: Path) -> LaunchReport | None:
    """The report at ``path``; None when it is missing or not a report (a killed launcher)."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("status") not in {"SUCCEEDED", "FAILED"}:
        return None
    try:
        return LaunchReport(**raw)
    except TypeError:
        return None
