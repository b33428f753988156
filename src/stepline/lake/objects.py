"""Objects in the lake, the S3 way: get, put, head, list (V2), copy and delete over the data
root, for the ``aws-sdk:s3:*`` steps and the Distributed Map's ItemReader and ResultWriter.

    objects = LocalObjects(LakePaths(data_root))
    objects.put("bucket", "in/a.csv", b"id\\n1\\n", content_type="text/csv")
    objects.get("bucket", "in/a.csv").body
    objects.list("bucket", prefix="in/", delimiter="/")

``s3://BUCKET/KEY`` is the file ``<data_root>/BUCKET/KEY`` (the mapping the jobs and the SQL
engine use, so a job's output is an object here and an object put here is a job's input).
A bucket is a directory under the data root. What a file cannot hold itself (content type,
user metadata, ETag) is kept beside the tree in ``<data_root>/.s3meta/BUCKET/KEY.json``;
names starting with "." are never listed, so neither that nor a writer's staging directory
is ever an object. A file written by other means (a job) has no such record: its ETag is the
MD5 of its content, or for files over 16 MiB a digest of its size and modification time
(marked ``-1`` like a multipart ETag, which is no MD5 either).

Limits of a file tree: a key cannot be both an object and a "folder" of others (``a`` and
``a/b``), and keys ending in "/" are not objects. Writes put a whole file in place with a
rename, so a reader never sees half an object.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from stepline.lake.paths import LakePaths

_META_DIR: Final = ".s3meta"
_DIGEST_LIMIT: Final = 16 << 20
_DEFAULT_TYPE: Final = "binary/octet-stream"  # AWS: S3's content type when none is given
MAX_KEYS: Final = 1000


class ObjectError(Exception):
    """An S3 error: ``code`` is S3's (``NoSuchKey``, ``NoSuchBucket``, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    etag: str  # quoted, as S3 sends it
    last_modified: datetime
    content_type: str = _DEFAULT_TYPE
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredObject:
    info: ObjectInfo
    body: bytes


@dataclass(frozen=True, slots=True)
class ListPage:
    contents: tuple[ObjectInfo, ...]
    common_prefixes: tuple[str, ...]
    truncated: bool
    next_token: str | None  # a ContinuationToken for the next page


class Objects(Protocol):
    def get(self, bucket: str, key: str) -> StoredObject: ...
    def head(self, bucket: str, key: str) -> ObjectInfo: ...
    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo: ...
    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> ObjectInfo: ...
    def delete(self, bucket: str, key: str) -> None: ...
    def list(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str = "",
        max_keys: int = MAX_KEYS,
        token: str | None = None,
        start_after: str = "",
    ) -> ListPage: ...


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ObjectError(
            "InvalidArgument", "The continuation token provided is incorrect"
        ) from None


def _no_key(bucket: str, key: str) -> ObjectError:
    return ObjectError("NoSuchKey", f"The specified key does not exist: s3://{bucket}/{key}")


def _no_bucket(bucket: str) -> ObjectError:
    return ObjectError("NoSuchBucket", f"The specified bucket does not exist: {bucket}")


