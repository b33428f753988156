"""Job bookmarks: a small JSON state per job, persisted between runs.

The job script's ``Job.init`` / ``Job.commit`` (the ``awsglue`` shim) read and save it; the
parent reads it for GetJobBookmark and removes it for ResetJobBookmark. The state maps each
source's ``transformation_ctx`` to what that source has processed: for file sources, the
newest modification time seen and the files seen at exactly that time.
# AWS: JobBookmarkEntry {JobName, Version, Run, Attempt, PreviousRunId, RunId, JobBookmark};
# bookmarks only advance on job.commit(), and only with job-bookmark-enable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ENABLE, PAUSE, DISABLE = "job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"


class BookmarkError(ValueError):
    """A bookmark file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class BookmarkEntry:
    """One job's bookmark, as GetJobBookmark returns it."""

    job_name: str
    version: int = 0
    run: int = 0
    attempt: int = 0
    run_id: str | None = None
    previous_run_id: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)

    @property
    def job_bookmark(self) -> str:
        """The ``JobBookmark`` string of the AWS shape: the state as JSON."""
        return json.dumps(self.state, sort_keys=True)

    def to_json(self) -> str:
        return json.dumps(
            {
                "job_name": self.job_name,
                "version": self.version,
                "run": self.run,
                "attempt": self.attempt,
                "run_id": self.run_id,
                "previous_run_id": self.previous_run_id,
                "state": dict(self.state),
            },
            indent=2,
            sort_keys=True,
        )


def read_bookmark(path: Path) -> BookmarkEntry | None:
    """The bookmark saved at ``path``; None when no run has committed one yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BookmarkError(f"cannot read job bookmark {str(path)!r}: {error}") from None
    try:
        raw = json.loads(text)
        return BookmarkEntry(
            job_name=str(raw["job_name"]),
            version=int(raw["version"]),
            run=int(raw["run"]),
            attempt=int(raw.get("attempt", 0)),
            run_id=raw.get("run_id"),
            previous_run_id=raw.get("previous_run_id"),
            state=dict(raw.get("state") or {}),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BookmarkError(f"job bookmark {str(path)!r} is not a bookmark file: {error}") from None


def write_bookmark(path: Path, entry: BookmarkEntry) -> None:
    """Save ``entry`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(entry.to_json(), encoding="utf-8")
    os.replace(temporary, path)


def reset_bookmark(path: Path) -> BookmarkEntry | None:
    """Forget the bookmark (ResetJobBookmark): the next run processes everything again.

    Returns the entry that was removed (None if there was none).
    """
    entry = read_bookmark(path)
    path.unlink(missing_ok=True)
    return entry


def committed(
    previous: BookmarkEntry | None,
    job_name: str,
    run_id: str | None,
    updates: Mapping[str, Any],
) -> BookmarkEntry:
    """The entry after a run commits ``updates`` (per transformation_ctx) on ``previous``."""
    base = previous or BookmarkEntry(job_name=job_name)
    return replace(
        base,
        job_name=job_name,
        version=base.version + 1,
        run=base.run + 1,
        previous_run_id=base.run_id,
        run_id=run_id,
        state={**base.state, **updates},
    )


def unseen_files(
    state: Mapping[str, Any] | None, files: Sequence[tuple[str, float]]
) -> tuple[list[str], dict[str, Any]]:
    """Which of ``files`` ((path, mtime) pairs) a file source has not processed yet.

    Returns those paths and the source's state after processing them: the newest mtime
    seen and the files seen at exactly that mtime (so a file written in the same instant as
    the last one processed is not skipped).
    """
    high = state.get("high_water_mtime") if state else None
    at_high = set(state.get("files_at_high_water", [])) if state else set()
    fresh = [
        path
        for path, mtime in files
        if high is None or mtime > high or (mtime == high and path not in at_high)
    ]
    if not files:
        return fresh, dict(state or {})
    newest = max(mtime for _, mtime in files)
    if high is not None and high > newest:
        return fresh, dict(state or {})
    keep = at_high if high == newest else set()
    at_newest = sorted(keep | {path for path, mtime in files if mtime == newest})
    return fresh, {"high_water_mtime": newest, "files_at_high_water": at_newest}


class BookmarkRun:
    """One run's view of its bookmark: what sources may skip, and what commit() will save.

    Created by the ``awsglue`` shim's ``Job.init``; not shared between runs.
    """

    def __init__(self, path: Path | None, job_name: str, run_id: str | None, option: str) -> None:
        self.path = path
        self.job_name = job_name
        self.run_id = run_id
        self.option = option
        self.previous = read_bookmark(path) if path and option in {ENABLE, PAUSE} else None
        self.pending: dict[str, Any] = {}

    @property
    def active(self) -> bool:
        return self.option in {ENABLE, PAUSE}

    def select(self, context: str | None, files: Sequence[tuple[str, float]]) -> list[str]:
        """The files a source named ``context`` should read in this run."""
        if not self.active or not context:
            return [path for path, _ in files]
        state = (self.previous.state if self.previous else {}).get(context)
        fresh, after = unseen_files(state, files)
        self.pending[context] = after
        return fresh

    def commit(self) -> BookmarkEntry | None:
        """Save this run's progress (job-bookmark-enable only); returns the saved entry."""
        if self.option != ENABLE or self.path is None:
            return None
        entry = committed(self.previous, self.job_name, self.run_id, self.pending)
        write_bookmark(self.path, entry)
        self.previous, self.pending = entry, {}
        return entry
