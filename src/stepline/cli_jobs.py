"""``stepline jobs ...``: Glue-style job definitions and runs (thin over ``stepline.jobs``);
and the job options of ``stepline serve`` and ``stepline worker``.

    stepline jobs create NAME --script PATH [--command glueetl|pythonshell] [--arg K=V ...]
    stepline jobs list
    stepline jobs start NAME [--arg K=V ...] [--wait]
    stepline jobs runs NAME
    stepline jobs logs RUN_ID [--stderr]
    stepline jobs stop NAME RUN_ID
    stepline jobs delete NAME
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from stepline.cli_store import DEFAULT_DB, _service
from stepline.jobs.definition import COMMANDS, JobDefinition
from stepline.jobs.faults import JobsError
from stepline.jobs.job_runner import (
    DEFAULT_JOBS_DIR,
    ETL_ENGINES,
    JobRunner,
    JobSettings,
)
from stepline.jobs.runs import JobRuns
from stepline.lake.defaults import DATA_ROOT_ENV, DEFAULT_DATA_ROOT, default_data_root
from stepline.service import Service
from stepline.store.protocol import StoreError
from stepline.store.records import JobRunRecord
from stepline.usage import UsageError

DEFAULT_JOB_SLOTS: Final = 2
DEFAULT_ROLE: Final = "arn:aws:iam::123456789012:role/stepline"


# ---- the job options of `stepline serve` and `stepline worker` ---------------------------
def add_job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--job-slots",
        type=int,
        default=DEFAULT_JOB_SLOTS,
        help=f"job runs run at once by this worker (default {DEFAULT_JOB_SLOTS}; 0: none)",
    )
    _add_file_options(parser)


def _add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs-dir",
        default=os.environ.get("STEPLINE_JOBS_DIR", DEFAULT_JOBS_DIR),
        help="where job runs keep their logs and files, runs/<run id>/"
        f" (default $STEPLINE_JOBS_DIR or {DEFAULT_JOBS_DIR})",
    )
    parser.add_argument(
        "--data-root",
        default=None,
        help="the lake: s3://BUCKET/KEY is the file <data-root>/BUCKET/KEY"
        f" (default ${DATA_ROOT_ENV} or {DEFAULT_DATA_ROOT})",
    )
    parser.add_argument(
        "--job-minute-seconds",
        type=float,
        default=60.0,
        help="seconds in a minute of a job's Timeout (default 60; less only to test and"
        " develop, e.g. 0.5 so that Timeout 1 stops a run after half a second)",
    )
    parser.add_argument(
        "--job-engine",
        choices=ETL_ENGINES,
        default=os.environ.get("STEPLINE_JOB_ENGINE", "duckdb"),
        help="what runs glueetl scripts: duckdb (PySpark's API on DuckDB, the default) or"
        " spark (real PySpark: pip install 'stepline[spark]'); a job may choose with its"
        " argument --stepline-engine",
    )
    parser.add_argument(
        "--spark-master",
        default=os.environ.get("STEPLINE_SPARK_MASTER", "local[*]"),
        help="the Spark master of --job-engine spark: local[*] (default), spark://HOST:PORT"
        " or sc://HOST:PORT (Spark Connect)",
    )


def job_settings(args: argparse.Namespace) -> JobSettings:
    if args.job_minute_seconds <= 0:
        raise UsageError(f"--job-minute-seconds must be positive, got {args.job_minute_seconds}")
    try:
        return JobSettings(
            Path(args.jobs_dir),
            args.data_root or default_data_root(),
            args.job_minute_seconds,
            engine=args.job_engine,
            spark_master=args.spark_master,
        )
    except ValueError as exc:  # $STEPLINE_JOB_ENGINE is not checked by argparse
        raise UsageError(str(exc)) from None


def job_runner(
    args: argparse.Namespace, service: Service, worker_id: str, lease_seconds: float
) -> JobRunner | None:
    """The worker's job slots (None with --job-slots 0)."""
    if args.job_slots < 0:
        raise UsageError(f"--job-slots must not be negative, got {args.job_slots}")
    if args.job_slots == 0:
        return None
    runs = service.job_runs
    return JobRunner(runs, worker_id, job_settings(args), args.job_slots, lease_seconds)


