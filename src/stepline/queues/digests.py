"""The MD5 digests SQS answers with: of a message's body (MD5OfMessageBody), and of its
message attributes (MD5OfMessageAttributes) or system attributes (MD5OfMessageSystem-
Attributes).

AWS (the SQS Developer Guide, "Calculating the MD5 message digest for message attributes"):
the attributes sorted by name; for each, its name, its data type, one transport byte (1 for
String and Number types, 2 for Binary), then its value, every variable-length part as a
4-byte big-endian length followed by its bytes (UTF-8 for text); MD5 of the whole, hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from typing import Any

from stepline.queues.errors import invalid


def md5_text(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def md5_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """The digest of message attributes in their wire form (BinaryValue base64)."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        data_type = str(value["DataType"])
        digest.update(_part(name.encode("utf-8")))
        digest.update(_part(data_type.encode("utf-8")))
        if data_type.startswith("Binary"):
            digest.update(b"\x02")
            digest.update(_part(binary_value(value)))
        else:
            digest.update(b"\x01")
            digest.update(_part(str(value["StringValue"]).encode("utf-8")))
    return digest.hexdigest()


def binary_value(value: Mapping[str, Any]) -> bytes:
    raw = value.get("BinaryValue")
    if isinstance(raw, bytes):
        return raw
    try:
        return base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("A BinaryValue is not valid base64.") from None


def _part(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data
