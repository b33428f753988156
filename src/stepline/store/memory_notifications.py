"""Topics, subscriptions, published messages and their deliveries in memory (a base class
of ``MemoryStore``): the contract's semantics (tests/store/test_contract_notifications.py)
in plain dictionaries, under the store's lock."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Sequence
from datetime import datetime

from stepline.store import _common as c
from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.protocol import AlreadyExists, NotFound


class MemoryNotifications:
    """The notifications part of ``Store`` in memory; ``MemoryStore`` provides the lock."""

    _lock: threading.RLock

    def __init__(self) -> None:
        self._topics: dict[str, TopicRecord] = {}
        self._subscriptions: dict[str, tuple[int, SubscriptionRecord]] = {}
        self._notifications: dict[str, tuple[int, NotificationRecord]] = {}
        self._deliveries: dict[str, DeliveryRecord] = {}
        self._attempts: dict[str, list[AttemptRecord]] = {}
        self._seqs = itertools.count(1)

    # ---- topics and subscriptions ---------------------------------------------------------
    def create_topic(self, topic: TopicRecord) -> None:
        with self._lock:
            if topic.name in self._topics:
                raise AlreadyExists(f"topic {topic.name!r} exists")
            self._topics[topic.name] = dataclasses.replace(
                topic, created_at=c.utc(topic.created_at)
            )

    def get_topic(self, name: str) -> TopicRecord | None:
        with self._lock:
            return self._topics.get(name)

    def list_topics(self) -> list[TopicRecord]:
        with self._lock:
            return [self._topics[name] for name in sorted(self._topics)]

    def delete_topic(self, name: str) -> bool:
        with self._lock:
            for arn, (_, s) in list(self._subscriptions.items()):
                if s.topic_name == name:
                    del self._subscriptions[arn]
            return self._topics.pop(name, None) is not None

    def create_subscription(self, subscription: SubscriptionRecord) -> None:
        with self._lock:
            if subscription.topic_name not in self._topics:
                raise NotFound(f"no topic {subscription.topic_name!r}")
            if subscription.arn in self._subscriptions:
                raise AlreadyExists(f"subscription {subscription.arn!r} exists")
            kept = dataclasses.replace(subscription, created_at=c.utc(subscription.created_at))
            self._subscriptions[subscription.arn] = (next(self._seqs), kept)

    def get_subscription(self, arn: str) -> SubscriptionRecord | None:
        with self._lock:
            found = self._subscriptions.get(arn)
            return None if found is None else found[1]

    def list_subscriptions(self, topic_name: str | None = None) -> list[SubscriptionRecord]:
        with self._lock:
            found = [
                (s.topic_name, s.created_at, seq, s)
                for seq, s in self._subscriptions.values()
                if topic_name is None or s.topic_name == topic_name
            ]
        return [row[3] for row in sorted(found, key=lambda row: row[:3])]

    def delete_subscription(self, arn: str) -> bool:
        with self._lock:
            return self._subscriptions.pop(arn, None) is not None

    # ---- messages and deliveries ----------------------------------------------------------
    def publish_notification(
        self, message: NotificationRecord, deliveries: Sequence[DeliveryRecord]
    ) -> None:
        with self._lock:
            if message.topic_name not in self._topics:
                raise NotFound(f"no topic {message.topic_name!r}")
            if message.id in self._notifications:
                raise AlreadyExists(f"message {message.id!r} exists")
            kept = dataclasses.replace(
                message, published_at=c.utc(message.published_at), deliveries=len(deliveries)
            )
            self._notifications[message.id] = (next(self._seqs), kept)
            for delivery in deliveries:
                self._deliveries[delivery.id] = _delivery(delivery)

    def get_notification(self, message_id: str) -> NotificationRecord | None:
        with self._lock:
            found = self._notifications.get(message_id)
            return None if found is None else found[1]

    def list_notifications(
        self, topic_name: str | None = None, limit: int = 100, failed_only: bool = False
    ) -> list[NotificationRecord]:
        with self._lock:
            failed = {d.message_id for d in self._deliveries.values() if d.status == "FAILED"}
            found = [
                (m.published_at, seq, m)
                for seq, m in self._notifications.values()
                if (topic_name is None or m.topic_name == topic_name)
                and (not failed_only or m.id in failed)
            ]
        found.sort(key=lambda row: row[:2], reverse=True)
        return [row[2] for row in found[: max(limit, 0)]]

    def list_deliveries(self, message_id: str) -> list[DeliveryRecord]:
        with self._lock:
            found = [d for d in self._deliveries.values() if d.message_id == message_id]
        return sorted(found, key=lambda d: d.subscription_arn)

    def claim_deliveries(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[DeliveryRecord]:
        now = c.utc(now)
        until = c.lease_end(now, lease_seconds)
        with self._lock:
            due = sorted(
                (
                    d
                    for d in self._deliveries.values()
                    if d.status == "PENDING"
                    and d.due_at <= now
                    and (d.lease_until is None or d.lease_until < now)
                ),
                key=lambda d: (d.due_at, d.id),
            )
            claimed = [
                dataclasses.replace(d, lease_owner=worker_id, lease_until=until)
                for d in due[: max(limit, 0)]
            ]
            for d in claimed:
                self._deliveries[d.id] = d
        return claimed

    def end_delivery_attempt(self, end: AttemptEnd) -> bool:
        attempt = dataclasses.replace(end.attempt, at=c.utc(end.attempt.at))
        with self._lock:
            delivery = self._deliveries.get(attempt.delivery_id)
            if (
                delivery is None
                or delivery.status != "PENDING"
                or delivery.lease_owner != end.worker_id
            ):
                return False
            self._attempts.setdefault(delivery.id, []).append(attempt)
            self._deliveries[delivery.id] = dataclasses.replace(
                delivery,
                status=end.status,
                attempts=attempt.number,
                due_at=c.utc(end.retry_at) if end.retry_at is not None else delivery.due_at,
                lease_owner=None,
                lease_until=None,
                last_error=attempt.error,
            )
            return True

    def delivery_attempts(self, delivery_id: str) -> list[AttemptRecord]:
        with self._lock:
            return sorted(self._attempts.get(delivery_id, []), key=lambda a: a.number)

    def next_delivery_due(self) -> datetime | None:
        with self._lock:
            times = [
                max(d.due_at, d.lease_until) if d.lease_until is not None else d.due_at
                for d in self._deliveries.values()
                if d.status == "PENDING"
            ]
        return min(times, default=None)


def _delivery(d: DeliveryRecord) -> DeliveryRecord:
    return dataclasses.replace(d, due_at=c.utc(d.due_at), lease_until=c.utc_or_none(d.lease_until))
