"""``stepline``: the command line. Thin: parses arguments, calls the API, prints.

Exit codes: 0 success; 1 the execution failed, timed out or was aborted (``run``) or the
definition has problems (``validate``); 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from stepline.asl.errors import DefinitionError
from stepline.inprocess import ExecutionResult, run, validate
from stepline.runtime.local import ExecutionStuck
from stepline.usage import UsageError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.command(args)
    except UsageError as exc:
        print(f"stepline: {exc}", file=sys.stderr)
        return 2
    except ExecutionStuck as exc:
        print(f"stepline: {exc}", file=sys.stderr)
        return 1
    except DefinitionError as exc:
        print(f"stepline: invalid state machine definition in {args.file}:", file=sys.stderr)
        for diagnostic in exc.diagnostics:
            print(f"  {diagnostic}", file=sys.stderr)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepline", description="Run AWS Step Functions state machines without AWS."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run_cmd = commands.add_parser("run", help="run a state machine in this process")
    run_cmd.add_argument("file", help="ASL definition (JSON)")
    run_cmd.add_argument(
        "--input", default="{}", help="execution input: JSON text, or @FILE to read it from a file"
    )
    run_cmd.add_argument(
        "--functions",
        action="append",
        default=[],
        metavar="MODULE:ATTR",
        help="a dict of Lambda function name -> handler(event, context); repeatable",
    )
    run_cmd.add_argument("--name", help="execution name (default: a UUID)")
    run_cmd.add_argument(
        "--clock",
        choices=["virtual", "real"],
        default="virtual",
        help="virtual (default): waits take no real time",
    )
    run_cmd.add_argument("--history", action="store_true", help="print the execution history")
    run_cmd.set_defaults(command=_run)

    validate_cmd = commands.add_parser("validate", help="report every problem of a definition")
    validate_cmd.add_argument("file", help="ASL definition (JSON)")
    validate_cmd.set_defaults(command=_validate)

    from stepline.cli_store import add_commands

    add_commands(commands, _all_functions, _read_text)
    from stepline.cli_activities import add_activity_commands

    add_activity_commands(commands)
    from stepline.cli_versions import add_version_commands

    add_version_commands(commands, _read_text)
    from stepline.cli_map_runs import add_map_run_commands

    add_map_run_commands(commands)
    from stepline.cli_jobs import add_job_commands

    add_job_commands(commands)
    from stepline.cli_queues import add_queue_commands

    add_queue_commands(commands)
    from stepline.cli_notifications import add_notification_commands

    add_notification_commands(commands)
    from stepline.cli_serve import add_serve_command

    add_serve_command(commands, _all_functions)
    from stepline.cli_sql import add_sql_command

    add_sql_command(commands)
    from stepline.cli_pipelines import add_pipeline_commands

    add_pipeline_commands(commands, _all_functions)
    from stepline.cli_project import add_project_commands

    add_project_commands(commands)
    from stepline.cli_quality import add_quality_commands

    add_quality_commands(commands)
    return parser


def _all_functions(specs: list[str]) -> dict[str, Callable[[Any, Any], Any]]:
    functions: dict[str, Callable[[Any, Any], Any]] = {}
    for spec in specs:
        functions.update(_load_functions(spec))
    return functions


def _run(args: argparse.Namespace) -> int:
    definition = _read_text(args.file, "definition file")
    payload = _input(args.input)
    functions = _all_functions(args.functions)
    result = run(definition, payload, functions=functions, name=args.name, clock=args.clock)
    if args.history:
        _print_history(result, sys.stderr)
    if result.status == "SUCCEEDED":
        print(json.dumps(result.output, indent=2, ensure_ascii=False))
        return 0
    print(f"{result.status}: {result.error or ''}", file=sys.stderr)
    if result.cause:
        print(f"cause: {result.cause}", file=sys.stderr)
    return 1


def _validate(args: argparse.Namespace) -> int:
    diagnostics = validate(_read_text(args.file, "definition file"))
    if not diagnostics:
        print(f"{args.file}: OK")
        return 0
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    for diagnostic in diagnostics:
        print(f"{args.file}: {diagnostic.severity}: {diagnostic}")
    print(f"{len(errors)} error(s), {len(diagnostics) - len(errors)} warning(s)")
    return 1 if errors else 0


def _read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from None


def _input(text: str) -> Any:
    where = "--input"
    if text.startswith("@"):
        where = text[1:]
        text = _read_text(where, "input file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"input is not valid JSON ({where}, line {exc.lineno} column {exc.colno}): {exc.msg}"
        ) from None


def _load_functions(spec: str) -> Mapping[str, Callable[[Any, Any], Any]]:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise UsageError(f"--functions expects MODULE:ATTR, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise UsageError(
            f"--functions {spec}: cannot import {module_name}: {type(exc).__name__}: {exc}"
        ) from None
    value = getattr(module, attr, None)
    if not isinstance(value, Mapping) or not all(callable(f) for f in value.values()):
        raise UsageError(f"--functions {spec}: {attr} must be a dict of function name -> callable")
    return value


def _print_history(result: ExecutionResult, out: TextIO) -> None:
    for event in result.events:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
        summary = json.dumps(details, ensure_ascii=False) if details else ""
        if len(summary) > 160:
            summary = summary[:157] + "..."
        out.write(
            f"{event['id']:>4} {event['previousEventId']:>4}  {event['type']:<26} {summary}\n"
        )


if __name__ == "__main__":
    sys.exit(main())
