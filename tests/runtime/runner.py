"""Helpers of the runtime tests: the type of the ``cli`` fixture (conftest.py), and
``stepline worker`` processes to kill."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from stepline.service import Service
from stepline.store.records import ExecutionRecord

Run: TypeAlias = Callable[..., subprocess.CompletedProcess[str]]
# A job script whose first attempt marks its start (the file --marker) and hangs; later
# attempts finish at once: for workers killed while a job runs.
FIRST_ATTEMPT_HANGS = """
import os, sys, time
marker = sys.argv[sys.argv.index("--marker") + 1]
if not os.path.exists(marker):
    with open(marker, "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(600)
print("finished on a later attempt")
"""


def start_worker(url: str, directory: Path) -> subprocess.Popen[bytes]:
    """A ``stepline worker`` on ``url`` with a one-second lease and one job slot."""
    command = [
        sys.executable, "-m", "stepline.cli", "worker", "--db", url,
        "--lease-seconds", "1", "--job-slots", "1",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@dataclass
class Executions:
    """State machines and executions of a service whose worker runs in the background."""

    service: Service

    def machine(self, name: str, states: dict[str, Any], start: str) -> str:
        definition = {"StartAt": start, "States": states}
        return self.service.create_state_machine(name, json.dumps(definition)).arn

    def run(self, arn: str, given: Any = None, timeout: float = 120) -> ExecutionRecord:
        record = self.service.start_execution(arn, json.dumps(given or {}))
        return self.wait(record.arn, timeout)

    def wait(self, arn: str, timeout: float = 120) -> ExecutionRecord:
        deadline = time.monotonic() + timeout
        while True:
            record = self.service.describe_execution(arn)
            if record.status != "RUNNING":
                return record
            if time.monotonic() > deadline:
                raise AssertionError(f"{arn} still RUNNING after {timeout} s")
            time.sleep(0.05)

    def types(self, arn: str) -> list[str]:
        return [e.type for e in self.service.history(arn)]
