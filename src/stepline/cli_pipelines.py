"""``stepline pipelines | partitions | replay | backfill``: a dataset's pipelines and its
partition ledger (thin over :mod:`stepline.pipelines.service`).

    stepline pipelines register NAME --dataset D --state-machine SM --partition '$.process_date'
    stepline pipelines list
    stepline partitions DATASET [--from D] [--to D] [--status S] [--json]
    stepline replay DATASET --failed [--from D] [--to D] [--partition P ...]
    stepline replay --queue NAME
    stepline backfill DATASET --from D --to D [--concurrency N] [--force] [--dry-run]

``replay`` and ``backfill`` run the executions they start in this process (a worker with
job slots, like ``stepline worker``) and wait for them, unless ``--no-worker`` (then a
``stepline worker`` or ``stepline serve`` on the same store runs them, and this waits).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from stepline.cli_project import with_project
from stepline.cli_store import FINISHED, _service, store_command
from stepline.cli_worker import local_worker
from stepline.pipelines.ledger import STATUSES, PartitionState
from stepline.pipelines.service import BackfillItem, PipelineError, Pipelines, Started
from stepline.queues.errors import QueueError
from stepline.queues.service import Queues
from stepline.service import Service
from stepline.store.ledger_records import LedgerNote
from stepline.store.protocol import StoreError
from stepline.usage import UsageError


def add_pipeline_commands(commands: Any, loader: Callable[[list[str]], dict[str, Any]]) -> None:
    """Register the pipeline commands on the main parser's subparsers."""
    pipelines: argparse.ArgumentParser = commands.add_parser(
        "pipelines", help="pipelines: which state machine processes which dataset"
    )
    actions = pipelines.add_subparsers(required=True, metavar="ACTION")

    def action(
        parent: Any, name: str, help_text: str, handler: Callable[..., int]
    ) -> argparse.ArgumentParser:
        return store_command(
            parent,
            name,
            help_text,
            lambda args: _guarded(handler, args, with_project(loader, args)),
        )

    register = action(actions, "register", "create or replace a pipeline", _register)
    register.add_argument("name", metavar="NAME")
    register.add_argument("--dataset", required=True)
    register.add_argument(
        "--state-machine", required=True, help="name or ARN (NAME:alias / NAME:1 to pin)"
    )
    register.add_argument(
        "--partition", required=True, help="JSONPath of the partition in the input"
    )
    register.add_argument(
        "--input-template", default=None, help="JSON (or @FILE) with ${partition}: backfill input"
    )
    register.add_argument("--replay-queue", default=None, help="its replay queue's name")
    action(actions, "list", "list the pipelines", _list)
    delete = action(actions, "delete", "forget a pipeline (not its executions)", _delete)
    delete.add_argument("name", metavar="NAME")

    partitions = action(commands, "partitions", "a dataset's partition ledger", _partitions)
    partitions.add_argument("dataset", metavar="DATASET")
    _range(partitions)
    partitions.add_argument("--status", choices=STATUSES, default=None)
    partitions.add_argument("--json", action="store_true", help="one JSON object per line")

    replay = action(
        commands, "replay", "re-run the FAILED and QUARANTINED partitions of a dataset", _replay
    )
    replay.add_argument("dataset", metavar="DATASET", nargs="?")
    replay.add_argument("--failed", action="store_true", help="the failed partitions (the default)")
    replay.add_argument("--partition", action="append", default=[], help="only these; repeatable")
    replay.add_argument("--queue", default=None, help="drain this replay queue instead")
    _range(replay)
    _running(replay)

    backfill = action(commands, "backfill", "run a dataset over a range of dates", _backfill)
    backfill.add_argument("dataset", metavar="DATASET")
    backfill.add_argument("--from", dest="first", required=True, type=_date, metavar="YYYY-MM-DD")
    backfill.add_argument("--to", dest="last", required=True, type=_date, metavar="YYYY-MM-DD")
    backfill.add_argument("--force", action="store_true", help="run SUCCEEDED partitions too")
    backfill.add_argument("--pipeline", default=None, help="which pipeline, if several")
    backfill.add_argument("--dry-run", action="store_true", help="show the plan only")
    _running(backfill)


