"""The parts of the ``Store`` protocol that keep SQS-style queues and SNS-style
notifications (tests/store/test_contract_queues.py, test_contract_notifications.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.queue_records import MessageRecord, QueueCounts, QueueRecord, Receive


class QueueStore(Protocol):
    # ---- queues (stepline.queues, the AmazonSQS API; tests/store/test_contract_queues.py) --
    def create_queue(self, queue: QueueRecord) -> None:
        """Raises AlreadyExists for a queue of that name."""
        ...

    def get_queue(self, name: str) -> QueueRecord | None: ...

    def list_queues(self, prefix: str = "") -> list[QueueRecord]:
        """Queues whose name starts with ``prefix``, by name."""
        ...

    def update_queue(self, queue: QueueRecord) -> None:
        """Replace attributes, modified_at and tags; NotFound without the queue."""
        ...

    def delete_queue(self, name: str) -> bool:
        """Delete the queue and its messages; False if there was none."""
        ...

    def send_messages(self, queue_name: str, messages: Sequence[MessageRecord]) -> None:
        """Add messages to the queue (NotFound without it), in one transaction."""
        ...

    def receive_messages(self, receive: Receive) -> list[MessageRecord]:
        """Claim visible messages atomically: see ``Receive``."""
        ...

    def delete_message(self, queue_name: str, receipt_handle: str) -> bool: ...

    def change_message_visibility(
        self, queue_name: str, receipt_handle: str, visible_at: datetime
    ) -> bool: ...

    def purge_queue(self, queue_name: str) -> int:
        """Delete the queue's messages; returns how many."""
        ...

    def queue_counts(self, queue_name: str, now: datetime) -> QueueCounts: ...

    def get_message(self, message_id: str) -> MessageRecord | None: ...


class NotificationStore(Protocol):
    # ---- notifications (stepline.notifications; tests/store/test_contract_notifications.py)
    def create_topic(self, topic: TopicRecord) -> None:
        """Raises AlreadyExists for a topic of that name."""
        ...

    def get_topic(self, name: str) -> TopicRecord | None: ...

    def list_topics(self) -> list[TopicRecord]:
        """By name."""
        ...

    def delete_topic(self, name: str) -> bool:
        """Delete the topic and its subscriptions (messages and deliveries stay); False if
        there was none."""
        ...

    def create_subscription(self, subscription: SubscriptionRecord) -> None:
        """NotFound without its topic; AlreadyExists for its ARN."""
        ...

    def get_subscription(self, arn: str) -> SubscriptionRecord | None: ...

    def list_subscriptions(self, topic_name: str | None = None) -> list[SubscriptionRecord]:
        """(A topic's) subscriptions, by topic name then creation."""
        ...

    def delete_subscription(self, arn: str) -> bool: ...

    def publish_notification(
        self, message: NotificationRecord, deliveries: Sequence[DeliveryRecord]
    ) -> None:
        """Store the message and its deliveries in one transaction; NotFound without the
        topic (then nothing is stored)."""
        ...

    def get_notification(self, message_id: str) -> NotificationRecord | None: ...

    def list_notifications(
        self, topic_name: str | None = None, limit: int = 100, failed_only: bool = False
    ) -> list[NotificationRecord]:
        """Messages (of a topic; with a FAILED delivery), newest first."""
        ...

    def list_deliveries(self, message_id: str) -> list[DeliveryRecord]:
        """The message's deliveries, by subscription ARN."""
        ...

    def claim_deliveries(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[DeliveryRecord]:
        """PENDING deliveries due by ``now`` whose lease is free or expired, earliest due
        first, leased to ``worker_id``. Two concurrent claimers never get the same one."""
        ...

    def end_delivery_attempt(self, end: AttemptEnd) -> bool:
        """Atomically, when ``end.worker_id`` still holds the PENDING delivery's lease: add
        the attempt, set attempts to its number, the status (PENDING: due again at
        ``retry_at``) and last_error, and free the lease. False, changing nothing,
        otherwise."""
        ...

    def delivery_attempts(self, delivery_id: str) -> list[AttemptRecord]:
        """By number."""
        ...

    def next_delivery_due(self) -> datetime | None:
        """The earliest time a PENDING delivery can be claimed (the later of its due_at and
        lease_until); None without any."""
        ...
