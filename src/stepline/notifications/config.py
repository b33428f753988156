"""Topics and subscriptions declared in a TOML file (``stepline topics apply``), applied
idempotently: topics are created when missing, subscriptions added when no subscription
of the topic has that protocol and endpoint. Nothing is deleted (subscriptions made
otherwise stay). A project file may reuse ``apply_topics`` on its ``[topics]`` table::

    [topics.pipeline-alerts]
    subscriptions = [
      { protocol = "email", endpoint = "ops@example.com" },
      { protocol = "http", endpoint = "http://localhost:9000/sns",
        filter_policy = { severity = ["high"] } },
    ]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from stepline.notifications import checks, filters
from stepline.notifications.errors import NotificationError
from stepline.notifications.service import Notifications

_SUBSCRIPTION_KEYS: Final = frozenset({"protocol", "endpoint", "filter_policy"})


class ConfigError(ValueError):
    """A declaration that cannot be applied: the message names the topic and entry."""


@dataclass(frozen=True, slots=True)
class Applied:
    topics: tuple[str, ...]  # ARNs of the topics declared
    subscriptions: tuple[str, ...]  # ARNs of the subscriptions declared
    created: int  # topics and subscriptions that did not exist before


def apply_topics(notifications: Notifications, config: Mapping[str, Any]) -> Applied:
    """Apply ``config["topics"]`` (name -> {subscriptions = [...]}); checks every entry
    before changing anything."""
    declared = _declared(config)
    for name, subscriptions in declared:  # check all first: a bad entry changes nothing
        where = f"topics.{name}"
        try:
            checks.topic_name(name)
            for n, s in enumerate(subscriptions, 1):
                where = f"topics.{name}.subscriptions[{n}]"
                checks.endpoint(s["protocol"], s.get("endpoint"))
                filters.checked_policy(s.get("filter_policy"))
        except NotificationError as error:
            raise ConfigError(f"{where}: {error.message}") from None
    topics: list[str] = []
    subscribed: list[str] = []
    created = 0
    before_topics = {t.name for t in notifications.list_topics()}
    before_subscriptions = {s.arn for s in notifications.subscriptions()}
    for name, subscriptions in declared:
        try:
            topics.append(notifications.create_topic(name).arn)
            created += name not in before_topics
            for s in subscriptions:
                record = notifications.subscribe(
                    name, s["protocol"], s.get("endpoint"), s.get("filter_policy")
                )
                subscribed.append(record.arn)
                created += record.arn not in before_subscriptions
        except NotificationError as error:
            raise ConfigError(f"topics.{name}: {error.message}") from None
    return Applied(tuple(topics), tuple(subscribed), created)


def _declared(config: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    topics = config.get("topics")
    if not isinstance(topics, Mapping):
        raise ConfigError("expected a [topics.NAME] table per topic")
    unknown = sorted(set(config) - {"topics"})
    if unknown:
        raise ConfigError(f"unknown top-level key(s) {unknown}: only [topics.NAME] tables")
    declared = []
    for name, body in topics.items():
        if not isinstance(body, Mapping):
            raise ConfigError(f"topics.{name}: expected a table")
        extra = sorted(set(body) - {"subscriptions"})
        if extra:
            raise ConfigError(f"topics.{name}: unknown key(s) {extra}")
        subscriptions = body.get("subscriptions", [])
        if not isinstance(subscriptions, list):
            raise ConfigError(f"topics.{name}.subscriptions: expected a list of tables")
        for n, entry in enumerate(subscriptions, 1):
            where = f"topics.{name}.subscriptions[{n}]"
            if not isinstance(entry, Mapping):
                raise ConfigError(f"{where}: expected a table")
            bad = sorted(set(entry) - _SUBSCRIPTION_KEYS)
            if bad:
                raise ConfigError(f"{where}: unknown key(s) {bad}")
            protocol = entry.get("protocol", "log")
            if not isinstance(protocol, str):
                raise ConfigError(f"{where}: protocol must be a string")
            endpoint = entry.get("endpoint")
            if endpoint is not None and not isinstance(endpoint, str):
                raise ConfigError(f"{where}: endpoint must be a string")
        declared.append(
            (str(name), [{"protocol": "log", **dict(entry)} for entry in subscriptions])
        )
    return declared
