"""Helpers of the job-run tests: a store, the job use cases and a JobRunner in this process,
real job scripts in real subprocesses."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stepline.jobs.catalog import JobCatalog
from stepline.jobs.job_runner import JobRunner, JobSettings
from stepline.jobs.runs import JobRunEnded, JobRuns
from stepline.runtime.clock import RealClock
from stepline.store.protocol import Store
from stepline.store.records import JobRecord, JobRunRecord, WorkItem

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:pipeline:run-1"

# Writes its argv (Glue's --key value arguments) where --out says.
ARGV_SCRIPT = """
import json, sys
out = sys.argv[sys.argv.index("--out") + 1]
with open(out, "w") as handle:
    json.dump(sys.argv[1:], handle)
print("wrote", out)
"""
FAILING_SCRIPT = """
value = {"a": 1}
print("about to fail")
raise ValueError("the input is bad")
"""
SLEEPING_SCRIPT = """
import time
time.sleep(120)
"""


@dataclass
class Jobs:
    """The job use cases over ``store``, and a runner on ``worker_id``."""

    store: Store
    directory: Path
    hook: JobRunEnded | None = None
    minute_seconds: float = 60.0
    slots: int = 2
    lease_seconds: float = 30.0
    worker_id: str = "w1"
    runners: list[JobRunner] = field(default_factory=list)

    def __post_init__(self) -> None:
        clock = RealClock()
        self.catalog = JobCatalog(self.store, clock)
        self.runs = JobRuns(self.store, clock, self.hook)
        self.settings = JobSettings(
            self.directory / "jobs", self.directory / "lake", self.minute_seconds
        )
        self.runner = self.new_runner(self.worker_id)

    def new_runner(self, worker_id: str) -> JobRunner:
        runner = JobRunner(self.runs, worker_id, self.settings, self.slots, self.lease_seconds)
        self.runners.append(runner)
        return runner

    def script(self, name: str, source: str) -> Path:
        path = self.directory / "scripts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    def job(self, name: str, source: str, **members: Any) -> JobRecord:
        """A pythonshell job running ``source``."""
        script = self.script(f"{name}.py", source)
        command = {"Name": "pythonshell", "ScriptLocation": str(script)}
        return self.catalog.create(name, {"Role": "r", "Command": command, **members})

    def wait(
        self,
        run_id: str,
        states: Sequence[str] = ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"),
        runner: JobRunner | None = None,
        timeout: float = 60.0,
    ) -> JobRunRecord:
        """Poll ``runner`` until the run is in one of ``states``."""
        runner = runner or self.runner
        deadline = time.monotonic() + timeout
        while True:
            runner.poll()
            run = self.runs.find(run_id)
            if run.state in states:
                return run
            if time.monotonic() > deadline:
                raise AssertionError(f"job run {run_id} still {run.state} after {timeout} s")
            time.sleep(0.02)

    def settle(self, timeout: float = 60.0) -> None:
        """Poll until no run is claimable nor running here."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.runner.poll() and not self.runner.busy():
                return
            time.sleep(0.02)
        raise AssertionError(f"job runs still running after {timeout} s")

    def close(self) -> None:
        for runner in self.runners:
            runner.close()


@dataclass
class Deliveries:
    """A JobRunEnded hook: one "deliver" work item per run with a caller."""

    calls: list[str] = field(default_factory=list)
    fail: bool = False

    def ended(self, run: JobRunRecord, now: datetime) -> Sequence[WorkItem]:
        self.calls.append(run.id)
        if self.fail:
            raise RuntimeError("the hook is broken")
        payload = json.dumps({"token": run.caller, "state": run.state, "run": run.id})
        return [WorkItem(EXECUTION, f"glue:{run.caller}", "deliver", now, payload)]
