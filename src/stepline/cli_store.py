"""The CLI commands over a durable store: workers, state machines, executions.

The database is ``--db URL`` or ``$STEPLINE_DB``: ``sqlite:///path`` (default
``sqlite:///.stepline/stepline.db``) or ``postgresql://...``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stepline.integrations.athena import Athena
from stepline.integrations.base import Integration, Registry
from stepline.integrations.glue import Glue
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.map_storage import MapStorage
from stepline.integrations.quality import for_service as quality_integration
from stepline.integrations.s3 import S3
from stepline.integrations.sns import Sns
from stepline.integrations.sqs import Sqs
from stepline.integrations.stepfunctions import StepFunctions
from stepline.lake import LakePaths, default_data_root
from stepline.lake.objects import LocalObjects
from stepline.notifications.service import Notifications
from stepline.queues.service import Queues
from stepline.runtime.clock import RealClock
from stepline.service import ExecutionNotRedrivable, Service
from stepline.store.open import open_store
from stepline.store.protocol import StoreError
from stepline.store.records import ExecutionRecord
from stepline.usage import UsageError

DEFAULT_DB = "sqlite:///.stepline/stepline.db"
FINISHED = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def store_command(
    commands: Any, name: str, help_text: str, run: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A subcommand that works on the store: it takes ``--db``."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
    parser.add_argument(
        "--db", default=None, help=f"store URL (default $STEPLINE_DB or {DEFAULT_DB})"
    )
    parser.set_defaults(command=run)
    return parser


def add_commands(
    commands: Any, functions_loader: Callable[[list[str]], dict[str, Any]], reader: Any
) -> None:
    """Register the durable commands on the main parser's subparsers."""

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(
            commands,
            name,
            help_text,
            lambda args: handler(args, with_project(functions_loader, args), reader),
        )

    worker = command("worker", "run a worker: claim and run due work until stopped", _worker)
    worker.add_argument("--concurrency", type=int, default=4)
    worker.add_argument("--id", default=None, help="worker name (default host:pid)")
    worker.add_argument(
        "--lease-seconds",
        type=float,
        default=30.0,
        help="how long a claimed item stays this worker's without renewal (default 30)",
    )
    worker.add_argument("--functions", action="append", default=[], metavar="MODULE:ATTR")
    from stepline.cli_project import add_project_option, with_project
    from stepline.cli_worker import add_local_worker_options

    add_local_worker_options(worker)  # job slots, the lake, notification delivery
    add_project_option(worker)

    command("migrate", "create or upgrade the store's tables", _migrate)

    create = command("create-state-machine", "store a state machine definition", _create)
    create.add_argument("name")
    create.add_argument("file", help="ASL definition (JSON)")

    start = command("start", "start an execution", _start)
    start.add_argument(
        "state_machine", help="state machine name or ARN; NAME:1 / NAME:alias (or their ARNs)"
    )
    start.add_argument("--input", default="{}", help="JSON text, or @FILE")
    start.add_argument("--name", default=None, help="execution name (default: a UUID)")
    start.add_argument("--wait", action="store_true", help="run it here until it ends")
    start.add_argument("--functions", action="append", default=[], metavar="MODULE:ATTR")
    add_project_option(start)
    add_local_worker_options(start)  # --wait: its job runs and notifications, here too

    listing = command("executions", "list executions, newest first", _executions)
    listing.add_argument("state_machine", nargs="?", default=None)
    listing.add_argument("--status", default=None)

    describe = command("describe", "show one execution", _describe)
    describe.add_argument("execution_arn")

    history = command("history", "print an execution's history", _history)
    history.add_argument("execution_arn")

    success = command("send-task-success", "complete a callback task", _send_success)
    success.add_argument("token")
    success.add_argument("output", help="the task's output: JSON text, or @FILE")

    failure = command("send-task-failure", "fail a callback task", _send_failure)
    failure.add_argument("token")
    failure.add_argument("--error", default=None)
    failure.add_argument("--cause", default=None)

    heartbeat = command("send-task-heartbeat", "report a callback task alive", _send_heartbeat)
    heartbeat.add_argument("token")

    redrive = command(
        "redrive", "run a FAILED, TIMED_OUT or ABORTED execution on from where it ended", _redrive
    )
    redrive.add_argument("execution_arn")
    redrive.add_argument("--wait", action="store_true", help="run it here until it ends")
    redrive.add_argument("--functions", action="append", default=[], metavar="MODULE:ATTR")
    add_project_option(redrive)
    add_local_worker_options(redrive)

    stop = command("stop", "stop a running execution (ABORTED)", _stop)
    stop.add_argument("execution_arn")
    stop.add_argument("--error", default=None)
    stop.add_argument("--cause", default=None)


