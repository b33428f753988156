"""The CLI commands for Step Functions activities (thin over ``stepline.activities``).

``ACTIVITY`` is an activity name (in the store's region and account) or its ARN.
``get-activity-task`` prints ``{"taskToken": ..., "input": ...}`` and exits 0; when no task
came within ``--timeout`` seconds it prints nothing on stdout (a note on stderr) and still
exits 0, as AWS answers an empty GetActivityTask. Answer a task with ``send-task-success``,
``send-task-failure`` or ``send-task-heartbeat`` and its token.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from stepline.activities import LONG_POLL_SECONDS, Activities
from stepline.cli_store import _service, store_command
from stepline.store.protocol import StoreError
from stepline.usage import UsageError


def add_activity_commands(commands: Any) -> None:
    """Register the activity commands on the main parser's subparsers."""

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(commands, name, help_text, handler)

    create = command("create-activity", "create an activity (again: the same ARN)", _create)
    create.add_argument("name")

    command("activities", "list activities by name", _list)

    describe = command("describe-activity", "show one activity", _describe)
    describe.add_argument("activity", help="activity name or ARN")

    delete = command("delete-activity", "delete an activity", _delete)
    delete.add_argument("activity", help="activity name or ARN")

    poll = command(
        "get-activity-task", "wait for the activity's oldest task and take it", _get_task
    )
    poll.add_argument("activity", help="activity name or ARN")
    poll.add_argument("--worker-name", default=None, help="recorded in ActivityStarted")
    poll.add_argument(
        "--timeout",
        type=float,
        default=LONG_POLL_SECONDS,
        help=f"seconds to wait for a task (default {LONG_POLL_SECONDS:g}, as AWS)",
    )


def _create(args: argparse.Namespace) -> int:
    with _service(args) as service:
        try:
            record = Activities(service).create_activity(args.name)
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot create activity {args.name!r}: {exc}") from None
    print(record.arn)
    return 0


def _list(args: argparse.Namespace) -> int:
    with _service(args) as service:
        for record in Activities(service).list_activities():
            print(f"{record.created_at.isoformat()}  {record.arn}")
    return 0


def _describe(args: argparse.Namespace) -> int:
    with _service(args) as service:
        try:
            record = Activities(service).describe_activity(args.activity)
        except (StoreError, ValueError) as exc:
            raise UsageError(f"activity {args.activity}: {exc}") from None
    shown = {
        "activityArn": record.arn,
        "name": record.name,
        "creationDate": record.created_at.isoformat(),
    }
    print(json.dumps(shown, indent=2))
    return 0


def _delete(args: argparse.Namespace) -> int:
    with _service(args) as service:
        try:
            deleted = Activities(service).delete_activity(args.activity)
        except (StoreError, ValueError) as exc:
            raise UsageError(f"activity {args.activity}: {exc}") from None
    if not deleted:  # AWS: DeleteActivity of an unknown activity succeeds
        print(f"stepline: no activity {args.activity} (nothing deleted)", file=sys.stderr)
    return 0


def _get_task(args: argparse.Namespace) -> int:
    if not args.timeout >= 0:
        raise UsageError(f"--timeout must be 0 or more seconds, got {args.timeout:g}")
    with _service(args) as service:
        try:
            task = Activities(service).get_activity_task(
                args.activity, args.worker_name, args.timeout
            )
        except (StoreError, ValueError) as exc:
            raise UsageError(f"get-activity-task {args.activity}: {exc}") from None
    if task is None:
        print(f"stepline: no task for {args.activity} within {args.timeout:g} s", file=sys.stderr)
        return 0
    print(json.dumps({"taskToken": task.task_token, "input": task.input}, ensure_ascii=False))
    return 0
