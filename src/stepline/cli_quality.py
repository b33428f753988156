"""``stepline quality ...``: quality gates over the lake (thin over ``stepline.quality``).

    stepline quality run (--ruleset FILE | --checks FILE.sql) (--table T [--partition k=v] |
        --path P [--partition k=v]) [--dataset D] [--profile NAME|JSON] [--profiles FILE]
        [--reference ALIAS=TABLE|PATH ...] [--json]
    stepline quality results DATASET [--partition k=v] [--limit N] [--json]
    stepline quality quarantine (--table T | --path P) --partition k=v [--reason TEXT]
    stepline quality release (--table T | --path P) --partition k=v

Exit codes of ``run``: 0 PASS, 1 FAIL, 2 bad input (a bad ruleset, a missing table...).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from stepline.cli_store import _service, store_command
from stepline.integrations.quality import for_service
from stepline.quality.run import QualityError, QualityRequest
from stepline.quality.target import Target, TargetError
from stepline.usage import UsageError


def _target_options(parser: argparse.ArgumentParser, partition_required: bool = False) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--table", default=None, help="a catalog table: [database.]table")
    where.add_argument("--path", default=None, help="a folder or file (local or s3://)")
    parser.add_argument(
        "--partition", default=None, required=partition_required, help="k=v[/k2=v2]"
    )
    parser.add_argument(
        "--data-root",
        default=None,
        help="the lake's root folder (default $STEPLINE_DATA_ROOT or .stepline/lake)",
    )


def add_quality_commands(commands: Any) -> None:
    """Register ``stepline quality`` on the main parser's subparsers."""
    quality: argparse.ArgumentParser = commands.add_parser(
        "quality", help="quality gates: run rulesets, list results, quarantine partitions"
    )
    actions = quality.add_subparsers(required=True, metavar="ACTION")

    def action(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(actions, name, help_text, handler)

    run = action("run", "evaluate a ruleset or SQL checks (exit 0 PASS, 1 FAIL)", _run)
    rules = run.add_mutually_exclusive_group(required=True)
    rules.add_argument("--ruleset", default=None, help="a DQDL file (Rules = [...])")
    rules.add_argument("--checks", default=None, help="a .sql file of checks")
    _target_options(run)
    run.add_argument("--dataset", default=None, help="results are kept under this name")
    run.add_argument("--profile", default=None, help="a profile name, or a JSON object")
    run.add_argument("--profiles", default=None, help="a file of named profiles (.toml/.json)")
    run.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="ALIAS=TABLE|PATH",
        help="a reference dataset of ReferentialIntegrity; repeatable",
    )
    run.add_argument("--json", action="store_true", help="print the result as JSON")

    results = action("results", "list a dataset's stored quality runs, newest first", _results)
    results.add_argument("dataset", metavar="DATASET")
    results.add_argument("--partition", default=None, help="only this partition (k=v)")
    results.add_argument("--limit", type=int, default=20)
    results.add_argument("--json", action="store_true", help="print the runs as JSON")

    quarantine = action("quarantine", "move a partition out of readers' sight", _quarantine)
    _target_options(quarantine, partition_required=True)
    quarantine.add_argument("--reason", default="", help="kept with the partition")
    release = action("release", "move a quarantined partition back", _release)
    _target_options(release, partition_required=True)


def _run(args: argparse.Namespace) -> int:
    references = {}
    for text in args.reference:
        alias, sep, spec = text.partition("=")
        if not sep or not alias or not spec:
            raise UsageError(f"--reference takes ALIAS=TABLE|PATH, got {text!r}")
        references[alias] = spec
    request = QualityRequest(
        target=Target(args.table, args.path, args.partition),
        dataset=args.dataset,
        ruleset=args.ruleset,
        checks=args.checks,
        profile=args.profile,
        profiles_file=args.profiles,
        references=references,
    )
    with _service(args) as service:
        try:
            answer = for_service(service).runner().run(request)
        except QualityError as error:
            raise UsageError(f"{error.code}: {error.message}") from None
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        _print_run(answer)
    return 0 if answer["status"] == "PASS" else 1


def _print_run(answer: dict[str, Any]) -> None:
    rows = [("STATUS", "ACTUAL", "RULE", "MESSAGE")]
    for result in answer["results"]:
        actual = result["actual"]
        shown = "" if actual is None else f"{actual:.6g}"
        rows.append((result["status"], shown, result["rule"], result["message"]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        line = f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
        print(line.rstrip())
    print(
        f"\n{answer['status']}: score {answer['quality_score']:.4f} "
        f"(profile {answer['profile']}) on {answer['target']}; run {answer['run_id']}"
    )
    for reason in answer.get("reasons", []):
        print(f"  {reason}")


def _results(args: argparse.Namespace) -> int:
    with _service(args) as service:
        runs = for_service(service).runner().results(args.dataset, args.partition, args.limit)
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    for run in runs:
        failed = ", ".join(run["failed_checks"])
        print(
            f"{run['created_at']}  {run['status']:<4}  {run['quality_score']:.4f}  "
            f"{run['partition'] or '-'}  {run['run_id']}  {failed}".rstrip()
        )
    return 0


def _move(args: argparse.Namespace, release: bool) -> int:
    target = Target(args.table, args.path, args.partition)
    with _service(args) as service:
        quarantine = for_service(service).mover()
        try:
            moved = (
                quarantine.release(target)
                if release
                else quarantine.quarantine(target, args.reason)
            )
        except TargetError as error:
            raise UsageError(f"{error.code}: {error.message}") from None
        except OSError as error:
            raise UsageError(f"cannot move {target.describe()}: {error}") from None
    if release:
        print(f"released {moved.quarantine} -> {moved.source}")
    else:
        print(f"quarantined {moved.source} -> {moved.quarantine}")
    if moved.registered:
        print("  the partition is registered in the catalog" if release else
              "  the partition was dropped from the catalog")  # fmt: skip
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    return _move(args, release=False)


def _release(args: argparse.Namespace) -> int:
    return _move(args, release=True)
