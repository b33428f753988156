"""A ``stepline worker`` killed (SIGKILL) while a job run's script runs: once its lease
expires another worker takes the run over. The lost attempt ends FAILED (its script
process killed), and MaxRetries runs the next attempt to the end."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from runner import FIRST_ATTEMPT_HANGS, start_worker

from stepline.jobs.catalog import JobCatalog
from stepline.jobs.runs import JobRuns
from stepline.runtime.clock import RealClock
from stepline.store.open import open_store
from stepline.store.records import JobRunRecord

# The first attempt marks its start and then hangs; later attempts finish at once.


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def wait_until(check: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.05)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_killed_workers_run_is_taken_over(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path}/stepline.db"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    (tmp_path / "hang.py").write_text(FIRST_ATTEMPT_HANGS)
    marker = tmp_path / "first-attempt.pid"
    store = open_store(url)
    clock = RealClock()
    JobCatalog(store, clock).create(
        "hang",
        {
            "Role": "r",
            "Command": {"Name": "pythonshell", "ScriptLocation": "hang.py"},
            "DefaultArguments": {"--marker": str(marker)},
            "MaxRetries": 1,
        },
    )
    runs = JobRuns(store, clock)
    first = runs.start("hang")
    worker = start_worker(url, tmp_path)
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: marker.exists() and marker.read_text(), "the first attempt")
        script_pid = int(marker.read_text())
        assert runs.find(first.id).state == "RUNNING"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert alive(script_pid)  # the lost attempt's script still runs, orphaned

        second = start_worker(url, tmp_path)

        def ended() -> bool:
            latest = store.list_job_runs("hang")[0]
            return latest.id != first.id and latest.ended

        wait_until(ended, "the next attempt to end")
        retry, lost = store.list_job_runs("hang")
        assert lost.id == first.id
        assert lost.state == "FAILED"
        assert lost.error_message is not None and "interrupted" in lost.error_message
        assert (retry.state, retry.attempt, retry.previous_run_id) == ("SUCCEEDED", 1, first.id)
        assert "finished on a later attempt" in runs.logs(retry.id).read_text()
        wait_until(lambda: not alive(script_pid), "the lost script to be killed", 10)
        assert _only_two(store.list_job_runs("hang"))
    finally:
        for process in (worker, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(30)
        if marker.exists():
            pid = int(marker.read_text() or 0)
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
        store.close()


def _only_two(runs: list[JobRunRecord]) -> bool:
    return len(runs) == 2
