"""What the store keeps of notifications (stepline.notifications, Amazon SNS's model): topics,
their subscriptions, the messages published, and one delivery per (message, subscription)
with the record of each attempt. Plain frozen records; JSON as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DeliveryStatus = Literal["PENDING", "DELIVERED", "FAILED"]
AttemptOutcome = Literal["DELIVERED", "FAILED"]


@dataclass(frozen=True, slots=True)
class TopicRecord:
    name: str
    arn: str
    created_at: datetime
    attributes: str = "{}"  # JSON object: SNS topic attributes given (DisplayName...)


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    arn: str  # <topic arn>:<uuid>
    topic_name: str
    protocol: str  # log | file | http | https | slack | email
    endpoint: str
    created_at: datetime
    filter_policy: str | None = None  # JSON object (FilterPolicy on message attributes)


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """One published message (Publish)."""

    id: str  # MessageId (a UUID)
    topic_name: str
    topic_arn: str
    message: str
    published_at: datetime
    subject: str | None = None
    attributes: str = "{}"  # JSON: MessageAttributes as published
    structure: str | None = None  # MessageStructure ("json": Message is per protocol)
    deliveries: int = 0  # how many deliveries the publish created


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """The delivery of one message to one subscription (its protocol and endpoint as they
    were at publishing), retried until DELIVERED or FAILED."""

    id: str  # a UUID
    message_id: str
    subscription_arn: str
    protocol: str
    endpoint: str
    status: DeliveryStatus
    due_at: datetime  # when the next attempt may start (PENDING)
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    delivery_id: str
    number: int  # 1, 2, ...
    at: datetime
    outcome: AttemptOutcome
    status_code: int | None = None  # HTTP status (http, https, slack); SMTP reply code
    error: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptEnd:
    """One attempt's end, recorded with ``Store.end_delivery_attempt``: the attempt, and the
    delivery's new status (PENDING again: retried at ``retry_at``)."""

    worker_id: str
    attempt: AttemptRecord
    status: DeliveryStatus
    retry_at: datetime | None = None
