"""Helpers of the orders-project tests: the project copied into a temporary folder, with
its own SQLite store and lake; ``Orders`` runs stepline commands there."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "orders"
Cli = Callable[..., subprocess.CompletedProcess[str]]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("orders_generate", EXAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Orders:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.lake = root / "lake"
        self.generate = generator()
        self.env = dict(
            os.environ,
            STEPLINE_DB=f"sqlite:///{root / 'stepline.db'}",
            STEPLINE_DATA_ROOT=str(self.lake),
            AWS_ACCESS_KEY_ID="stepline",
            AWS_SECRET_ACCESS_KEY="stepline-secret",
            AWS_DEFAULT_REGION="us-east-1",
        )

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stepline.cli", *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.env,
            timeout=timeout,
        )

    def start(self, machine: str, day: str, *more: str) -> subprocess.CompletedProcess[str]:
        given = (
            f'{{"process_date": "{day}", "input_path":'
            f' "s3://orders-lake/raw/orders/process_date={day}/"}}'
        )
        return self.cli(
            "start", f"{machine}:live", "--input", given, "--name", f"{machine}-{day}",
            "--wait", "--project", str(self.project), *more,
        )  # fmt: skip

    def day(self, day: str, kind: str | None = None) -> None:
        from datetime import date

        self.generate.write_customers(self.lake)
        self.generate.write_day(self.lake, date.fromisoformat(day), kind)

    def history(self, machine: str, day: str) -> list[tuple[str, dict[str, Any]]]:
        """(type, details) of each event of the execution ``start`` named."""
        arn = f"arn:aws:states:us-east-1:123456789012:execution:{machine}:{machine}-{day}"
        listed = self.cli("history", arn)
        assert listed.returncode == 0, listed.stderr
        events = []
        for line in listed.stdout.splitlines():
            parts = line.split(maxsplit=3)
            events.append((parts[2], json.loads(parts[3]) if len(parts) > 3 else {}))
        return events

    def path(self, machine: str, day: str) -> list[str]:
        """The states an execution entered, in order."""
        return [d["name"] for t, d in self.history(machine, day) if t.endswith("StateEntered")]
