"""``stepline topics ...`` and ``stepline notifications``: SNS-style topics (thin over
``stepline.notifications``), on the store ``stepline worker`` and ``stepline serve``
deliver from; and the options of the notifier those two run.

    stepline topics create NAME
    stepline topics list
    stepline topics delete NAME|ARN
    stepline topics subscribe TOPIC [--protocol P] [--endpoint E] [--filter-policy JSON]
    stepline topics unsubscribe SUBSCRIPTION_ARN
    stepline topics subscriptions [TOPIC]
    stepline topics publish TOPIC MESSAGE [--subject S] [--attribute K=V ...]
    stepline topics apply FILE.toml
    stepline notifications [--topic T] [--limit N] [--failed]
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Callable
from typing import Any

from stepline.cli_store import _service, store_command
from stepline.notifications.checks import PROTOCOLS
from stepline.notifications.config import ConfigError, apply_topics
from stepline.notifications.errors import NotificationError
from stepline.notifications.notifier import Notifier, RetryPolicy
from stepline.notifications.senders import Senders, SmtpSettings
from stepline.notifications.service import Notifications, Outgoing
from stepline.usage import UsageError


def add_notification_commands(commands: Any) -> None:
    """Register ``stepline topics`` and ``stepline notifications``."""
    topics: argparse.ArgumentParser = commands.add_parser(
        "topics", help="notification topics (SNS): create, subscribe, publish, apply"
    )
    actions = topics.add_subparsers(required=True, metavar="ACTION")

    def action(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(actions, name, help_text, lambda args: _guarded(handler, args))

    action("create", "create a topic (CreateTopic); prints its ARN", _create).add_argument("name")
    action("list", "list topics with their subscription counts", _list)
    action("delete", "delete a topic and its subscriptions", _delete).add_argument("topic")
    subscribe = action("subscribe", "subscribe an endpoint; prints the subscription ARN", _sub)
    subscribe.add_argument("topic", metavar="TOPIC", help="topic name or ARN")
    subscribe.add_argument("--protocol", default="log", choices=PROTOCOLS, help="default log")
    subscribe.add_argument(
        "--endpoint",
        default=None,
        help="URL (http, https, slack), email address (email), file path (file)",
    )
    subscribe.add_argument(
        "--filter-policy", default=None, help="JSON filter policy on message attributes"
    )
    action("unsubscribe", "delete a subscription", _unsubscribe).add_argument("arn")
    listing = action("subscriptions", "list subscriptions (of a topic)", _subscriptions)
    listing.add_argument("topic", nargs="?", default=None, metavar="TOPIC")
    publish = action("publish", "publish a message (Publish); prints its MessageId", _publish)
    publish.add_argument("topic", metavar="TOPIC")
    publish.add_argument("message", metavar="MESSAGE")
    publish.add_argument("--subject", default=None)
    publish.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="K=V",
        help="a String message attribute; repeatable",
    )
    apply = action("apply", "create the topics and subscriptions a TOML file declares", _apply)
    apply.add_argument("file", metavar="FILE.toml")

    sent = store_command(
        commands,
        "notifications",
        "list the messages published, newest first, with each delivery's status",
        lambda args: _guarded(_notifications, args),
    )
    sent.add_argument("--topic", default=None, help="only this topic's (name or ARN)")
    sent.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    sent.add_argument("--failed", action="store_true", help="only messages with a FAILED delivery")


# ---- the notifier of `stepline worker` and `stepline serve` ---------------------------------
def add_notifier_options(parser: argparse.ArgumentParser) -> None:
    e = os.environ
    parser.add_argument(
        "--notify-attempts",
        type=int,
        default=4,
        help="attempts per notification delivery before it is FAILED (default 4)",
    )
    parser.add_argument(
        "--notify-backoff",
        type=float,
        default=2.0,
        help="seconds before the first retry, doubled for each next one, at most 20 (default 2)",
    )
    parser.add_argument(
        "--smtp-host", default=e.get("STEPLINE_SMTP_HOST"), help="email: $STEPLINE_SMTP_HOST"
    )
    parser.add_argument(
        "--smtp-port", default=e.get("STEPLINE_SMTP_PORT", "25"), help="$STEPLINE_SMTP_PORT, 25"
    )
    parser.add_argument(
        "--smtp-from",
        default=e.get("STEPLINE_SMTP_FROM", "stepline@localhost"),
        help="sender address: $STEPLINE_SMTP_FROM or stepline@localhost",
    )
    parser.add_argument(
        "--smtp-user",
        default=e.get("STEPLINE_SMTP_USER"),
        help="login ($STEPLINE_SMTP_USER; the password: $STEPLINE_SMTP_PASSWORD only)",
    )
    parser.add_argument(
        "--smtp-starttls",
        action="store_true",
        default=e.get("STEPLINE_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        help="STARTTLS before login ($STEPLINE_SMTP_STARTTLS=1)",
    )


def notifier_for(args: argparse.Namespace, notifications: Notifications, name: str) -> Notifier:
    """The notifier the options describe; its log lines go to stderr."""
    port = str(args.smtp_port)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--smtp-port (or STEPLINE_SMTP_PORT) must be a port, got {port!r}")
    try:
        policy = RetryPolicy(args.notify_attempts, args.notify_backoff)
    except ValueError as exc:
        raise UsageError(f"--notify-attempts/--notify-backoff: {exc}") from None
    smtp = SmtpSettings(
        host=args.smtp_host or None,
        port=int(port),
        sender=args.smtp_from,
        user=args.smtp_user or None,
        password=os.environ.get("STEPLINE_SMTP_PASSWORD") or None,
        starttls=args.smtp_starttls,
    )
    senders = Senders(smtp, log=_log, endpoint=notifications.endpoint)
    return Notifier(notifications, senders, f"notifier:{name}", policy)


def _log(line: str) -> None:
    print(f"stepline: {line}", file=sys.stderr, flush=True)


# ---- commands -----------------------------------------------------------------------------
def _guarded(handler: Callable[[Notifications, argparse.Namespace], int], args: Any) -> int:
    with _service(args) as service:
        notifications = Notifications(service.store, service.clock, service.account)
        try:
            return handler(notifications, args)
        except NotificationError as error:
            raise UsageError(f"{error.code}: {error.message}") from None


def _create(notifications: Notifications, args: argparse.Namespace) -> int:
    print(notifications.create_topic(args.name).arn)
    return 0


def _list(notifications: Notifications, args: argparse.Namespace) -> int:
    for topic in notifications.list_topics():
        count = len(notifications.subscriptions(topic.name))
        print(f"{topic.name}\t{topic.arn}\tsubscriptions={count}")
    return 0


def _delete(notifications: Notifications, args: argparse.Namespace) -> int:
    if not notifications.delete_topic(args.topic):
        raise UsageError(f"NotFoundException: Topic does not exist: {args.topic}")
    print(f"deleted {args.topic}")
    return 0


def _sub(notifications: Notifications, args: argparse.Namespace) -> int:
    record = notifications.subscribe(args.topic, args.protocol, args.endpoint, args.filter_policy)
    print(record.arn)
    return 0


def _unsubscribe(notifications: Notifications, args: argparse.Namespace) -> int:
    if not notifications.unsubscribe(args.arn):
        raise UsageError(f"NotFoundException: Subscription does not exist: {args.arn}")
    print(f"unsubscribed {args.arn}")
    return 0


def _subscriptions(notifications: Notifications, args: argparse.Namespace) -> int:
    for s in notifications.subscriptions(args.topic):
        policy = f"\tfilter={s.filter_policy}" if s.filter_policy else ""
        print(f"{s.arn}\t{s.protocol}\t{s.endpoint}{policy}")
    return 0


def _publish(notifications: Notifications, args: argparse.Namespace) -> int:
    attributes: dict[str, dict[str, str]] = {}
    for text in args.attribute:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise UsageError(f"--attribute takes K=V, got {text!r}")
        attributes[key] = {"DataType": "String", "StringValue": value}
    outgoing = Outgoing(args.topic, args.message, args.subject, attributes or None)
    print(notifications.publish(outgoing).id)
    return 0


def _apply(notifications: Notifications, args: argparse.Namespace) -> int:
    try:
        with open(args.file, "rb") as handle:
            config = tomllib.load(handle)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{args.file}: not valid TOML: {exc}") from None
    try:
        applied = apply_topics(notifications, config)
    except ConfigError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    print(
        f"{len(applied.topics)} topic(s), {len(applied.subscriptions)} subscription(s);"
        f" {applied.created} created"
    )
    return 0


def _notifications(notifications: Notifications, args: argparse.Namespace) -> int:
    topic = notifications.topic(args.topic).name if args.topic else None
    store = notifications.store
    messages = store.list_notifications(topic, args.limit, args.failed)
    if not messages:
        print("no notifications")
        return 0
    print(f"{'PUBLISHED':<24} {'TOPIC':<20} {'MESSAGE ID':<36}  SUBJECT / MESSAGE")
    for m in messages:
        published = m.published_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        text = m.message if len(m.message) <= 60 else m.message[:57] + "..."
        subject = f"[{m.subject}] " if m.subject else ""
        print(f"{published:<24} {m.topic_name:<20} {m.id:<36}  {subject}{text!r}")
        deliveries = store.list_deliveries(m.id)
        if not deliveries:
            print("    (no subscriber)")
        for d in deliveries:
            error = f"  {d.last_error}" if d.last_error and d.status != "DELIVERED" else ""
            print(f"    {d.status:<9} attempts={d.attempts}  {d.protocol}:{d.endpoint}{error}")
    return 0
