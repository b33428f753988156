"""``awsglue.job.Job``: ``init`` and ``commit``, with job bookmarks saved between runs.

The bookmark file is the one the launcher was given (the job spec's ``bookmark_path``).
``--job-bookmark-option job-bookmark-enable`` makes sources with a ``transformation_ctx``
skip the files earlier committed runs processed, and ``commit()`` save this run's progress;
``job-bookmark-pause`` skips but does not save; ``job-bookmark-disable`` (the default)
does neither.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stepline.jobs.bookmarks import DISABLE, ENABLE, BookmarkRun

from ._runtime import argv_value, job_spec


class Job:
    @classmethod
    def continuation_options(cls) -> list[str]:
        return [
            "--continuation-option",
            "continuation-enabled",
            "continuation-readonly",
            "continuation-ignore",
        ]

    @classmethod
    def job_bookmark_options(cls) -> list[str]:
        return [
            "--job-bookmark-option",
            "job-bookmark-enable",
            "job-bookmark-pause",
            "job-bookmark-disable",
        ]

    @classmethod
    def job_bookmark_range_options(cls) -> list[str]:
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @classmethod
    def id_params(cls) -> list[str]:
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @classmethod
    def encryption_type_options(cls) -> list[str]:
        return ["--encryption-type", "sse-s3"]

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context
        self._run: BookmarkRun | None = None

    def init(self, job_name: str, args: Mapping[str, Any] | None = None) -> None:
        args = args or {}
        option = args.get("job_bookmark_option") or argv_value("--job-bookmark-option") or DISABLE
        run_id = args.get("JOB_RUN_ID") or argv_value("--JOB_RUN_ID")
        spec = job_spec()
        location = Path(spec.bookmark_path) if spec and spec.bookmark_path else None
        if option == ENABLE and location is None:
            print(
                f"stepline: job {job_name!r} runs with {ENABLE} but has no bookmark file; "
                "its bookmark will not be saved",
                file=sys.stderr,
            )
        self._run = BookmarkRun(location, job_name, run_id, str(option))
        self._glue_context._bookmark_run = self._run

    def isInitialized(self) -> bool:
        return self._run is not None

    def commit(self) -> None:
        if self._run is None:
            raise RuntimeError("Job.commit() was called before Job.init(job_name, args)")
        self._run.commit()