@contextmanager
def _service(args: argparse.Namespace) -> Iterator[Service]:
    url = args.db or os.environ.get("STEPLINE_DB") or DEFAULT_DB
    try:
        store = open_store(url)
    except (ValueError, StoreError, OSError) as exc:
        raise _usage(f"cannot open the store {url}: {exc}") from None
    data_root = getattr(args, "data_root", None)  # the worker's --data-root (the lake)
    service = Service(store, RealClock(), data_root=Path(data_root) if data_root else None)
    try:
        yield service
    finally:
        service.close()
        store.close()


def _usage(message: str) -> Exception:
    return UsageError(message)


def _registry(
    specs: list[str], loader: Callable[[list[str]], dict[str, Any]], service: Service
) -> Registry:
    return service_registry(service, loader(specs))


def service_registry(
    service: Service,
    functions: dict[str, Any],
    queues: Queues | None = None,
    notifications: Notifications | None = None,
) -> Registry:
    """The integrations a worker runs tasks with: Lambda functions (Python callables),
    nested Step Functions executions, Glue job runs, Athena queries, SQS messages
    (``queues``: the server's, so its long polls wake at once), SNS publishes
    (``notifications``: the process's, so its notifier wakes at once), quality gates (first:
    it answers the Lambda ARN of ``stepline-quality``), S3 objects in the lake (the
    ``aws-sdk:s3:*`` steps), and the reads and writes of Distributed Maps (ItemReader,
    ResultWriter) there too."""
    queues = queues or Queues(service.store, service.clock, service.account)
    notifications = notifications or Notifications(service.store, service.clock, service.account)
    objects = LocalObjects(LakePaths(service.data_root or default_data_root()))
    integrations: list[Integration] = [
        quality_integration(service),
        LambdaFunctions(functions),
        StepFunctions(service),
        Glue(service.job_runs),
        Athena(lambda: service.athena),
        Sqs(queues),
        Sns(notifications),
        S3(objects),
        MapStorage(lambda: objects),
    ]
    return Registry(integrations)