# ---- stepline jobs ------------------------------------------------------------------------
def add_job_commands(commands: Any) -> None:
    """Register ``stepline jobs`` on the main parser's subparsers."""
    jobs: argparse.ArgumentParser = commands.add_parser(
        "jobs", help="Glue-style jobs: define, run, list runs, read logs"
    )
    actions = jobs.add_subparsers(required=True, metavar="ACTION")

    def action(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        parser.add_argument(
            "--db", default=None, help=f"store URL (default $STEPLINE_DB or {DEFAULT_DB})"
        )
        parser.set_defaults(command=lambda args: _guarded(handler, args))
        return parser

    create = action("create", "define a job (CreateJob)", _create)
    create.add_argument("name", metavar="NAME")
    create.add_argument("--script", required=True, help="the script: a path or s3://BUCKET/KEY")
    create.add_argument(
        "--command", dest="job_command", choices=COMMANDS, default="glueetl", help="Command.Name"
    )
    _arg_option(create, "a default argument (DefaultArguments); repeatable")
    create.add_argument("--max-concurrent-runs", type=int, default=None)
    create.add_argument("--timeout", type=int, default=None, help="minutes (default 2880)")
    create.add_argument("--max-retries", type=int, default=None)
    create.add_argument("--role", default=DEFAULT_ROLE, help="the job's IAM role (kept)")
    create.add_argument("--queuing", action="store_true", help="JobRunQueuingEnabled")
    create.add_argument("--replace", action="store_true", help="update the job if it exists")

    action("list", "list the jobs", _list)

    start = action("start", "start a job run (StartJobRun)", _start)
    start.add_argument("name", metavar="NAME")
    _arg_option(start, "an argument of this run (Arguments); repeatable")
    start.add_argument("--timeout", type=int, default=None, help="minutes")
    start.add_argument("--wait", action="store_true", help="run it here until it ends")
    _add_file_options(start)

    runs = action("runs", "list a job's runs, newest first (GetJobRuns)", _runs)
    runs.add_argument("name", metavar="NAME")

    logs = action("logs", "print a job run's output", _logs)
    logs.add_argument("run_id", metavar="RUN_ID")
    logs.add_argument("--stderr", action="store_true", help="its standard error instead")

    stop = action("stop", "stop a job run (BatchStopJobRun)", _stop)
    stop.add_argument("name", metavar="NAME")
    stop.add_argument("run_id", metavar="RUN_ID")

    delete = action("delete", "delete a job (DeleteJob)", _delete)
    delete.add_argument("name", metavar="NAME")


def _arg_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE", help=help_text)


def _guarded(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except JobsError as exc:
        raise UsageError(exc.message) from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _arguments(pairs: Sequence[str]) -> dict[str, str]:
    """``--arg KEY=VALUE`` options as Glue arguments (``{"--KEY": "VALUE"}``)."""
    found: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip("-"):
            raise UsageError(f"--arg expects KEY=VALUE, got {pair!r}")
        found[key if key.startswith("--") else f"--{key}"] = value
    return found


def _create(args: argparse.Namespace) -> int:
    members: dict[str, Any] = {
        "Role": args.role,
        "Command": {"Name": args.job_command, "ScriptLocation": args.script},
    }
    if args.arg:
        members["DefaultArguments"] = _arguments(args.arg)
    if args.max_concurrent_runs is not None:
        members["ExecutionProperty"] = {"MaxConcurrentRuns": args.max_concurrent_runs}
    if args.timeout is not None:
        members["Timeout"] = args.timeout
    if args.max_retries is not None:
        members["MaxRetries"] = args.max_retries
    if args.queuing:
        members["JobRunQueuingEnabled"] = True
    with _service(args) as service:
        catalog = service.jobs
        exists = args.replace and service.store.get_job(args.name) is not None
        record = (
            catalog.update(args.name, members) if exists else catalog.create(args.name, members)
        )
    print(record.name)
    return 0


def _list(args: argparse.Namespace) -> int:
    with _service(args) as service:
        jobs = service.store.list_jobs(limit=1_000_000)
    for job in jobs:
        definition = JobDefinition.from_json(job.definition)
        print(f"{job.name}  {definition.command:<11}  {definition.script_location}")
    return 0


def _start(args: argparse.Namespace) -> int:
    settings = job_settings(args)
    with _service(args) as service:
        runs = service.job_runs
        run = runs.start(args.name, _arguments(args.arg), timeout=args.timeout)
        if not args.wait:
            print(run.id)
            return 0
        return _run_here(runs, run, settings)


def _run_here(runs: JobRuns, run: JobRunRecord, settings: JobSettings) -> int:
    """Run job runs here until ``run`` (and the retries it leads to) has ended."""
    runner = JobRunner(runs, f"cli:{os.getpid()}", settings, slots=1)
    try:
        while True:
            runner.poll()
            run = _latest_attempt(runs, run)
            if run.ended and not runner.busy():
                break
            time.sleep(0.05)
    finally:
        runner.close()
    print(f"{run.id} {run.state}")
    if run.error_message:
        print(run.error_message, file=sys.stderr)
    return 0 if run.state == "SUCCEEDED" else 1


def _latest_attempt(runs: JobRuns, run: JobRunRecord) -> JobRunRecord:
    """The run as it is now, or the retry it led to (MaxRetries), as it is now."""
    current = runs.find(run.id)
    while current.ended:
        newest = runs.store.list_job_runs(current.job_name, 200)
        retry = next((r for r in newest if r.previous_run_id == current.id), None)
        if retry is None:
            return current
        current = retry
    return current


def _runs(args: argparse.Namespace) -> int:
    with _service(args) as service:
        runs, token = service.job_runs.page(args.name, None, 200)
    for run in runs:
        error = f"  {run.error_message}" if run.error_message else ""
        print(
            f"{run.state:<9} attempt {run.attempt}  {run.started_at.isoformat()}  {run.id}{error}"
        )
    if token is not None:
        print("(older runs not shown)", file=sys.stderr)
    return 0


def _logs(args: argparse.Namespace) -> int:
    with _service(args) as service:
        runs = service.job_runs
        path = runs.logs(args.run_id, "stderr" if args.stderr else "stdout")
    try:
        sys.stdout.write(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        raise UsageError(f"cannot read the logs of {args.run_id} at {path}: {exc}") from None
    return 0


def _stop(args: argparse.Namespace) -> int:
    with _service(args) as service:
        (outcome,) = service.job_runs.stop(args.name, [args.run_id])
    if outcome.error_message is not None:
        raise UsageError(outcome.error_message)
    print(f"{args.run_id} STOPPING")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with _service(args) as service:
        service.jobs.delete(args.name)
    print(f"{args.name} deleted")
    return 0
