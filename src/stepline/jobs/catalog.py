"""Job definitions and their bookmarks: the use cases behind CreateJob, GetJob(s), UpdateJob,
DeleteJob, ListJobs, GetJobBookmark and ResetJobBookmark (and ``stepline jobs``).

# AWS: CreateJob of a name that exists is idempotent when the definition is the same and
# an IdempotentParameterMismatchException when it differs; UpdateJob replaces the whole
# definition ("unspecified configuration is removed or reset to default values");
# DeleteJob of a job that does not exist succeeds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stepline.jobs.bookmarks import BookmarkEntry
from stepline.jobs.definition import check_job_name, normalized, string_map
from stepline.jobs.faults import EntityNotFound, IdempotentParameterMismatch
from stepline.runtime.clock import Clock
from stepline.store.protocol import AlreadyExists, NotFound, Store
from stepline.store.records import JobRecord


def job_not_found(name: str) -> EntityNotFound:
    # AWS: GetJob's message for an unknown job.
    return EntityNotFound(f"Job {name} not found")


class JobCatalog:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def create(
        self, name: str, members: Mapping[str, Any], tags: Mapping[str, str] | None = None
    ) -> JobRecord:
        check_job_name(name, "Name")
        definition = json.dumps(normalized(members, "CreateJob"), sort_keys=True)
        tag_text = json.dumps(string_map(tags or {}, "Tags"), sort_keys=True)
        now = self.clock.now()
        record = JobRecord(name, definition, now, now, tag_text)
        try:
            self.store.create_job(record)
        except AlreadyExists:
            existing = self.get(name)
            if json.loads(existing.definition) != json.loads(definition):
                raise IdempotentParameterMismatch(
                    f"Job {name} already exists with a different definition (UpdateJob changes it)"
                ) from None
            return existing
        return record

    def get(self, name: str) -> JobRecord:
        record = self.store.get_job(name)
        if record is None:
            raise job_not_found(name)
        return record

    def update(self, name: str, members: Mapping[str, Any]) -> JobRecord:
        check_job_name(name)
        definition = json.dumps(normalized(members, "JobUpdate"), sort_keys=True)
        now = self.clock.now()
        try:
            self.store.update_job(JobRecord(name, definition, now, now))
        except NotFound:
            raise job_not_found(name) from None
        return self.get(name)

    def delete(self, name: str) -> None:
        self.store.delete_job(name)

    def page(
        self, next_token: str | None = None, limit: int = 100
    ) -> tuple[list[JobRecord], str | None]:
        """Jobs by name, ``limit`` at a time; the token of the next page (None: the last)."""
        found = self.store.list_jobs(after=next_token or None, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        return found, (found[-1].name if more and found else None)

    def names(
        self,
        next_token: str | None = None,
        limit: int = 100,
        tags: Mapping[str, str] | None = None,
    ) -> tuple[list[str], str | None]:
        """ListJobs: names by name; with ``tags``, only the jobs having all of them."""
        if not tags:
            jobs, token = self.page(next_token, limit)
            return [job.name for job in jobs], token
        wanted = string_map(tags, "Tags")
        tagged = [
            job.name
            for job in self.store.list_jobs(after=next_token or None, limit=1_000_000)
            if wanted.items() <= json.loads(job.tags).items()
        ]
        more = len(tagged) > limit
        return tagged[:limit], (tagged[limit - 1] if more and limit else None)

    # ---- bookmarks ------------------------------------------------------------------------
    def bookmark(self, name: str) -> BookmarkEntry:
        """GetJobBookmark. # AWS: a job that has none answers EntityNotFoundException."""
        self.get(name)
        text = self.store.get_job_bookmark(name)
        if text is None:
            raise EntityNotFound(f"Continuation for job {name} not found")
        return bookmark_entry(text, name)

    def reset_bookmark(self, name: str) -> BookmarkEntry:
        """ResetJobBookmark: forget it; returns the entry that was removed."""
        self.get(name)
        text = self.store.reset_job_bookmark(name)
        if text is None:
            raise EntityNotFound(f"Continuation for job {name} not found")
        return bookmark_entry(text, name)


def bookmark_entry(text: str, job_name: str) -> BookmarkEntry:
    """A bookmark as the store keeps it (the bookmark file's JSON) as an entry."""
    raw = json.loads(text)
    return BookmarkEntry(
        job_name=str(raw.get("job_name", job_name)),
        version=int(raw.get("version", 0)),
        run=int(raw.get("run", 0)),
        attempt=int(raw.get("attempt", 0)),
        run_id=raw.get("run_id"),
        previous_run_id=raw.get("previous_run_id"),
        state=dict(raw.get("state") or {}),
    )
