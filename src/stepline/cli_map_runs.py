"""The CLI commands for Map Runs (thin over ``stepline.map_runs``): list an execution's
Map Runs, describe one, change a running one's settings."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from stepline.api.sfn_map_runs import counts_shape
from stepline.arns import InvalidArn
from stepline.catalog_checks import ValidationError
from stepline.cli_store import _service, store_command
from stepline.map_runs import MapRun, MapRuns
from stepline.store.protocol import StoreError
from stepline.usage import UsageError


def add_map_run_commands(commands: Any) -> None:
    """Register the commands on the main parser's subparsers."""

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(commands, name, help_text, handler)

    listing = command("map-runs", "list the Map Runs an execution started, newest first", _list)
    listing.add_argument("execution_arn", metavar="EXECUTION_ARN")

    describe = command("describe-map-run", "show a Map Run: status, settings, counts", _describe)
    describe.add_argument("map_run_arn", metavar="MAP_RUN_ARN")

    update = command("update-map-run", "change a running Map Run's settings", _update)
    update.add_argument("map_run_arn", metavar="MAP_RUN_ARN")
    update.add_argument("--max-concurrency", type=_at_least_zero(int), default=None)
    update.add_argument("--tolerated-failure-count", type=_at_least_zero(int), default=None)
    update.add_argument("--tolerated-failure-percentage", type=_percentage, default=None)


def _list(args: argparse.Namespace) -> int:
    with _service(args) as service:
        try:
            execution = service.describe_execution(args.execution_arn)
            runs = MapRuns(service)
            found, after = runs.of_execution(execution, 100)
            while after is not None:
                more, after = runs.of_execution(execution, 100, after)
                found.extend(more)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    for run in found:
        print(f"{run.status:<10} {run.start_date.isoformat()}  {run.arn}")
    return 0


def _describe(args: argparse.Namespace) -> int:
    with _service(args) as service:
        try:
            run = MapRuns(service).describe(args.map_run_arn)
        except (StoreError, InvalidArn) as exc:
            raise UsageError(str(exc)) from None
    print(json.dumps(_shown(run), indent=2))
    return 0


def _update(args: argparse.Namespace) -> int:
    settings = (
        args.max_concurrency,
        args.tolerated_failure_count,
        args.tolerated_failure_percentage,
    )
    if all(value is None for value in settings):
        raise UsageError(
            "give --max-concurrency, --tolerated-failure-count or --tolerated-failure-percentage"
        )
    with _service(args) as service:
        try:
            MapRuns(service).update(args.map_run_arn, *settings)
        except (StoreError, InvalidArn, ValidationError) as exc:
            raise UsageError(f"cannot update {args.map_run_arn}: {exc}") from None
    return 0


def _shown(run: MapRun) -> dict[str, object]:
    counts = run.counts
    shown: dict[str, object] = {
        "mapRunArn": run.arn,
        "executionArn": run.execution_arn,
        "stateMachineArn": run.state_machine_arn,
        "status": run.status,
        "startDate": run.start_date.isoformat(),
        "stopDate": run.stop_date.isoformat() if run.stop_date else None,
        "maxConcurrency": run.max_concurrency,
        "toleratedFailurePercentage": run.tolerated_failure_percentage,
        "toleratedFailureCount": run.tolerated_failure_count,
        "itemCounts": counts_shape(counts),
        "redriveCount": run.redrive_count,
        "redriveDate": run.redrive_date.isoformat() if run.redrive_date else None,
    }
    return {k: v for k, v in shown.items() if v is not None}


def _at_least_zero(kind: Callable[[str], int]) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
        return value

    return parse


def _percentage(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 100:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be from 0 to 100, got {text}")
    return value
