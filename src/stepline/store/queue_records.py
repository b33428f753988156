"""What the store keeps of queues (stepline.queues, the AmazonSQS API): plain frozen
records; attributes as JSON text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QueueRecord:
    name: str
    url: str
    arn: str
    attributes: str  # JSON object: SQS's settable attributes, as strings, defaults filled in
    created_at: datetime
    modified_at: datetime
    tags: str = "{}"  # JSON object


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str  # MessageId (a UUID)
    queue_name: str
    body: str
    md5_body: str
    sent_at: datetime
    visible_at: datetime  # sent_at + DelaySeconds; after a receive, the visibility's end
    attributes: str = "{}"  # JSON: system attributes given (MessageGroupId, AWSTraceHeader...)
    message_attributes: str = "{}"  # JSON: MessageAttributes as sent
    md5_attributes: str | None = None  # MD5OfMessageAttributes, None without any
    receive_count: int = 0
    first_received_at: datetime | None = None
    receipt_handle: str | None = None  # of the latest receive


@dataclass(frozen=True, slots=True)
class Receive:
    """One ReceiveMessage: claim up to ``len(handles)`` visible messages of ``queue_name``,
    the n-th claimed getting ``handles[n]``, invisible until ``visible_until``. Messages that
    were received ``max_receive_count`` times already move to ``dead_letter`` instead, and
    messages sent before ``expire_before`` are deleted (MessageRetentionPeriod)."""

    queue_name: str
    now: datetime
    visible_until: datetime
    handles: tuple[str, ...]
    dead_letter: str | None = None
    max_receive_count: int = 0
    expire_before: datetime | None = None  # first delete messages sent before (retention)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    visible: int  # ApproximateNumberOfMessages
    in_flight: int  # ...NotVisible: received, visibility not yet over
    delayed: int  # ...Delayed: not yet received, DelaySeconds not yet over
