"""Paths a job script passes to readers and writers: s3:// mapping and Spark-style listing."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stepline.jobs.compat import AnalysisException
from stepline.lake.paths import LakePathError, LakePaths, is_s3_url

_GLOB_CHARS = frozenset("*?[{")


def resolve_path(paths: LakePaths | None, value: object, *, where: str) -> str:
    """A reader/writer path as a local path string (s3:// URLs mapped under the data root)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise LakePathError(f"{where}: expected a path string, got {value!r}")
    if value.startswith("file://"):
        return value[len("file://") :]
    if not is_s3_url(value):
        return value
    if paths is None:
        raise LakePathError(
            f"{where}: {value!r} is an s3:// path, but this job run has no lake data root "
            "to map it to (set data_root in the job spec)"
        )
    return paths.local_str(value, where=where)


def display_path(paths: LakePaths | None, value: object) -> str:
    """How to name a reader/writer path in messages: lake paths as their s3:// URL."""
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if paths is None or is_s3_url(text) or not os.path.isabs(text):
        return text
    try:
        return paths.url_for(text)
    except LakePathError:
        return text


def _hidden(name: str) -> bool:
    # Spark skips files and directories whose names start with "_" or "." (_SUCCESS,
    # .crc files, _temporary, and stepline's .staging directories).
    return name.startswith(("_", "."))


@dataclass(frozen=True)
class DataFiles:
    """The data files behind one or more reader paths."""

    files: tuple[str, ...]
    hive_partitioned: bool


def _expand_glob(pattern: str) -> list[str]:
    if "{" in pattern and "}" in pattern:  # Hadoop's {a,b} alternation
        head, _, rest = pattern.partition("{")
        choices, _, tail = rest.partition("}")
        matches: list[str] = []
        for choice in choices.split(","):
            matches += _expand_glob(head + choice + tail)
        return matches
    return sorted(glob.glob(pattern))


def _walk(root: str) -> list[str]:
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(name for name in subdirs if not _hidden(name))
        found += [os.path.join(directory, name) for name in sorted(files) if not _hidden(name)]
    return found


def list_data_files(local_paths: Sequence[str], shown: Sequence[str]) -> DataFiles:
    """Every data file under ``local_paths`` (files, directories or globs), Spark's way.

    ``shown`` are the paths as the script wrote them, for error messages.
    """
    files: list[str] = []
    hive = False
    for local, display in zip(local_paths, shown, strict=True):
        candidates = _expand_glob(local) if _GLOB_CHARS & set(local) else [local]
        if not candidates or not all(os.path.exists(c) for c in candidates):
            raise AnalysisException(f"Path does not exist: {display}.", "PATH_NOT_FOUND")
        for candidate in candidates:
            if os.path.isdir(candidate):
                under = _walk(candidate)
                files += under
                hive = hive or any(
                    "=" in part
                    for path in under
                    for part in Path(os.path.relpath(path, candidate)).parts[:-1]
                )
            else:
                files.append(candidate)
    return DataFiles(tuple(files), hive)


def file_mtimes(files: Sequence[str]) -> list[tuple[str, float]]:
    """(path, modification time) for each file, for job bookmarks."""
    return [(path, os.stat(path).st_mtime) for path in files]