def _range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", default=None, metavar="PARTITION")
    parser.add_argument("--to", dest="last", default=None, metavar="PARTITION")


def _running(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, help="executions at once")
    parser.add_argument(
        "--no-worker", action="store_true", help="a worker elsewhere runs them; only wait"
    )
    parser.add_argument("--functions", action="append", default=[], metavar="MODULE:ATTR")
    from stepline.cli_project import add_project_option
    from stepline.cli_worker import add_local_worker_options

    add_project_option(parser)
    add_local_worker_options(parser)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


Handler = Callable[[Service, Pipelines, argparse.Namespace, Any], int]


def _guarded(handler: Handler, args: argparse.Namespace, loader: Any) -> int:
    with _service(args) as service:
        try:
            return handler(service, Pipelines(service), args, loader)
        except (PipelineError, StoreError) as exc:
            raise UsageError(str(exc)) from None


def _text(value: str | None) -> str | None:
    if value is None or not value.startswith("@"):
        return value
    try:
        with open(value[1:], encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {value[1:]}: {exc.strerror}") from None


# ---- the registry ------------------------------------------------------------------------
def _register(service: Service, pipelines: Pipelines, args: argparse.Namespace, _: Any) -> int:
    record = pipelines.register(
        args.name,
        args.dataset,
        args.state_machine,
        args.partition,
        input_template=_text(args.input_template),
        replay_queue=args.replay_queue,
    )
    print(f"pipeline {record.name}: dataset {record.dataset} <- {record.state_machine_arn}")
    return 0


def _list(service: Service, pipelines: Pipelines, args: argparse.Namespace, _: Any) -> int:
    rows = [
        (p.name, p.dataset, p.state_machine_arn.split(":stateMachine:")[-1], p.partition_path,
         p.replay_queue or "")
        for p in service.store.list_pipelines()
    ]  # fmt: skip
    _table(("PIPELINE", "DATASET", "STATE MACHINE", "PARTITION", "REPLAY QUEUE"), rows)
    return 0


def _delete(service: Service, pipelines: Pipelines, args: argparse.Namespace, _: Any) -> int:
    if not service.store.delete_pipeline(args.name):
        raise UsageError(f"no pipeline named {args.name!r}")
    print(f"pipeline {args.name} deleted")
    return 0


# ---- the ledger --------------------------------------------------------------------------
def _partitions(service: Service, pipelines: Pipelines, args: argparse.Namespace, _: Any) -> int:
    states = pipelines.partitions(args.dataset, args.first, args.last)
    if args.status:
        states = [s for s in states if s.status == args.status]
    if args.json:
        for state in states:
            print(json.dumps(_as_json(state)))
        return 0
    rows = [
        (
            s.partition,
            s.status,
            str(s.attempts),
            "" if s.quality_score is None else f"{s.quality_score:.2f}",
            s.latest.name,
            _when(s.last_changed),
        )
        for s in states
    ]
    _table(("PARTITION", "STATUS", "ATTEMPTS", "QUALITY", "LATEST EXECUTION", "CHANGED"), rows)
    counts = {status: sum(s.status == status for s in states) for status in STATUSES}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    print(f"{len(states)} partition(s){': ' + summary if summary else ''}")
    return 0


def _as_json(state: PartitionState) -> dict[str, Any]:
    return {
        "dataset": state.dataset,
        "partition": state.partition,
        "status": state.status,
        "attempts": state.attempts,
        "quality_score": state.quality_score,
        "executions": [
            {"executionArn": r.arn, "status": r.status, "startDate": r.start_date.isoformat()}
            for r in state.runs
        ],
        "notes": [_note_json(n) for n in state.notes],
    }


def _note_json(note: LedgerNote) -> dict[str, Any]:
    return {
        "kind": note.kind,
        "at": note.at.isoformat(),
        "executionArn": note.execution_arn,
        "sourceArn": note.source_arn,
        "detail": note.detail,
    }


# ---- replay and backfill -----------------------------------------------------------------
def _replay(service: Service, pipelines: Pipelines, args: argparse.Namespace, loader: Any) -> int:
    if args.queue is not None:
        if args.dataset or args.partition:
            raise UsageError("--queue replays what the queue says: give no DATASET or --partition")
        queues = Queues(service.store, service.clock, service.account)
        try:
            drained = pipelines.drain(queues, args.queue)
        except QueueError as exc:
            raise UsageError(f"replay queue {args.queue!r}: {exc.message}") from None
        started = [d.started for d in drained if d.started is not None]
        for problem in (d for d in drained if d.problem is not None):
            print(f"message {problem.message_id} left on the queue: {problem.problem}",
                  file=sys.stderr)  # fmt: skip
        if not drained:
            print(f"queue {args.queue} is empty: nothing to replay")
            return 0
        return _drive(service, args, loader, started)
    if args.dataset is None:
        raise UsageError("name the DATASET to replay (or --queue NAME)")
    started = pipelines.replay(args.dataset, args.first, args.last, args.partition)
    if not started:
        print(f"dataset {args.dataset}: no FAILED or QUARANTINED partition to replay")
        return 0
    return _drive(service, args, loader, started)


def _backfill(service: Service, pipelines: Pipelines, args: argparse.Namespace, loader: Any) -> int:
    pipeline = pipelines.backfill_pipeline(args.dataset, args.pipeline)
    plan = pipelines.backfill_plan(args.dataset, args.first, args.last, force=args.force)
    for item in plan:
        print(f"{item.partition}  {item.action:<4} {item.reason}")
    todo = [item for item in plan if item.action == "run"]
    if args.dry_run or not todo:
        print(f"{len(todo)} partition(s) to run{' (dry run)' if args.dry_run else ''}")
        return 0
    for item in todo:  # every input first: a bad template fails before anything starts
        pipelines.backfill_input(pipeline, item.partition)

    def start(item: BackfillItem) -> Started:
        text = pipelines.backfill_input(pipeline, item.partition)
        return pipelines.start(pipeline, item.partition, text, "backfill")

    return _drive(service, args, loader, [], pending=todo, start=start)


def _drive(
    service: Service,
    args: argparse.Namespace,
    loader: Any,
    started: Sequence[Started],
    *,
    pending: Sequence[BackfillItem] = (),
    start: Callable[[BackfillItem], Started] | None = None,
) -> int:
    """Run (or, with --no-worker, wait for) the started executions and start the pending
    ones, at most --concurrency at once; print each end; exit 1 if any did not succeed."""
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {args.concurrency}")
    queue = list(pending)
    running: dict[str, Started] = {}
    for item in started:
        running[item.execution.arn] = item
        _say("started", item)
    stop = threading.Event()
    with contextlib.ExitStack() as stack:
        if not args.no_worker:
            name = f"cli:{os.getpid()}"
            worker = stack.enter_context(local_worker(service, args, loader, name, stop))
            thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
            thread.start()
            stack.callback(thread.join)
            stack.callback(stop.set)
        return _wait_for(service, args, queue, running, start)


def _wait_for(
    service: Service,
    args: argparse.Namespace,
    queue: list[BackfillItem],
    running: dict[str, Started],
    start: Callable[[BackfillItem], Started] | None,
) -> int:
    failed = 0
    while queue or running:
        while queue and start is not None and len(running) < args.concurrency:
            item = start(queue.pop(0))
            running[item.execution.arn] = item
            _say("started", item)
        for arn in list(running):
            record = service.describe_execution(arn)
            if record.status in FINISHED:
                ended = running.pop(arn)
                failed += record.status != "SUCCEEDED"
                detail = f" ({record.error})" if record.error else ""
                print(f"{ended.partition}  {record.status}{detail}  {record.name}")
        time.sleep(0.05)
    return 1 if failed else 0


def _say(what: str, item: Started) -> None:
    source = f" (replays {item.source_arn.split(':')[-1]})" if item.source_arn else ""
    print(f"{item.partition}  {what} {item.execution.name}{source}")


# ---- printing ----------------------------------------------------------------------------
def _when(moment: Any) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
