"""A worker's job slots: claim job runs from the store, run each script in its own process
(``stepline.jobs.runner``) watched by a thread, and end the run (``JobRuns.finish``).

Durability. A claimed run is leased to this worker; its thread renews the lease while the
script runs (every third of the lease). If the worker dies, the lease expires and any
worker's next claim takes the run back:

* STARTING (the script had not started): it simply starts there.
* RUNNING (the script was running): that attempt is lost. # AWS: as when Glue loses a
  run's resources, the attempt ends FAILED ("... interrupted ...") and MaxRetries, if any
  are left, starts the next attempt (Attempt + 1, PreviousRunId). The lost script process,
  if it is still running on this host, is killed first (found by its pid and run id).
* STOPPING: it ends STOPPED (its lost process killed the same way).

A worker asked to stop (SIGTERM, Ctrl-C) interrupts its scripts and hands their runs back
(RUNNING -> STARTING, lease cleared): another worker, or this one restarted, runs them again
from the beginning, with no attempt lost.

Job processes: DuckDB and Python shell jobs are forked from this runner's zygotes
(``stepline.jobs.zygotes``: the imports done once), Spark jobs start as new processes.

Files: each run has ``<jobs_dir>/runs/<run id>/`` with its spec, result, ``stdout.log`` and
``stderr.log`` (the run's logs) and ``bookmark.json`` (the job's bookmark from the store
before the run; what the script committed is saved back with the run's end). s3:// URLs
(ScriptLocation, arguments) map to ``data_root`` (``stepline.lake``); other ScriptLocations
are paths, relative ones from the worker's working directory. Timeouts are minutes of
``minute_seconds`` seconds (60; a smaller value is a test and development knob).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Final

from stepline.jobs.definition import JobDefinition
from stepline.jobs.runner import ScriptProcess, ScriptResult, job_environment, start_script
from stepline.jobs.runs import JobRuns
from stepline.jobs.spec import ScriptSpec, engine_for, glue_argv
from stepline.jobs.zygotes import Zygotes
from stepline.lake.defaults import default_data_root
from stepline.lake.paths import LakePaths, is_s3_url
from stepline.store.protocol import StoreError
from stepline.store.records import JobRunRecord, JobRunState

ENGINE_ARGUMENT: Final = "--stepline-engine"
MASTER_ARGUMENT: Final = "--stepline-spark-master"
ETL_ENGINES: Final = ("duckdb", "spark")
DEFAULT_JOBS_DIR: Final = ".stepline/jobs"
_LOG: Final = logging.getLogger("stepline.jobs")


def check_etl_engine(engine: str, what: str) -> None:
    if engine not in ETL_ENGINES:
        raise ValueError(f"{what} must be one of {', '.join(ETL_ENGINES)}, got {engine!r}")


@dataclass(frozen=True)
class JobSettings:
    """Where job runs keep their files and find the lake, and how long a minute is."""

    jobs_dir: Path = field(default_factory=lambda: Path(DEFAULT_JOBS_DIR))
    data_root: Path = field(default_factory=default_data_root)
    minute_seconds: float = 60.0  # Glue's Timeout unit; smaller only to test and develop
    check_seconds: float = 0.2  # how often a running script's run is looked at (stops)
    # What runs glueetl scripts: DuckDB (sqlframe) or real PySpark on ``spark_master``; a
    # job chooses for itself with the arguments --stepline-engine / --stepline-spark-master.
    engine: str = "duckdb"
    spark_master: str = "local[*]"

    def __post_init__(self) -> None:
        if self.minute_seconds <= 0:
            raise ValueError(f"minute_seconds must be positive, got {self.minute_seconds!r}")
        check_etl_engine(self.engine, "the job engine")
        object.__setattr__(self, "jobs_dir", Path(os.path.abspath(self.jobs_dir)))
        object.__setattr__(self, "data_root", Path(os.path.abspath(self.data_root)))

    def run_dir(self, run_id: str) -> Path:
        return self.jobs_dir / "runs" / run_id


class JobRunner:
    """Up to ``slots`` job runs at a time on this worker; ``poll`` claims what fits."""

    def __init__(
        self,
        runs: JobRuns,
        worker_id: str,
        settings: JobSettings | None = None,
        slots: int = 2,
        lease_seconds: float = 60.0,
    ) -> None:
        if slots < 1:
            raise ValueError(f"job slots must be at least 1, got {slots}")
        self.runs = runs
        self.worker_id = worker_id
        self.settings = settings or JobSettings()
        self.slots = slots
        self.lease_seconds = lease_seconds
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._closing = threading.Event()
        self._host = socket.gethostname()
        self._zygotes = Zygotes()
        if slots > 0 and self.settings.engine == "duckdb":
            # the default engine's zygote starts with the worker: its first job forks too
            self._zygotes.warm("duckdb", job_environment())

    def poll(self) -> int:
        """Claim runs for the free slots and start them; the number claimed."""
        if self._closing.is_set():
            return 0
        with self._lock:
            free = self.slots - len(self._threads)
        if free <= 0:
            return 0
        now = self.runs.clock.now()
        claimed = self.runs.store.claim_job_runs(self.worker_id, now, free, self.lease_seconds)
        for run in claimed:
            thread = threading.Thread(
                target=self._execute, args=(run,), name=f"stepline-job-{run.id[:12]}", daemon=True
            )
            with self._lock:
                self._threads[run.id] = thread
            thread.start()
        return len(claimed)

    def warmed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the default engine's zygote; whether it runs
        (a worker that has been up a moment forks its jobs)."""
        deadline = time.monotonic() + timeout
        while self._zygotes.pid(self.settings.engine) is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def busy(self) -> bool:
        with self._lock:
            return bool(self._threads)

    def close(self) -> None:
        """Interrupt the running scripts, hand their runs back, wait for the threads; end
        the zygotes."""
        self._closing.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join()
        self._zygotes.close()

    # ---- one run --------------------------------------------------------------------------
    def _execute(self, run: JobRunRecord) -> None:
        try:
            if run.state == "STOPPING":
                self._kill_lost_process(run)
                self._finish(run, "STOPPED")
            elif run.state == "RUNNING":
                self._kill_lost_process(run)
                lost = f"process {run.process}" if run.process else "its worker"
                message = (
                    f"Job run interrupted: the stepline worker running it stopped ({lost});"
                    " its lease expired"
                )
                self._finish(run, "FAILED", message)
            else:
                self._start(run)
        except Exception:  # the lease expires and another worker takes the run over
            _LOG.exception("job run %s failed unexpectedly on %s", run.id, self.worker_id)
        finally:
            with self._lock:
                self._threads.pop(run.id, None)

    def _start(self, run: JobRunRecord) -> None:
        run_dir = self.settings.run_dir(run.id)
        if self._closing.is_set():
            self.runs.store.release_job_run(run.id, self.worker_id, self.runs.clock.now())
            return
        try:
            spec, before = self._prepare(run, run_dir)
            timeout = run.timeout * self.settings.minute_seconds
            process = start_script(spec, run_dir, timeout=timeout, zygotes=self._zygotes)
        except StoreError:
            raise  # the lease expires and another worker tries again
        except Exception as exc:  # a bad script location or spec, a directory not writable
            self._finish(run, "FAILED", f"stepline could not start the job: {exc}")
            return
        started = self.runs.store.job_run_started(
            run.id,
            self.worker_id,
            self.runs.clock.now(),
            f"{self._host}:{process.pid}",
            str(process.stdout_path),
            str(process.stderr_path),
        )
        if started is None:  # the lease was lost: the run is another worker's now
            process.stop()
            return
        result = self._watch(started, process)
        if result is None:
            return
        bookmark = self._bookmark_after(run_dir / "bookmark.json", before)
        execution_time = max(0, round(result.execution_time))
        self._finish(started, result.status, result.error_message, execution_time, bookmark)

    def _prepare(self, run: JobRunRecord, run_dir: Path) -> tuple[ScriptSpec, str | None]:
        """The script's spec, and the job's bookmark as it was before the run."""
        definition = JobDefinition.from_json(run.definition)
        arguments = dict(definition.arguments_for(json.loads(run.arguments)))
        # stepline's own arguments choose the engine; the script does not see them
        engine = arguments.pop(ENGINE_ARGUMENT, self.settings.engine)
        master = arguments.pop(MASTER_ARGUMENT, self.settings.spark_master)
        if definition.command == "pythonshell":
            engine = "python"
        else:
            check_etl_engine(engine, f"the argument {ENGINE_ARGUMENT}")
        option = arguments.get("--job-bookmark-option", "job-bookmark-disable")
        location = definition.script_location
        if is_s3_url(location):
            lake = LakePaths(self.settings.data_root)
            script = str(lake.local_path(location, where="Command.ScriptLocation"))
        else:
            script = os.path.abspath(location)
        argv = glue_argv(Path(script).name, run.job_name, run.id, arguments, bookmark_option=option)
        run_dir.mkdir(parents=True, exist_ok=True)
        bookmark_file = run_dir / "bookmark.json"
        before = self.runs.store.get_job_bookmark(run.job_name)
        if before is None:
            bookmark_file.unlink(missing_ok=True)
        else:
            bookmark_file.write_text(before, encoding="utf-8")
        spec = ScriptSpec(
            script=script,
            argv=argv,
            engine=engine_for(engine),
            data_root=str(self.settings.data_root),
            bookmark_path=str(bookmark_file),
            spark_master=master,
        )
        return spec, before

    def _watch(self, run: JobRunRecord, process: ScriptProcess) -> ScriptResult | None:
        """Wait for the script while renewing the lease and looking for a stop request;
        None when the run is no longer ours (lease lost, or handed back)."""
        renew_every = self.lease_seconds / 3
        next_renew = time.monotonic() + renew_every
        stopping = run.state == "STOPPING"
        if stopping:
            process.stop()
        store = self.runs.store
        while True:
            result = process.poll()
            if result is not None:
                return result
            if self._closing.is_set():
                process.stop()
                store.release_job_run(run.id, self.worker_id, self.runs.clock.now())
                return None
            if time.monotonic() >= next_renew:
                until = self.runs.clock.now() + timedelta(seconds=self.lease_seconds)
                if not store.renew_job_run(run.id, self.worker_id, until):
                    _LOG.warning("job run %s: lease lost; stopping its script", run.id)
                    process.stop()
                    return None
                next_renew = time.monotonic() + renew_every
            if not stopping:
                current = store.get_job_run(run.id)
                if current is None or current.state == "STOPPING":
                    stopping = True
                    process.stop()  # BatchStopJobRun
                    continue
            # the script's end is seen at once; a stop or a closing worker within a check
            process.exited(self.settings.check_seconds)

    def _finish(
        self,
        run: JobRunRecord,
        state: JobRunState,
        error_message: str | None = None,
        execution_time: int | None = None,
        bookmark: str | None = None,
    ) -> None:
        ended = self.runs.finish(
            run, self.worker_id, state, error_message, execution_time, bookmark
        )
        if not ended:
            _LOG.info("job run %s: another worker has it; its end here is dropped", run.id)

    @staticmethod
    def _bookmark_after(path: Path, before: str | None) -> str | None:
        """What the script committed to the bookmark file; None when unchanged."""
        try:
            text = path.read_text(encoding="utf-8")
            changed = before is None or json.loads(text) != json.loads(before)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            _LOG.warning("job bookmark %s cannot be read (%s); the bookmark stays", path, exc)
            return None
        return text if changed else None

    def _kill_lost_process(self, run: JobRunRecord) -> None:
        """Kill the script process of a run whose worker was lost, when it still runs on
        this host (its command line names the run's spec)."""
        host, _, pid = (run.process or "").rpartition(":")
        if host != self._host or not pid.isdigit():
            return
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return
        if run.id.encode() not in command and not _in_run_dir(pid, run.id):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(pid), signal.SIGKILL)


def _in_run_dir(pid: str, run_id: str) -> bool:
    """Whether the process works in the run's directory or logs to it (a job process
    forked by a zygote has the zygote's command line)."""
    for link in ("cwd", "fd/1", "fd/2"):
        try:
            target = os.readlink(f"/proc/{pid}/{link}")
        except OSError:
            continue
        if run_id in Path(target).parts:
            return True
    return False
