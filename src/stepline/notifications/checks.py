"""SNS's rules for what a caller gives: topic names, protocols and endpoints, subjects,
messages, message attributes. Pure: each check returns the value (normalised) or raises a
``NotificationError`` saying what is wrong."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from stepline.notifications.errors import invalid, invalid_value

PROTOCOLS: Final = ("log", "file", "http", "https", "slack", "email")
MAX_MESSAGE_BYTES: Final = 262_144  # AWS: 256 KB
_TOPIC_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ATTRIBUTE_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_DATA_TYPES: Final = ("String", "String.Array", "Number", "Binary")


def topic_name(name: str) -> str:
    # AWS: CreateTopic Name: ASCII letters, digits, underscores and hyphens, 1 to 256
    # characters; a FIFO topic's ends with ".fifo".
    if name.endswith(".fifo"):
        raise invalid(
            f"Name: {name!r} is a FIFO topic name; stepline supports standard topics only"
            " (FIFO topics deliver only to Amazon SQS FIFO queues, which stepline topics do"
            " not subscribe)"
        )
    if not _TOPIC_NAME.match(name):
        raise invalid(
            f"Topic Name: {name!r} must be 1 to 256 ASCII letters, digits, underscores or hyphens"
        )
    return name


def endpoint(protocol: str, given: str | None) -> str:
    """The subscription's endpoint for ``protocol``, checked (a file path made absolute)."""
    if protocol not in PROTOCOLS:
        raise invalid(f"Protocol: {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    text = (given or "").strip()
    if protocol == "log":
        return text or "stderr"
    if not text:
        raise invalid(f"Endpoint: a {protocol} subscription needs an endpoint")
    if protocol == "file":
        path = text.removeprefix("file://")
        return str(Path(path).expanduser().absolute())
    if protocol == "email":
        if not _EMAIL.match(text):
            raise invalid(f"Email address: {text!r} is not an email address")
        return text
    parts = urlsplit(text)
    schemes = ("http", "https") if protocol == "slack" else (protocol,)
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise invalid(f"Endpoint: {text!r} is not a {wanted} URL with a host")
    return text


def subject(value: Any) -> str | None:
    if value is None:
        return None
    # AWS: "Subjects must be UTF-8 text with no line breaks or control characters, and
    # less than 100 characters long."
    if (
        not isinstance(value, str)
        or not value
        or len(value) >= 100
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        raise invalid("Subject (1 to 99 characters, no line breaks or control characters)")
    return value


def message(value: Any, structure: Any) -> str:
    """The message text; with MessageStructure "json", a JSON object with a "default"."""
    if not isinstance(value, str) or not value:
        raise invalid("Empty message")
    if len(value.encode()) > MAX_MESSAGE_BYTES:
        raise invalid("Message too long")
    if structure is None:
        return value
    if structure != "json":
        raise invalid(f"MessageStructure: {structure!r} (the only value is 'json')")
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("default"), str):
        raise invalid("Message Structure - No default entry in JSON message body")
    return value


def message_attributes(given: Any) -> dict[str, dict[str, str]]:
    """MessageAttributes ``{Name: {DataType, StringValue | BinaryValue}}`` checked, kept as
    given (BinaryValue: base64 text)."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise invalid("MessageAttributes must be an object of {Name: {DataType, ...}}")
    checked: dict[str, dict[str, str]] = {}
    for name, value in given.items():
        if (
            not _ATTRIBUTE_NAME.match(name)
            or ".." in name
            or name.startswith(".")
            or name.endswith(".")
            or name.lower().startswith(("aws.", "amazon."))
        ):
            raise invalid_value(f"The message attribute name '{name}' is invalid.")
        if not isinstance(value, Mapping) or not isinstance(value.get("DataType"), str):
            raise invalid_value(f"The message attribute '{name}' must contain a DataType.")
        data_type = value["DataType"]
        base = next((t for t in _DATA_TYPES[::-1] if data_type.startswith(t)), None)
        if base is None or (data_type != base and not data_type.startswith(base + ".")):
            raise invalid_value(
                f"The message attribute '{name}' has an invalid message attribute type,"
                " the set of supported type prefixes is Binary, Number, and String."
            )
        checked[name] = {"DataType": data_type, **_attribute_value(name, base, value)}
    return checked


def _attribute_value(name: str, base: str, value: Mapping[str, Any]) -> dict[str, str]:
    key = "BinaryValue" if base == "Binary" else "StringValue"
    got = value.get(key)
    if not isinstance(got, str) or not got:
        raise invalid_value(
            f"The message attribute '{name}' must contain non-empty message attribute value"
            f" for message attribute type '{base}'."
        )
    if base == "Binary":
        try:
            base64.b64decode(got, validate=True)
        except binascii.Error:
            raise invalid_value(f"The message attribute '{name}' is not base64.") from None
    elif base == "Number":
        try:
            float(got)
        except ValueError:
            raise invalid_value(
                f"The message attribute '{name}' with type 'Number' must contain a number."
            ) from None
    elif base == "String.Array":
        try:
            parsed = json.loads(got)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            raise invalid_value(
                f"The message attribute '{name}' with type 'String.Array' must be a JSON array."
            )
    return {key: got}
