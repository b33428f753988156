"""A ``stepline worker`` killed (SIGKILL) while a ``glue:startJobRun.sync`` task waits for
its job run: another worker takes the run over (the lost attempt fails, MaxRetries runs the
next), and the waiting task gets the end of the run it started: no second run is started
for it."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from runner import FIRST_ATTEMPT_HANGS, start_worker

from stepline.runtime.clock import RealClock
from stepline.service import Service
from stepline.store.open import open_store


def test_a_killed_worker_loses_neither_the_run_nor_the_waiting_task(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    store = open_store(url)
    service = Service(store, RealClock())
    script = tmp_path / "flaky.py"
    script.write_text(FIRST_ATTEMPT_HANGS)
    marker = tmp_path / "first-attempt-started"
    command = {"Name": "pythonshell", "ScriptLocation": str(script)}
    service.jobs.create("flaky", {"Role": "r", "Command": command, "MaxRetries": 1})
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::glue:startJobRun.sync",
        "Parameters": {"JobName": "flaky", "Arguments": {"--marker": str(marker)}},
        "End": True,
    }
    machine = {"StartAt": "Run", "States": {"Run": task}}
    arn = service.create_state_machine("crashy", json.dumps(machine)).arn
    execution = service.start_execution(arn, "{}").arn
    first = start_worker(url, tmp_path)
    second = None
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, "the job's script never started"
            assert first.poll() is None, "the first worker died on its own"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        second = start_worker(url, tmp_path)
        deadline = time.monotonic() + 120
        while service.describe_execution(execution).status == "RUNNING":
            assert time.monotonic() < deadline, "the execution never ended"
            time.sleep(0.1)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(15)
    done = service.describe_execution(execution)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    output = json.loads(done.output or "{}")
    assert (output["JobRunState"], output["Attempt"]) == ("SUCCEEDED", 1)
    runs, _ = service.job_runs.page("flaky")
    assert [(r.attempt, r.state) for r in reversed(runs)] == [(0, "FAILED"), (1, "SUCCEEDED")]
    assert runs[0].previous_run_id == runs[1].id
    types = [e.type for e in service.history(execution)]
    assert types.count("TaskScheduled") == 1 and types.count("TaskSubmitted") == 1
    store.close()
