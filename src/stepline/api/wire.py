"""The AWS JSON 1.0 wire format: content type, bodies, timestamps.

Timestamps travel as epoch seconds (a JSON number with a fraction); execution input and
output, task output and history payloads travel as JSON *text* inside the JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

CONTENT_TYPE: Final = "application/x-amz-json-1.0"
TARGET_PREFIX: Final = "AWSStepFunctions."


def epoch(value: datetime) -> float:
    """AWS JSON 1.0 timestamp: seconds since the epoch, to the millisecond."""
    return round(value.timestamp(), 3)


def epoch_or_none(value: datetime | None) -> float | None:
    return None if value is None else epoch(value)


def present(**members: Any) -> dict[str, Any]:
    """A response structure without its absent (None) members: AWS omits them."""
    return {name: value for name, value in members.items() if value is not None}


def encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
