"""Parent side: run a job script in its own process group, with timeout and stop.

    from stepline.jobs.runner import run_script, start_script
    from stepline.jobs.spec import ScriptSpec, glue_argv

    spec = ScriptSpec(
        script="jobs/clean_orders.py",
        argv=glue_argv("clean_orders.py", "clean_orders", "jr_1", {"--input_path": "s3://..."}),
        data_root="/var/lib/stepline/lake",
        bookmark_path="/var/lib/stepline/bookmarks/clean_orders.json",
    )
    result = run_script(spec, run_dir=Path("runs/jr_1"), timeout=600)
    result.status          # "SUCCEEDED" | "FAILED" | "TIMEOUT" | "STOPPED"
    result.error_message   # Glue's ErrorMessage: "Error Category: ...; ValueError: ..."

    handle = start_script(spec, run_dir=..., timeout=...)   # returns at once
    handle.stop()                                            # BatchStopJobRun
    result = handle.wait()

``run_dir`` receives ``spec.json``, ``result.json`` and the script's ``stdout.log`` and
``stderr.log``. Stop and timeout terminate the whole process group (a Spark JVM too).

Two ways to start, one behaviour: with ``zygotes`` (:class:`stepline.jobs.zygotes.Zygotes`)
a DuckDB or Python shell job process is forked from a zygote that has its imports done;
otherwise (Spark, or no zygote to be had) the launcher starts as a new process. A run has
ended once the launcher has written its result (it flushes the logs and the script's open
files first) or its process has exited: the interpreter's teardown is not waited for; the
process is reaped in the background, and what it leaves behind in its group is killed
once it has exited (or after ``teardown_grace`` seconds).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stepline.jobs import launch
from stepline.jobs.processes import JobProcess, start_launcher
from stepline.jobs.result import LaunchReport, read_report
from stepline.jobs.spec import ScriptSpec
from stepline.jobs.zygotes import Zygotes

RunStatus = Literal["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"]
LAUNCHER = Path(launch.__file__).resolve()


@dataclass(frozen=True)
class ScriptResult:
    """How one job script run ended. Times are ``time.time()`` seconds."""

    status: RunStatus
    error_message: str | None
    exit_code: int | None
    started_at: float  # when the process was started
    script_started_at: float | None  # when the script's first line ran
    finished_at: float  # when the run was seen to end (its result written, or its exit)
    stdout_path: Path
    stderr_path: Path
    error_type: str | None = None
    failed_line: int | None = None

    @property
    def start_overhead(self) -> float | None:
        """Seconds from starting the process to the script's first line."""
        if self.script_started_at is None:
            return None
        return self.script_started_at - self.started_at

    @property
    def execution_time(self) -> float:
        return self.finished_at - self.started_at


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class ScriptProcess:
    """A running job script. ``stop()`` may be called from any thread."""

    def __init__(
        self,
        spec: ScriptSpec,
        run_dir: Path,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        python: str | None = None,
        stop_grace: float = 5.0,
        teardown_grace: float = 30.0,
        zygotes: Zygotes | None = None,
    ) -> None:
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
        self.spec = spec
        self.run_dir = run_dir
        self.timeout = timeout
        self.stop_grace = stop_grace
        self.teardown_grace = teardown_grace
        self.spec_path = run_dir / "spec.json"
        self.result_path = run_dir / "result.json"
        self.stdout_path = run_dir / "stdout.log"
        self.stderr_path = run_dir / "stderr.log"
        self._lock = threading.Lock()
        self._ending: RunStatus | None = None
        self._result: ScriptResult | None = None
        self._reported = False  # the launcher said it wrote the result file
        self._done_open = True  # its done pipe has not reached end of file
        self._waiters = 0  # threads waiting on the descriptors (closed when none is)
        self._released = False
        run_dir.mkdir(parents=True, exist_ok=True)
        self.result_path.unlink(missing_ok=True)
        self.spec_path.write_text(spec.to_json(), encoding="utf-8")
        environment = job_environment(env)
        with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            self.started_at = time.time()
            forked = None
            if zygotes is not None and (python is None or python == zygotes.python):
                forked = zygotes.start(
                    spec.engine,
                    spec_path=self.spec_path,
                    result_path=self.result_path,
                    stdout=stdout.fileno(),
                    stderr=stderr.fileno(),
                    cwd=run_dir,
                    env=environment,
                )
            self.forked = forked is not None  # started by a zygote
            self._process: JobProcess
            if forked is not None:
                self._process, self._done = forked, forked.done_fd
            else:
                command = [python or sys.executable, str(LAUNCHER)]
                command += ["--spec", str(self.spec_path), "--result", str(self.result_path)]
                self._process, self._done = start_launcher(
                    command, environment, run_dir, stdout.fileno(), stderr.fileno()
                )
        os.set_blocking(self._done, False)
        self.deadline = None if timeout is None else self.started_at + timeout

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        """Stop the run (STOPPED): SIGTERM to its process group, SIGKILL after the grace."""
        self._end("STOPPED")

    def _end(self, status: RunStatus) -> None:
        with self._lock:
            if self._ending is not None or self._result is not None or self._ended():
                return
            self._ending = status
            self._waiters += 1
        try:
            self._signal_group(signal.SIGTERM)
            if not self._process.wait_exited(self.stop_grace):
                self._signal_group(signal.SIGKILL)
        finally:
            self._unwait()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signum)

    def _ended(self) -> bool:
        """Whether the run has ended: reported, or its process exited. Under the lock."""
        if self._done_open and not self._reported and self._done >= 0:
            try:
                said = os.read(self._done, 64)
            except BlockingIOError:
                said = None
            if said == b"":
                self._done_open = False
            elif said and b"R" in said:
                self._reported = read_report(self.result_path) is not None
        return self._reported or self._process.exited()

    def _wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: no limit) for the run to end; whether it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            with self._lock:
                if self._result is not None or self._ended():
                    return True
                if remaining is not None and remaining <= 0:
                    return False
                fds = [self._done] if self._done_open and not self._reported else []
                if self._process.pidfd is not None:
                    fds.append(self._process.pidfd)
                else:  # no pidfd: look at the process now and then
                    remaining = 0.05 if remaining is None else min(remaining, 0.05)
                self._waiters += 1
            try:
                poller = select.poll()
                for fd in fds:
                    poller.register(fd, select.POLLIN)
                poller.poll(None if remaining is None else remaining * 1000)
            finally:
                self._unwait()

    def _unwait(self) -> None:
        with self._lock:
            self._waiters -= 1
            if self._released and not self._waiters:
                self._close()

    def poll(self) -> ScriptResult | None:
        """The result if the run has ended (enforcing the timeout), else None."""
        if self.deadline is not None and time.time() >= self.deadline:
            self._end("TIMEOUT")
        with self._lock:
            if self._result is None and not self._ended():
                return None
        return self._finish()

    def exited(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the run to end; whether it has."""
        return self._wait(seconds)

    def wait(self) -> ScriptResult:
        """Block until the run ends (or its timeout stops it)."""
        if self.deadline is not None and not self._wait(max(0.0, self.deadline - time.time())):
            self._end("TIMEOUT")
        self._wait(None)
        return self._finish()

    def _finish(self) -> ScriptResult:
        with self._lock:
            if self._result is not None:
                return self._result
            finished = time.time()
            report = read_report(self.result_path)
            if self._process.exited():
                code = self._process.returncode()
                if code is None:  # its zygote died: the report tells what it was
                    code = _exit_code(report)
                self._release()
            else:  # reported: its teardown is not waited for
                code = _exit_code(report)
                threading.Thread(
                    target=self._reap, name=f"stepline-reap-{self.pid}", daemon=True
                ).start()
            self._result = self._build(code, finished, report)
            return self._result

    def _reap(self) -> None:
        """After the report: let the process exit (kill it after the grace), then clean up."""
        if not self._process.wait_exited(self.teardown_grace):
            self._signal_group(signal.SIGKILL)
            self._process.wait_exited(None)
        self._process.returncode()  # a launcher is reaped; a zygote's child's status taken
        with self._lock:
            self._release()

    def _release(self) -> None:
        """The process has exited: kill what it left in its group, close our descriptors
        (once no thread waits on them). Under the lock."""
        self._signal_group(signal.SIGKILL)
        self._released = True
        if not self._waiters:
            self._close()

    def _close(self) -> None:
        if self._done >= 0:
            os.close(self._done)
            self._done = -1
            self._process.close()

    def _build(
        self, code: int | None, finished: float, report: LaunchReport | None
    ) -> ScriptResult:
        def result(
            status: RunStatus,
            message: str | None,
            error_type: str | None = None,
            failed_line: int | None = None,
        ) -> ScriptResult:
            return ScriptResult(
                status=status,
                error_message=message,
                exit_code=code,
                started_at=self.started_at,
                script_started_at=report.script_started_at if report else None,
                finished_at=finished,
                stdout_path=self.stdout_path,
                stderr_path=self.stderr_path,
                error_type=error_type,
                failed_line=failed_line,
            )

        if self._ending == "STOPPED":
            return result("STOPPED", None)
        if self._ending == "TIMEOUT":
            return result(
                "TIMEOUT", f"Job run timed out after {self.timeout:g} seconds and was stopped"
            )
        if report is None and code == 0:  # os._exit(0): Glue counts exit code 0 as success
            return result("SUCCEEDED", None)
        if report is None:
            if code is None:
                how = "ended (its exit status is unknown)"
            elif code < 0:
                how = f"was killed by {_signal_name(code)}"
            else:
                how = f"exited with code {code}"
            message = f"The job process {how} without reporting a result; see {self.stderr_path}"
            return result("FAILED", message)
        return result(
            report.status,
            report.error_message,
            error_type=report.error_type,
            failed_line=report.failed_line,
        )


def _exit_code(report: LaunchReport | None) -> int | None:
    """The launcher's exit status for its report (see :func:`stepline.jobs.launch.main`)."""
    if report is None:
        return None
    if report.status == "SUCCEEDED":
        return 0
    return 2 if report.error_type == "LaunchError" else 1


def job_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a job process starts with."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **(extra or {})}


def start_script(
    spec: ScriptSpec,
    run_dir: Path,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
    zygotes: Zygotes | None = None,
) -> ScriptProcess:
    """Start the job script in the background (forked from ``zygotes`` when they can run
    it, else in a new process); see :class:`ScriptProcess`."""
    return ScriptProcess(spec, run_dir, timeout=timeout, env=env, python=python, zygotes=zygotes)


def run_script(
    spec: ScriptSpec,
    run_dir: Path,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
    zygotes: Zygotes | None = None,
) -> ScriptResult:
    """Run the job script to its end (or its timeout) and return how it ended."""
    process = start_script(spec, run_dir, timeout=timeout, env=env, python=python, zygotes=zygotes)
    return process.wait()
