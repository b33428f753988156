"""Objects in the lake, the S3 way: get, put, head, list (V2), copy and delete over the data
root, for the ``aws-sdk:s3:*`` steps (and later the Distributed Map's ItemReader and
ResultWriter).

    objects = LocalObjects(LakePaths(data_root))
    objects.put("bucket", "in/a.csv", b"id\\n1\\n", content_type="text/csv")
    objects.get("bucket", "in/a.csv").body
    objects.list("bucket", prefix="in/", delimiter="/")

``s3://BUCKET/KEY`` is the file ``<data_root>/BUCKET/KEY`` (the mapping the jobs and the SQL
engine use, so a job's output is an object here and an object put here is a job's input).
A bucket is a folder under the data root. What a file cannot hold itself (content type, user
metadata, ETag) is kept beside the tree (:mod:`stepline.lake.object_records`); names
starting with "." are never listed, so neither that nor a writer's staging file is ever an
object. A record only counts while the file is the one it describes (same inode, size and
modification time): a file a job rewrote since is described afresh.

ETags: a put (or copy) answers the MD5 of the content, as S3 does for a single-part upload. A
file written by other means has the MD5 of its content too (computed once and remembered
beside it), or for files over 16 MiB a digest of its size and modification time marked
``-1`` like a multipart ETag (which is no MD5 either).

Limits of a file tree: a key cannot be both an object and a "folder" of others (``a`` and
``a/b``); the key rules are in :mod:`stepline.lake.object_keys`. Writes put a whole file in
place with a rename, so a reader never sees half an object.

``Objects`` is the seam: a client of real S3 (or any S3-compatible store) can stand in for
``LocalObjects``.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import os
import stat
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, Protocol

from stepline.lake.object_keys import ObjectError, check_bucket, check_key
from stepline.lake.object_listing import MAX_KEYS, ListPage, list_page
from stepline.lake.object_records import Records, make_record
from stepline.lake.paths import LakePaths

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "MAX_KEYS",
    "BucketInfo",
    "ListPage",
    "LocalObjects",
    "ObjectError",
    "ObjectInfo",
    "Objects",
    "StoredObject",
]

_DIGEST_LIMIT: Final = 16 << 20
_CHUNK: Final = 1 << 20
DEFAULT_CONTENT_TYPE: Final = "binary/octet-stream"  # AWS: S3's content type when none is given
_SELF_COPY: Final = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption "
    "attributes."
)  # AWS: S3's InvalidRequest message for CopyObject onto its own source


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    etag: str  # quoted, as S3 sends it
    last_modified: datetime
    content_type: str = DEFAULT_CONTENT_TYPE
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredObject:
    info: ObjectInfo
    body: bytes


@dataclass(frozen=True, slots=True)
class BucketInfo:
    name: str
    created: datetime


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
    def copy(
        self,
        source_bucket: str,
        source_key: str,
        bucket: str,
        key: str,
        *,
        replace: bool = False,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo: ...
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
    def buckets(self) -> builtins.list[BucketInfo]: ...
    def create_bucket(self, bucket: str) -> None: ...


def _no_key(bucket: str, key: str) -> ObjectError:
    return ObjectError("NoSuchKey", f"The specified key does not exist: s3://{bucket}/{key}")


def _no_bucket(bucket: str) -> ObjectError:
    return ObjectError("NoSuchBucket", f"The specified bucket does not exist: {bucket}")


def _modified(status: os.stat_result) -> datetime:
    return datetime.fromtimestamp(status.st_mtime, UTC).replace(microsecond=0)


def _quoted(digest: Any) -> str:
    return f'"{digest.hexdigest()}"'


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(_CHUNK):
        yield chunk


@dataclass(frozen=True)
class LocalObjects:
    """Objects as files under a data root."""

    paths: LakePaths

    # ---- paths -------------------------------------------------------------------------

    def _bucket_dir(self, bucket: str) -> Path:
        check_bucket(bucket)
        path = self.paths.data_root / bucket
        if not path.is_dir():
            raise _no_bucket(bucket)
        return path

    def _file(self, bucket: str, key: str) -> Path:
        root = self._bucket_dir(bucket)
        check_key(bucket, key)
        return root / key

    # ---- reads -------------------------------------------------------------------------

    def _info(
        self, bucket: str, key: str, status: os.stat_result, body: bytes | None = None
    ) -> ObjectInfo:
        record = Records(self.paths.data_root).read(bucket, key, status)
        if record is not None:
            return ObjectInfo(
                key,
                status.st_size,
                record["etag"],
                _modified(status),
                record.get("content_type") or DEFAULT_CONTENT_TYPE,
                dict(record.get("metadata") or {}),
            )
        if status.st_size > _DIGEST_LIMIT:
            mark = f"{status.st_size}:{status.st_mtime_ns}".encode()
            etag = f'"{hashlib.md5(mark, usedforsecurity=False).hexdigest()}-1"'
            return ObjectInfo(key, status.st_size, etag, _modified(status))
        digest = hashlib.md5(usedforsecurity=False)
        if body is None:
            try:
                with open(self.paths.data_root / bucket / key, "rb") as handle:
                    for chunk in _chunks(handle):
                        digest.update(chunk)
            except OSError:
                raise _no_key(bucket, key) from None
        else:
            digest.update(body)
        etag = _quoted(digest)
        # Remember it (best effort): the next look at the same file need not read it again.
        with contextlib.suppress(OSError):
            record = make_record(status, etag, DEFAULT_CONTENT_TYPE, {})
            Records(self.paths.data_root).write(bucket, key, record)
        return ObjectInfo(key, status.st_size, etag, _modified(status))

    def _stat(self, bucket: str, key: str) -> os.stat_result:
        try:
            status = self._file(bucket, key).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise _no_key(bucket, key) from None
        if not stat.S_ISREG(status.st_mode):
            raise _no_key(bucket, key)
        return status

    def head(self, bucket: str, key: str) -> ObjectInfo:
        return self._info(bucket, key, self._stat(bucket, key))

    def get(self, bucket: str, key: str) -> StoredObject:
        path = self._file(bucket, key)
        try:
            with open(path, "rb") as handle:
                status = os.fstat(handle.fileno())
                body = handle.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise _no_key(bucket, key) from None
        return StoredObject(self._info(bucket, key, status, body), body)

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

        def describe(key: str) -> ObjectInfo | None:
            try:
                status = (root / key).stat()
                return self._info(bucket, key, status) if stat.S_ISREG(status.st_mode) else None
            except (OSError, ObjectError):
                return None  # gone meanwhile

        return list_page(
            root,
            describe,
            prefix=prefix,
            delimiter=delimiter,
            max_keys=max_keys,
            token=token,
            start_after=start_after,
        )

    def buckets(self) -> builtins.list[BucketInfo]:
        """The buckets: the folders under the data root with a valid bucket name."""
        found: builtins.list[BucketInfo] = []
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in sorted(os.scandir(self.paths.data_root), key=lambda e: e.name):
                try:
                    check_bucket(entry.name)
                    if entry.is_dir():
                        found.append(BucketInfo(entry.name, _modified(entry.stat())))
                except (ObjectError, OSError):
                    continue
        return found

    # ---- writes ------------------------------------------------------------------------

    def create_bucket(self, bucket: str) -> None:
        check_bucket(bucket)
        try:
            (self.paths.data_root / bucket).mkdir(parents=True)
        except FileExistsError:
            raise ObjectError(
                "BucketAlreadyOwnedByYou",
                f"Your previous request to create the named bucket succeeded and you already "
                f"own it: {bucket}",
            ) from None

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        return self._store(bucket, key, [body], content_type, metadata)

    def copy(
        self,
        source_bucket: str,
        source_key: str,
        bucket: str,
        key: str,
        *,
        replace: bool = False,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        """CopyObject: the source's content type and metadata, or with ``replace``
        (MetadataDirective REPLACE) the given ones."""
        source = self._file(source_bucket, source_key)
        self._file(bucket, key)
        if (source_bucket, source_key) == (bucket, key) and not replace:
            raise ObjectError("InvalidRequest", f"{_SELF_COPY} (s3://{bucket}/{key})")
        try:
            with open(source, "rb") as handle:
                status = os.fstat(handle.fileno())
                if not replace:
                    info = self._info(source_bucket, source_key, status)
                    content_type, metadata = info.content_type, info.metadata
                return self._store(bucket, key, _chunks(handle), content_type, metadata)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise _no_key(source_bucket, source_key) from None

    def delete(self, bucket: str, key: str) -> None:
        """Remove an object; AWS: deleting a missing key succeeds (204)."""
        path = self._file(bucket, key)
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()
        records = Records(self.paths.data_root)
        folder = records.remove(bucket, key)
        # S3 has no folders: emptied ones go too (here and among the records).
        _prune(path.parent, self.paths.data_root / bucket)
        _prune(folder, records.bucket_dir(bucket))

    def _store(
        self,
        bucket: str,
        key: str,
        chunks: Iterable[bytes],
        content_type: str | None,
        metadata: Mapping[str, str] | None,
    ) -> ObjectInfo:
        path = self._file(bucket, key)
        if path.is_dir():
            raise ObjectError(
                "InvalidArgument",
                f"s3://{bucket}/{key} is a folder of other objects in the local lake, "
                "so it cannot also be an object",
            )
        self._make_parent(bucket, key, path)
        staging = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.part"
        digest = hashlib.md5(usedforsecurity=False)
        try:
            with open(staging, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
            status = staging.stat()  # a rename keeps inode and modification time
            etag = _quoted(digest)
            # AWS: S3 keeps user metadata names in lower case (x-amz-meta-* headers).
            names = {name.lower(): value for name, value in (metadata or {}).items()}
            content_type = content_type or DEFAULT_CONTENT_TYPE
            Records(self.paths.data_root).write(
                bucket, key, make_record(status, etag, content_type, names)
            )
            os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)
        return ObjectInfo(key, status.st_size, etag, _modified(status), content_type, names)

    def _make_parent(self, bucket: str, key: str, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            parts = key.split("/")
            taken = next(
                "/".join(parts[:n])
                for n in range(1, len(parts))
                if (self.paths.data_root / bucket / "/".join(parts[:n])).is_file()
            )
            raise ObjectError(
                "InvalidArgument",
                f"s3://{bucket}/{key}: s3://{bucket}/{taken} is an object in the local lake, "
                "so it cannot also be a folder of other objects",
            ) from None


def _prune(directory: Path, root: Path) -> None:
    """Remove ``directory`` and its parents up to (not including) ``root`` while empty."""
    while directory != root and root in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
