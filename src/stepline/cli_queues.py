"""``stepline queues ...``: durable queues (thin over ``stepline.queues``), on the store
``stepline serve`` answers the AmazonSQS API from.

    stepline queues create NAME [--attribute K=V ...]
    stepline queues list [--prefix P]
    stepline queues send NAME BODY [--delay SECONDS]
    stepline queues receive NAME [--max N] [--wait SECONDS] [--visibility SECONDS] [--delete]
    stepline queues purge NAME
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from stepline.cli_store import _service, store_command
from stepline.queues.errors import QueueError
from stepline.queues.messages import Outgoing
from stepline.queues.service import Queues, ReceiveOptions
from stepline.usage import UsageError


def add_queue_commands(commands: Any) -> None:
    """Register ``stepline queues`` on the main parser's subparsers."""
    queues: argparse.ArgumentParser = commands.add_parser(
        "queues", help="durable queues (SQS): create, list, send, receive, purge"
    )
    actions = queues.add_subparsers(required=True, metavar="ACTION")

    def action(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(actions, name, help_text, lambda args: _guarded(handler, args))

    create = action("create", "create a queue (CreateQueue); prints its URL", _create)
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="K=V",
        help="a queue attribute (VisibilityTimeout=60, DelaySeconds=5...); repeatable",
    )
    listing = action("list", "list queues with their message counts", _list)
    listing.add_argument("--prefix", default="", help="only queues whose name starts so")
    send = action("send", "send a message (SendMessage); prints its MessageId", _send)
    send.add_argument("name", metavar="NAME")
    send.add_argument("body", metavar="BODY")
    send.add_argument("--delay", type=int, default=None, help="DelaySeconds")
    receive = action("receive", "receive messages (ReceiveMessage): one JSON line each", _receive)
    receive.add_argument("name", metavar="NAME")
    receive.add_argument("--max", type=int, default=1, help="MaxNumberOfMessages (1 to 10)")
    receive.add_argument("--wait", type=int, default=None, help="WaitTimeSeconds (0 to 20)")
    receive.add_argument("--visibility", type=int, default=None, help="VisibilityTimeout")
    receive.add_argument("--delete", action="store_true", help="delete what was received")
    purge = action("purge", "delete every message of a queue (PurgeQueue)", _purge)
    purge.add_argument("name", metavar="NAME")


def _guarded(handler: Callable[[Queues, argparse.Namespace], int], args: Any) -> int:
    with _service(args) as service:
        queues = Queues(service.store, service.clock, service.account)
        try:
            return handler(queues, args)
        except QueueError as error:
            raise UsageError(f"{error.code}: {error.message}") from None


def _create(queues: Queues, args: argparse.Namespace) -> int:
    attributes: dict[str, str] = {}
    for text in args.attribute:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise UsageError(f"--attribute takes K=V, got {text!r}")
        attributes[key] = value
    print(queues.create_queue(args.name, attributes))
    return 0


def _list(queues: Queues, args: argparse.Namespace) -> int:
    now = queues.clock.now()
    for queue in queues.list_records(args.prefix):
        counts = queues.store.queue_counts(queue.name, now)
        print(
            f"{queue.name}\tvisible={counts.visible}\tin_flight={counts.in_flight}"
            f"\tdelayed={counts.delayed}"
        )
    return 0


def _send(queues: Queues, args: argparse.Namespace) -> int:
    print(queues.send(args.name, Outgoing(args.body, args.delay)).id)
    return 0


def _receive(queues: Queues, args: argparse.Namespace) -> int:
    options = ReceiveOptions(
        max_messages=args.max,
        wait_seconds=args.wait,
        visibility_timeout=args.visibility,
        system_names=("All",),
        attribute_names=("All",),
    )
    for message in queues.receive(args.name, options):
        print(json.dumps(message), flush=True)
        if args.delete:
            queues.delete_message(args.name, message["ReceiptHandle"])
    return 0


def _purge(queues: Queues, args: argparse.Namespace) -> int:
    print(f"purged {queues.purge(args.name)} message(s)")
    return 0