def _worker(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    name = args.id or f"{socket.gethostname()}:{os.getpid()}"
    from stepline.cli_worker import local_worker

    with _service(args) as service, local_worker(service, args, loader, name, stop) as worker:
        print(f"stepline worker {name}: running (Ctrl-C to stop)", file=sys.stderr)
        worker.run(stop)
    return 0


def _migrate(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args):
        print("store is up to date")
    return 0


def _create(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    definition = reader(args.file, "definition file")
    with _service(args) as service:
        try:
            record = service.create_state_machine(args.name, definition)
        except StoreError as exc:
            raise _usage(str(exc)) from None
    print(record.arn)
    return 0


def _start(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    text = reader(args.input[1:], "input file") if args.input.startswith("@") else args.input
    with _service(args) as service:
        try:
            record = service.start_execution(args.state_machine, text, args.name)
        except (StoreError, ValueError) as exc:
            raise _usage(str(exc)) from None
        if not args.wait:
            print(record.arn)
            return 0
        return _run_here(service, record, args, loader)


def _redrive(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            record = service.redrive_execution(args.execution_arn)
        except (StoreError, ExecutionNotRedrivable) as exc:
            raise _usage(f"cannot redrive {args.execution_arn}: {exc}") from None
        if not args.wait:
            print(f"{record.arn} redriven (redrive {record.redrive_count})")
            return 0
        return _run_here(service, record, args, loader)


def _run_here(
    service: Service, record: ExecutionRecord, args: argparse.Namespace, loader: Any
) -> int:
    """Work on the store here (tasks, job runs, notifications) until the execution ends;
    print its result."""
    from stepline.cli_worker import local_worker

    with local_worker(service, args, loader, f"cli:{os.getpid()}", threading.Event()) as worker:
        try:
            while record.status not in FINISHED:
                worker.run_until_idle(timeout=3600)
                record = service.describe_execution(record.arn)
                if record.status not in FINISHED:
                    due = service.store.next_due()  # sleep until a Wait or back-off is due
                    gap = 1.0 if due is None else (due - service.clock.now()).total_seconds()
                    time.sleep(min(max(gap, 0.01), 1.0))
        finally:
            if worker.jobs is not None:
                worker.jobs.close()
    return _report(record)


def _report(record: ExecutionRecord) -> int:
    if record.status == "SUCCEEDED":
        print(json.dumps(json.loads(record.output or "null"), indent=2, ensure_ascii=False))
        return 0
    print(f"{record.status}: {record.error or ''}", file=sys.stderr)
    if record.cause:
        print(f"cause: {record.cause}", file=sys.stderr)
    return 1


def _executions(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            machine = service.state_machine(args.state_machine).arn if args.state_machine else None
        except StoreError as exc:
            raise _usage(str(exc)) from None
        for record in service.store.list_executions(machine, args.status):
            print(f"{record.status:<10} {record.start_date.isoformat()}  {record.arn}")
    return 0


def _describe(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            record = service.describe_execution(args.execution_arn)
        except StoreError as exc:
            raise _usage(str(exc)) from None
        shown: dict[str, object] = {
            "executionArn": record.arn,
            "stateMachineArn": record.state_machine_arn,
            "stateMachineVersionArn": record.version_arn,
            "stateMachineAliasArn": record.alias_arn,
            "name": record.name,
            "status": record.status,
            "startDate": record.start_date.isoformat(),
            "stopDate": record.stop_date.isoformat() if record.stop_date else None,
            "input": record.input,
            "output": record.output,
            "error": record.error,
            "cause": record.cause,
        }
        verdict = service.redrive_status(record)
        shown |= {
            "redriveCount": record.redrive_count,
            "redriveDate": record.redrive_date.isoformat() if record.redrive_date else None,
            "redriveStatus": verdict.status,
            "redriveStatusReason": verdict.reason,
        }
        print(json.dumps({k: v for k, v in shown.items() if v is not None}, indent=2))
    return 0


def _history(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            events = service.history(args.execution_arn)
        except StoreError as exc:
            raise _usage(str(exc)) from None
        for event in events:
            details = event.details or ""
            print(f"{event.id:>4} {event.previous_event_id:>4}  {event.type:<26} {details}")
    return 0


def _stop(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            record = service.stop_execution(args.execution_arn, args.error, args.cause)
        except StoreError as exc:
            raise _usage(str(exc)) from None
        print(record.status)
    return 0


def _send_success(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    output = reader(args.output[1:], "output file") if args.output.startswith("@") else args.output
    with _service(args) as service:
        try:
            service.send_task_success(args.token, output)
        except (StoreError, ValueError) as exc:
            raise _usage(str(exc)) from None
    return 0


def _send_failure(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            service.send_task_failure(args.token, args.error, args.cause)
        except (StoreError, ValueError) as exc:
            raise _usage(str(exc)) from None
    return 0


def _send_heartbeat(args: argparse.Namespace, loader: Any, reader: Any) -> int:
    with _service(args) as service:
        try:
            service.send_task_heartbeat(args.token)
        except (StoreError, ValueError) as exc:
            raise _usage(str(exc)) from None
    return 0
