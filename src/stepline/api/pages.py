"""Pagination: page sizes and opaque ``nextToken``s.

A token is URL-safe base64 of ``[scope, position]``: ``scope`` names the listing and its
filters (AWS: "keep all other arguments unchanged"), ``position`` where the next page
starts. A token of another listing, or one we did not write, is ``InvalidToken``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

from stepline.api.errors import ApiError

DEFAULT_PAGE: Final = 100  # AWS: maxResults 0 (or absent) means the default page of 100

T = TypeVar("T")


def page_size(max_results: int | None, default: int = DEFAULT_PAGE) -> int:
    return max_results or default


def encode_token(scope: str, position: Any) -> str:
    raw = json.dumps([scope, position], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str | None, scope: str) -> Any:
    """The position a token names; None without a token; InvalidToken when it is not one
    of this listing's."""
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode("ascii"))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        value = None
    if not isinstance(value, list) or len(value) != 2 or value[0] != scope or value[1] is None:
        raise ApiError("InvalidToken", f"Invalid Token: '{token[:128]}'")
    return value[1]


def scope_of(operation: str, *filters: Any) -> str:
    """A short digest of the listing and its filters (tokens must stay under 1,024 chars)."""
    text = json.dumps([operation, *filters], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    token: str | None,
    size: int,
    scope: str,
) -> tuple[list[T], str | None]:
    """One page of a listing held in full, after the item the token names (by ``key``)."""
    after = decode_token(token, scope)
    start = 0
    if after is not None:
        keys = [key(item) for item in items]
        if after not in keys:  # AWS: the item the page ended on is gone
            raise ApiError("InvalidToken", f"Invalid Token: '{(token or '')[:128]}'")
        start = keys.index(after) + 1
    page = list(items[start : start + size])
    more = start + size < len(items)
    return page, encode_token(scope, key(page[-1])) if more and page else None
