"""Queue attributes (CreateQueue, SetQueueAttributes, GetQueueAttributes) and message
attributes (SendMessage): names, defaults, ranges, the redrive policy."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from stepline.queues.errors import QueueError, invalid

# AWS: botocore's SQS model, CreateQueue's Attributes: defaults and (min, max) of numbers.
DEFAULTS: Final = MappingProxyType(
    {
        "DelaySeconds": "0",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "VisibilityTimeout": "30",
    }
)
_RANGES: Final = MappingProxyType(
    {
        "DelaySeconds": (0, 900),
        "MaximumMessageSize": (1024, 1048576),
        "MessageRetentionPeriod": (60, 1209600),
        "ReceiveMessageWaitTimeSeconds": (0, 20),
        "VisibilityTimeout": (0, 43200),
        "KmsDataKeyReusePeriodSeconds": (60, 86400),
    }
)
_KEPT: Final = frozenset(
    {
        "Policy",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "KmsMasterKeyId",
        "SqsManagedSseEnabled",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    }
)
SETTABLE: Final = frozenset(_RANGES) | _KEPT
COMPUTED: Final = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
    }
)
_BOOLEANS: Final = frozenset({"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"})
_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ATTRIBUTE_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
MAX_MESSAGE_ATTRIBUTES: Final = 10


@dataclass(frozen=True, slots=True)
class Redrive:
    dead_letter_arn: str
    max_receive_count: int

    @property
    def dead_letter_name(self) -> str:
        return self.dead_letter_arn.rsplit(":", 1)[-1]


def check_queue_name(name: str, fifo: bool) -> None:
    base = name.removesuffix(".fifo") if fifo else name
    if not _NAME.match(base) or len(name) > 80:
        raise invalid(
            "Can only include alphanumeric characters, hyphens, or underscores."
            " 1 to 80 in length (FIFO queue names end with .fifo)."
        )
    if fifo != name.endswith(".fifo"):
        raise invalid("The name of a FIFO queue can only include ... and must end with .fifo.")


def normalized(given: Mapping[str, Any], *, creating: bool) -> dict[str, str]:
    """The attributes given, checked, as the strings SQS keeps."""
    out: dict[str, str] = {}
    for name, raw in given.items():
        if name not in SETTABLE:
            raise QueueError("InvalidAttributeName", f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating:
            raise QueueError("InvalidAttributeName", "FifoQueue can only be set at creation.")
        value = str(raw)
        if name in _RANGES:
            low, high = _RANGES[name]
            if not (value.lstrip("-").isdigit() and low <= int(value) <= high):
                raise QueueError(
                    "InvalidAttributeValue",
                    f"Invalid value for the parameter {name}: must be {low} to {high}.",
                )
            value = str(int(value))
        elif name in _BOOLEANS:
            if value.lower() not in ("true", "false"):
                raise QueueError("InvalidAttributeValue", f"{name} must be true or false.")
            value = value.lower()
        elif name == "RedrivePolicy":
            value = _redrive_text(value)
        out[name] = value
    return out


def redrive(attributes: Mapping[str, str]) -> Redrive | None:
    text = attributes.get("RedrivePolicy")
    if not text:
        return None
    policy = json.loads(text)
    return Redrive(policy["deadLetterTargetArn"], int(policy["maxReceiveCount"]))


def _redrive_text(value: str) -> str:
    if value == "":
        return ""
    try:
        policy = json.loads(value)
        arn = policy["deadLetterTargetArn"]
        count = int(policy["maxReceiveCount"])
    except (ValueError, TypeError, KeyError):
        raise QueueError(
            "InvalidAttributeValue",
            "Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a"
            " JSON object with deadLetterTargetArn and maxReceiveCount.",
        ) from None
    if not (isinstance(arn, str) and arn.startswith("arn:aws:sqs:")) or not 1 <= count <= 1000:
        raise QueueError(
            "InvalidAttributeValue",
            "Value for parameter RedrivePolicy is invalid. Reason: deadLetterTargetArn must be"
            " an SQS queue ARN and maxReceiveCount 1 to 1000.",
        )
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count})


def check_message_attributes(attributes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """MessageAttributes checked, in their wire form (only the members SQS keeps)."""
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise invalid(f"Number of message attributes [{len(attributes)}] exceeds the limit 10.")
    out: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if not _ATTRIBUTE_NAME.match(name) or name.lower().startswith(("aws.", "amazon.")):
            raise invalid(f"Message attribute name '{name}' is invalid.")
        if not isinstance(value, Mapping) or not isinstance(value.get("DataType"), str):
            raise invalid(f"The message attribute '{name}' must contain a DataType.")
        data_type = value["DataType"]
        kind = data_type.split(".", 1)[0]
        if kind in ("String", "Number"):
            if not isinstance(value.get("StringValue"), str):
                raise invalid(f"The message attribute '{name}' must contain a StringValue.")
            if kind == "Number" and not _is_number(value["StringValue"]):
                raise invalid(f"Can't cast the value of message attribute '{name}' to a number.")
            out[name] = {"DataType": data_type, "StringValue": value["StringValue"]}
        elif kind == "Binary":
            if value.get("BinaryValue") is None:
                raise invalid(f"The message attribute '{name}' must contain a BinaryValue.")
            out[name] = {"DataType": data_type, "BinaryValue": value["BinaryValue"]}
        else:
            raise invalid(f"The type of message attribute '{name}' is invalid: {data_type}.")
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def chosen(names: list[str], available: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes ``names`` asks for (``All``, ``.*``, ``prefix.*`` or names)."""
    if any(n in ("All", ".*") for n in names):
        return dict(available)
    out: dict[str, Any] = {}
    for name in names:
        if name.endswith(".*"):
            prefix = name[:-1]
            out.update({k: v for k, v in available.items() if k.startswith(prefix)})
        elif name in available:
            out[name] = available[name]
    return out
