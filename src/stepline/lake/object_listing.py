"""ListObjectsV2 over a bucket folder: prefix, delimiter and CommonPrefixes, pages of at most
MaxKeys entries with continuation tokens, StartAfter.

A continuation token is opaque to the caller (as S3's): it holds where the previous page
stopped, and when a common prefix ended that page, the prefix whose keys are all skipped (a
common prefix is listed once however many keys roll up into it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from stepline.lake.object_keys import ObjectError, keys_under

if TYPE_CHECKING:
    from stepline.lake.objects import ObjectInfo

MAX_KEYS: Final = 1000  # AWS: ListObjectsV2 returns at most 1,000 keys a page


@dataclass(frozen=True, slots=True)
class ListPage:
    contents: tuple[ObjectInfo, ...]
    common_prefixes: tuple[str, ...]
    truncated: bool
    next_token: str | None  # a ContinuationToken for the next page


def encode_token(after: str, skip: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([after, skip]).encode()).decode()


def decode_token(token: str) -> tuple[str, str]:
    try:
        after, skip = json.loads(base64.urlsafe_b64decode(token.encode()))
        if isinstance(after, str) and isinstance(skip, str):
            return after, skip
    except (ValueError, TypeError, UnicodeError):
        pass
    raise ObjectError("InvalidArgument", "The continuation token provided is incorrect")


def list_page(
    root: Path,
    describe: Callable[[str], ObjectInfo | None],
    *,
    prefix: str = "",
    delimiter: str = "",
    max_keys: int = MAX_KEYS,
    token: str | None = None,
    start_after: str = "",
) -> ListPage:
    """One page of the keys under ``root`` (a bucket folder); ``describe`` gives a key's
    entry (None when the file went away meanwhile)."""
    if max_keys < 0:
        raise ObjectError("InvalidArgument", f"MaxKeys must not be negative: {max_keys}")
    limit = min(max_keys, MAX_KEYS)
    after, skip = decode_token(token) if token else (start_after, "")
    contents: list[ObjectInfo] = []
    prefixes: list[str] = []
    if limit == 0:
        # AWS: MaxKeys 0 answers an empty page that is not truncated.
        return ListPage((), (), False, None)
    stop = (after, skip)
    for key in keys_under(root, prefix):
        if key <= after or (skip and key.startswith(skip)):
            continue
        common = None
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                common = key[: cut + len(delimiter)]
        if common is not None and prefixes and prefixes[-1] == common:
            continue  # AWS: a common prefix counts once, however many keys it rolls up
        if len(contents) + len(prefixes) == limit:
            return ListPage(tuple(contents), tuple(prefixes), True, encode_token(*stop))
        if common is not None:
            prefixes.append(common)
            stop = (common, common)
            continue
        info = describe(key)
        if info is not None:
            contents.append(info)
            stop = (key, "")
    return ListPage(tuple(contents), tuple(prefixes), False, None)
