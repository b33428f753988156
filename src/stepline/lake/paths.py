"""s3:// URLs <-> local paths under a data root (pure: string and path arithmetic, no I/O).

``s3://BUCKET/some/key`` lives at ``<data_root>/BUCKET/some/key``. Job arguments whose values
are s3:// URLs are rewritten to those local paths before a job script sees them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Hadoop spells the same object store three ways; Glue scripts use all of them.
_SCHEMES = ("s3://", "s3a://", "s3n://")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


class LakePathError(ValueError):
    """An s3:// URL or a local path that cannot be mapped; the message names it and where."""


def is_s3_url(value: object) -> bool:
    """True for strings that start with s3://, s3a:// or s3n:// (any letter case)."""
    return isinstance(value, str) and value[:6].lower().startswith(_SCHEMES)


def _fail(url: str, where: str, reason: str) -> LakePathError:
    place = f" in {where}" if where else ""
    return LakePathError(f"invalid S3 URL {url!r}{place}: {reason}")


def _bucket_problem(bucket: str) -> str | None:
    # AWS: S3 "Bucket naming rules" (general purpose buckets).
    if not 3 <= len(bucket) <= 63:
        return f"bucket name {bucket!r} must be 3 to 63 characters long"
    if not _BUCKET_CHARS.match(bucket):
        return (
            f"bucket name {bucket!r} may contain only lowercase letters, digits, dots and "
            "hyphens, and must start and end with a letter or digit"
        )
    if ".." in bucket:
        return f"bucket name {bucket!r} must not contain two adjacent dots"
    if _IP_ADDRESS.match(bucket):
        return f"bucket name {bucket!r} must not be formatted as an IP address"
    return None


@dataclass(frozen=True)
class S3Location:
    """A parsed S3 URL: the bucket and the key (``""`` for the bucket itself)."""

    bucket: str
    key: str
    directory: bool = False  # the URL ended in "/"

    @property
    def url(self) -> str:
        tail = "/" if self.directory and self.key else ""
        return f"s3://{self.bucket}/{self.key}{tail}" if self.key else f"s3://{self.bucket}/"


def parse_s3_url(url: str, *, where: str = "") -> S3Location:
    """Parse ``s3://bucket/key``; ``where`` (e.g. "argument --input_path") goes in errors."""
    if not isinstance(url, str):
        raise LakePathError(f"expected an S3 URL string{' in ' + where if where else ''}")
    if not is_s3_url(url):
        raise _fail(url, where, "it must start with s3://")
    if "\x00" in url:
        raise _fail(url, where, "it contains a NUL character")
    rest = url.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise _fail(url, where, "the bucket name is missing (expected s3://BUCKET/KEY)")
    problem = _bucket_problem(bucket)
    if problem:
        raise _fail(url, where, problem)
    # Hadoop's Path collapses "a//b" to "a/b"; so do we (scripts often join with a stray "/").
    segments = [segment for segment in key.split("/") if segment]
    if any(segment in {".", ".."} for segment in segments):
        raise _fail(url, where, "'.' and '..' segments are not allowed in the key")
    return S3Location(bucket, "/".join(segments), directory=key.endswith("/"))


@dataclass(frozen=True)
class LakePaths:
    """Maps s3:// URLs to ``<data_root>/BUCKET/KEY`` and back."""

    data_root: Path = field()

    def __post_init__(self) -> None:
        root = str(self.data_root)
        if not root:
            raise LakePathError("the lake data root must not be empty")
        object.__setattr__(self, "data_root", Path(os.path.abspath(root)))

    def local_path(self, url: str, *, where: str = "") -> Path:
        """The local path for ``url``."""
        location = parse_s3_url(url, where=where)
        path = self.data_root / location.bucket
        return path / location.key if location.key else path

    def local_str(self, url: str, *, where: str = "") -> str:
        """Like :meth:`local_path`, as a string that keeps a trailing "/" of the URL."""
        location = parse_s3_url(url, where=where)
        text = str(self.local_path(url, where=where))
        return text + "/" if location.directory or not location.key else text

    def resolve(self, value: str, *, where: str = "") -> str:
        """``value`` as a local path string: s3:// URLs are mapped, other values returned as is."""
        return self.local_str(value, where=where) if is_s3_url(value) else value

    def url_for(self, path: str | os.PathLike[str], *, where: str = "") -> str:
        """The s3:// URL of a local path under the data root (the inverse of local_path)."""
        raw = os.fspath(path)
        place = f" in {where}" if where else ""
        if not os.path.isabs(raw):
            raise LakePathError(f"path {raw!r}{place} must be absolute to map it to an S3 URL")
        normal = os.path.normpath(raw)
        root = str(self.data_root)
        if normal != root and not normal.startswith(root.rstrip(os.sep) + os.sep):
            raise LakePathError(f"path {raw!r}{place} is not under the lake data root {root!r}")
        parts = Path(normal).relative_to(self.data_root).parts
        if not parts:
            raise LakePathError(f"path {raw!r}{place} is the data root itself, not a bucket")
        bucket, key = parts[0], "/".join(parts[1:])
        problem = _bucket_problem(bucket)
        if problem:
            raise LakePathError(f"path {raw!r}{place} does not name a valid bucket: {problem}")
        trailing = "/" if raw.endswith(os.sep) and key else ""
        return f"s3://{bucket}/{key}{trailing}" if key else f"s3://{bucket}/"

    def rewrite_value(self, value: str, *, where: str = "") -> str:
        """Map an argument value: one s3:// URL, or a comma-separated list of them."""
        parts = value.split(",")
        if len(parts) > 1 and all(is_s3_url(part.strip()) for part in parts):
            return ",".join(self.local_str(part.strip(), where=where) for part in parts)
        return self.local_str(value, where=where) if is_s3_url(value) else value

    def rewrite_arguments(self, arguments: Mapping[str, str]) -> dict[str, str]:
        """Job arguments (``{"--key": "value"}``) with s3:// values mapped to local paths."""
        return {
            key: self.rewrite_value(value, where=f"argument {key}")
            for key, value in arguments.items()
        }

    def rewrite_argv(self, argv: Sequence[str]) -> tuple[str, ...]:
        """A Glue argv (script, then ``--key value`` / ``--key=value``) with s3:// values mapped."""
        out: list[str] = list(argv[:1])
        for index in range(1, len(argv)):
            item = argv[index]
            if item.startswith("--") and "=" in item:
                key, _, value = item.partition("=")
                out.append(f"{key}={self.rewrite_value(value, where=f'argument {key}')}")
                continue
            previous = argv[index - 1]
            where = f"argument {previous}" if previous.startswith("--") else f"argv[{index}]"
            out.append(self.rewrite_value(item, where=where))
        return tuple(out)