@dataclass(frozen=True)
class LocalObjects:
    """Objects as files under a data root."""

    paths: LakePaths

    # ---- paths -------------------------------------------------------------------------

    def _bucket_dir(self, bucket: str) -> Path:
        path = self.paths.local_path(f"s3://{bucket}/", where="Bucket")
        if not path.is_dir():
            raise _no_bucket(bucket)
        return path

    def _file(self, bucket: str, key: str) -> Path:
        if not key or key.endswith("/"):
            raise ObjectError("InvalidArgument", f"not an object key: {key!r}")
        root = self._bucket_dir(bucket)
        path = self.paths.local_path(f"s3://{bucket}/{key}", where="Key")
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            raise ObjectError(
                "InvalidArgument", f"keys with a part starting with '.' are reserved here: {key!r}"
            )
        return path

    def _meta_file(self, bucket: str, key: str) -> Path:
        return self.paths.data_root / _META_DIR / bucket / f"{key}.json"

    # ---- reads -------------------------------------------------------------------------

    def _info(self, bucket: str, key: str, path: Path) -> ObjectInfo:
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise _no_key(bucket, key) from None
        if not path.is_file():
            raise _no_key(bucket, key)
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).replace(microsecond=0)
        meta = self._read_meta(bucket, key, stat)
        if meta is not None:
            return ObjectInfo(
                key,
                stat.st_size,
                meta["etag"],
                modified,
                meta.get("content_type", _DEFAULT_TYPE),
                meta.get("metadata", {}),
            )
        if stat.st_size <= _DIGEST_LIMIT:
            etag = f'"{hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()}"'
        else:
            mark = f"{stat.st_size}:{stat.st_mtime_ns}".encode()
            etag = f'"{hashlib.md5(mark, usedforsecurity=False).hexdigest()}-1"'
        return ObjectInfo(key, stat.st_size, etag, modified)

    def _read_meta(self, bucket: str, key: str, stat: os.stat_result) -> dict[str, Any] | None:
        try:
            meta = json.loads(self._meta_file(bucket, key).read_text())
        except (OSError, ValueError):
            return None
        # A record of an older version of the file (rewritten by a job since) does not count.
        if meta.get("size") != stat.st_size or meta.get("mtime_ns") != stat.st_mtime_ns:
            return None
        return dict(meta)

    def head(self, bucket: str, key: str) -> ObjectInfo:
        return self._info(bucket, key, self._file(bucket, key))

    def get(self, bucket: str, key: str) -> StoredObject:
        path = self._file(bucket, key)
        info = self._info(bucket, key, path)
        try:
            body = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise _no_key(bucket, key) from None
        return StoredObject(info, body)

    def list(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str = "",
        max_keys: int = MAX_KEYS,
        token: str | None = None,
        start_after: str = "",
    ) -> ListPage:
        root = self._bucket_dir(bucket)
        after = decode_token(token) if token else start_after
        contents: list[ObjectInfo] = []
        prefixes: list[str] = []
        last = ""
        for key in _keys(root, prefix):
            if key <= after:
                continue
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[: cut + len(delimiter)]
                    if common <= after or (prefixes and prefixes[-1] == common):
                        continue
                    if len(contents) + len(prefixes) == max_keys:
                        return ListPage(tuple(contents), tuple(prefixes), True, encode_token(last))
                    prefixes.append(common)
                    # AWS: a common prefix counts once; resume after all its keys.
                    last = common + "\U0010ffff"
                    continue
            if len(contents) + len(prefixes) == max_keys:
                return ListPage(tuple(contents), tuple(prefixes), True, encode_token(last))
            with contextlib.suppress(ObjectError):
                contents.append(self._info(bucket, key, root / key))
                last = key
        return ListPage(tuple(contents), tuple(prefixes), False, None)

    # ---- writes ------------------------------------------------------------------------

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        path = self._file(bucket, key)
        if path.is_dir():
            raise ObjectError(
                "InvalidArgument", f"s3://{bucket}/{key} is a folder of other objects here"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ObjectError(
                "InvalidArgument",
                f"s3://{bucket}/{key}: a part of its key is "
                "an object here, so it cannot also be a folder",
            ) from None
        staging = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.part"
        try:
            staging.write_bytes(body)
            os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
        stat = path.stat()
        etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
        record = {
            "etag": etag,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "content_type": content_type or _DEFAULT_TYPE,
            "metadata": dict(metadata or {}),
        }
        meta = self._meta_file(bucket, key)
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps(record))
        return self._info(bucket, key, path)

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> ObjectInfo:
        source = self.get(source_bucket, source_key)
        info = source.info
        return self.put(
            bucket, key, source.body, content_type=info.content_type, metadata=info.metadata
        )

    def delete(self, bucket: str, key: str) -> None:
        """Remove an object; AWS: deleting a missing key succeeds."""
        path = self._file(bucket, key)
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()
        self._meta_file(bucket, key).unlink(missing_ok=True)
        root = self._bucket_dir(bucket)
        parent = path.parent
        while parent != root:  # S3 has no folders: an emptied one goes too
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _keys(root: Path, prefix: str) -> Iterator[str]:
    """The object keys under a bucket directory starting with ``prefix``, in UTF-8 binary
    order (S3's), skipping names that start with "."."""
    start = root
    head, _, _ = prefix.rpartition("/")
    if head:
        start = root / head
        if not start.is_dir():
            return
    yield from _walk(root, start, prefix)


def _walk(root: Path, directory: Path, prefix: str) -> Iterator[str]:
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return
    base = directory.relative_to(root).as_posix()
    base = "" if base == "." else base + "/"
    named: list[tuple[bytes, str, bool]] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        is_dir = entry.is_dir(follow_symlinks=True)
        key = base + entry.name + ("/" if is_dir else "")
        named.append((key.encode(), key, is_dir))
    # A folder "a/" sorts by its children's keys ("a/..."), which is where it sorts here too.
    for _, key, is_dir in sorted(named):
        if not (key.startswith(prefix) or prefix.startswith(key)):
            continue
        if is_dir:
            yield from _walk(root, root / key, prefix)
        elif key.startswith(prefix):
            yield key
