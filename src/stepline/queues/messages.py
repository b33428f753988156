"""Messages as SendMessage takes them and ReceiveMessage answers them: records for the
store, receipt handles, the members of a received message."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from stepline.queues.attributes import check_message_attributes, chosen
from stepline.queues.digests import md5_attributes, md5_text
from stepline.queues.errors import QueueError, invalid
from stepline.store.queue_records import MessageRecord

SYSTEM_NAMES: Final = frozenset(
    {
        "All",
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "SequenceNumber",
        "MessageDeduplicationId",
        "MessageGroupId",
        "AWSTraceHeader",
        "DeadLetterQueueSourceArn",
    }
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send (SendMessage, one SendMessageBatch entry)."""

    body: str
    delay_seconds: int | None = None
    message_attributes: Mapping[str, Any] | None = None
    system_attributes: Mapping[str, Any] | None = None  # MessageSystemAttributes
    group_id: str | None = None
    deduplication_id: str | None = None


def record(
    message: Outgoing, queue_name: str, attributes: Mapping[str, str], now: datetime
) -> MessageRecord:
    """The stored message, checked against the queue's ``attributes``."""
    check_body(message.body, int(attributes["MaximumMessageSize"]))
    fifo = attributes.get("FifoQueue") == "true"
    if fifo and not message.group_id:
        raise QueueError(
            "MissingParameter", "The request must contain the parameter MessageGroupId."
        )
    delay = (
        int(attributes["DelaySeconds"]) if message.delay_seconds is None else message.delay_seconds
    )
    if not 0 <= delay <= 900:
        raise invalid(f"Value {delay} for parameter DelaySeconds is invalid. Reason: 0 to 900.")
    if fifo and message.delay_seconds:
        raise invalid("The request include parameter that is not valid for this queue type.")
    user = check_message_attributes(message.message_attributes or {})
    system: dict[str, Any] = {}
    for name, value in (message.system_attributes or {}).items():
        if name != "AWSTraceHeader":
            raise invalid(f"Message system attribute name '{name}' is invalid.")
        system[name] = check_message_attributes({name: value})[name]
    kept: dict[str, Any] = {}
    if message.group_id:
        kept["MessageGroupId"] = message.group_id
    if message.deduplication_id:
        kept["MessageDeduplicationId"] = message.deduplication_id
    if system:
        kept["system"] = system
        kept["MD5OfMessageSystemAttributes"] = md5_attributes(system)
    return MessageRecord(
        id=str(uuid.uuid4()),
        queue_name=queue_name,
        body=message.body,
        md5_body=md5_text(message.body),
        sent_at=now,
        visible_at=now + timedelta(seconds=delay),
        attributes=json.dumps(kept),
        message_attributes=json.dumps(user),
        md5_attributes=md5_attributes(user) if user else None,
    )


def sent(message: MessageRecord) -> dict[str, Any]:
    """SendMessage's answer for ``message``."""
    reply: dict[str, Any] = {"MD5OfMessageBody": message.md5_body, "MessageId": message.id}
    if message.md5_attributes:
        reply["MD5OfMessageAttributes"] = message.md5_attributes
    kept = json.loads(message.attributes)
    if "MD5OfMessageSystemAttributes" in kept:
        reply["MD5OfMessageSystemAttributes"] = kept["MD5OfMessageSystemAttributes"]
    return reply


def received(
    message: MessageRecord, system_names: list[str], attribute_names: list[str], sender: str
) -> dict[str, Any]:
    """One message of ReceiveMessage's answer, with the attributes asked for."""
    reply: dict[str, Any] = {
        "MessageId": message.id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_body,
        "Body": message.body,
    }
    kept = json.loads(message.attributes)
    system: dict[str, str] = {
        "SenderId": sender,
        "SentTimestamp": _millis(message.sent_at),
        "ApproximateReceiveCount": str(message.receive_count),
    }
    if message.first_received_at is not None:
        system["ApproximateFirstReceiveTimestamp"] = _millis(message.first_received_at)
    for name in ("MessageGroupId", "MessageDeduplicationId"):
        if name in kept:
            system[name] = kept[name]
    trace = kept.get("system", {}).get("AWSTraceHeader")
    if trace:
        system["AWSTraceHeader"] = trace["StringValue"]
    asked = chosen(system_names, system)
    if asked:
        reply["Attributes"] = asked
    user = chosen(attribute_names, json.loads(message.message_attributes))
    if user:
        reply["MessageAttributes"] = user
        reply["MD5OfMessageAttributes"] = md5_attributes(user)
    return reply


def check_body(body: str, limit: int) -> None:
    if body == "":
        raise QueueError("MissingParameter", "The request must contain the parameter MessageBody.")
    if len(body.encode("utf-8")) > limit:
        raise invalid(
            "One or more parameters are invalid."
            f" Reason: Message must be shorter than {limit} bytes."
        )
    for char in body:
        code = ord(char)
        if not (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000
        ):
            raise QueueError(
                "InvalidMessageContents",
                f"Invalid characters found. Unicode U+{code:04X} is not allowed in a message.",
            )


def new_handle(queue_name: str) -> str:
    """A receipt handle: which queue, and which receive."""
    text = f"{queue_name}\n{uuid.uuid4()}"
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def handle_queue(handle: str) -> str:
    """The queue name a receipt handle names; ReceiptHandleIsInvalid when it names none."""
    try:
        text = base64.urlsafe_b64decode(handle.encode("ascii")).decode("utf-8")
        queue_name, receive_id = text.split("\n")
        uuid.UUID(receive_id)
    except (ValueError, UnicodeError):
        raise QueueError(
            "ReceiptHandleIsInvalid",
            f'The input receipt handle "{handle}" is not a valid receipt handle.',
        ) from None
    return queue_name


def _millis(when: datetime) -> str:
    return str(int(when.timestamp() * 1000))
