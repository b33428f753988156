"""What a file cannot hold itself (an object's ETag, content type and user metadata), kept
beside the lake in ``<data_root>/.s3meta/BUCKET/<folders>/.<name>`` as a small JSON record.

A record describes one version of its file: it names the file's inode, size and modification
time, and counts only while they still match (a job that rewrote the file since makes it
stale). Record names start with "." and key parts never do, so no record is ever a folder's
name; writes go through a staging name starting with ".." and a rename.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

RECORDS_DIR: Final = ".s3meta"


def make_record(
    status: os.stat_result, etag: str, content_type: str, metadata: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "etag": etag,
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "ino": status.st_ino,
        "content_type": content_type,
        "metadata": dict(metadata),
    }


@dataclass(frozen=True)
class Records:
    data_root: Path

    def bucket_dir(self, bucket: str) -> Path:
        return self.data_root / RECORDS_DIR / bucket

    def path(self, bucket: str, key: str) -> Path:
        folders, _, name = key.rpartition("/")
        base = self.bucket_dir(bucket)
        return (base / folders if folders else base) / f".{name}"

    def read(self, bucket: str, key: str, status: os.stat_result) -> dict[str, Any] | None:
        """The record of ``key`` if it describes the file whose ``status`` is given."""
        try:
            record = json.loads(self.path(bucket, key).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or not isinstance(record.get("etag"), str):
            return None
        same = (
            record.get("size") == status.st_size
            and record.get("mtime_ns") == status.st_mtime_ns
            and record.get("ino") == status.st_ino
        )
        return record if same else None

    def write(self, bucket: str, key: str, record: Mapping[str, Any]) -> None:
        path = self.path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.part"
        try:
            staging.write_text(json.dumps(record))
            os.replace(staging, path)
        finally:
            staging.unlink(missing_ok=True)

    def remove(self, bucket: str, key: str) -> Path:
        """Remove the record of ``key`` (if any); its folder, to prune when emptied."""
        path = self.path(bucket, key)
        with contextlib.suppress(OSError):
            path.unlink()
        return path.parent
