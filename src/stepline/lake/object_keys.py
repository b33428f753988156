"""S3 object keys and bucket names as files under a data root (pure: string checks), and the
walk that lists a bucket's keys in S3's order.

A key is a file path below its bucket's folder, so a few keys S3 accepts cannot be files:
empty parts (``a//b``, ``/a``), parts starting with "." (``.``, ``..``, ``.hidden``: the names
stepline keeps its own bookkeeping and a writer's staging files under), keys ending in "/"
(folder markers) and parts longer than a file name may be. Each is refused with a message
naming the key and the rule.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from stepline.lake.paths import LakePathError, parse_s3_url

KEY_LIMIT: Final = 1024  # AWS: "The object key name ... up to 1,024 bytes long" (UTF-8)
_NAME_LIMIT: Final = 255  # a file name (one key part), in bytes


class ObjectError(Exception):
    """An S3 error: ``code`` is S3's (``NoSuchKey``, ``NoSuchBucket``, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_bucket(bucket: str) -> None:
    """Raise ``InvalidBucketName`` unless ``bucket`` follows S3's naming rules."""
    if not isinstance(bucket, str) or "/" in bucket:
        raise ObjectError("InvalidBucketName", f"The specified bucket is not valid: {bucket!r}")
    try:
        parse_s3_url(f"s3://{bucket}/")
    except LakePathError as exc:
        message = f"The specified bucket is not valid: {exc}"
        raise ObjectError("InvalidBucketName", message) from None


def check_key(bucket: str, key: str) -> None:
    """Raise ``KeyTooLongError`` or ``InvalidArgument`` unless ``key`` can be a file here."""
    where = f"s3://{bucket}/{key}"
    if not isinstance(key, str) or not key:
        raise ObjectError("InvalidArgument", f"an object key must be a non-empty string: {key!r}")
    encoded = key.encode("utf-8", "surrogatepass")
    if len(encoded) > KEY_LIMIT:
        raise ObjectError(
            "KeyTooLongError", f"Your key is too long: {len(encoded)} bytes (at most {KEY_LIMIT})"
        )
    if "\x00" in key:
        raise ObjectError("InvalidArgument", f"an object key must not contain NUL: {key!r}")
    if key.endswith("/"):
        raise ObjectError(
            "InvalidArgument",
            f"{where}: keys ending in '/' are folder markers, not objects, in the local lake",
        )
    for part in key.split("/"):
        if not part:
            raise ObjectError(
                "InvalidArgument",
                f"{where}: a key with an empty part ('//' or a leading '/') cannot be a file "
                "in the local lake",
            )
        if part.startswith("."):
            raise ObjectError(
                "InvalidArgument",
                f"{where}: key parts starting with '.' ({part!r}) are reserved in the local lake",
            )
        if len(part.encode("utf-8", "surrogatepass")) > _NAME_LIMIT:
            raise ObjectError(
                "InvalidArgument",
                f"{where}: a key part longer than {_NAME_LIMIT} bytes cannot be a file name",
            )


def keys_under(root: Path, prefix: str) -> Iterator[str]:
    """The object keys under a bucket folder that start with ``prefix``, in UTF-8 binary order
    (S3's), skipping names that start with "." and names that are not UTF-8."""
    head, _, _ = prefix.rpartition("/")
    if head:
        # Whole parts of the prefix are folders; one no key can have matches nothing (and a
        # ".." never walks out of the bucket).
        if any(not part or part.startswith(".") for part in head.split("/")):
            return
        start = root / head
        if not start.is_dir():
            return
        yield from _walk(start, head + "/", prefix)
    else:
        yield from _walk(root, "", prefix)


def _walk(directory: Path, base: str, prefix: str) -> Iterator[str]:
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    named: list[tuple[bytes, str, bool]] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
            key = base + entry.name + ("/" if is_dir else "")
            named.append((key.encode("utf-8"), key, is_dir))
        except (UnicodeEncodeError, OSError):
            continue  # not a UTF-8 name (so no S3 key), or gone meanwhile
    # A folder "a/" sorts where its children ("a/...") sort: "a-b" < "a/x" < "a0".
    for _, key, is_dir in sorted(named):
        if not (key.startswith(prefix) or prefix.startswith(key)):
            continue
        if is_dir:
            yield from _walk(directory / key[len(base) : -1], key, prefix)
        elif key.startswith(prefix):
            yield key
