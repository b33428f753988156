"""Helpers shared by the store backends: UTC datetimes, work de-duplication, messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from stepline.store.records import EventRecord, Tag, WorkItem

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; naive datetimes are a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"the store needs timezone-aware UTC datetimes, got naive {value!r}")
    if value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def to_micros(value: datetime) -> int:
    """Microseconds since 1970-01-01 UTC: exact, and ordered like the datetimes."""
    return (utc(value) - EPOCH) // _MICROSECOND


def to_micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def from_micros_or_none(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def lease_end(now: datetime, lease_seconds: float) -> datetime:
    return utc(now) + timedelta(seconds=lease_seconds)


def last_per_key(items: Sequence[WorkItem]) -> list[WorkItem]:
    """The items of one step with duplicate keys collapsed, the last one winning."""
    if len(items) < 2:
        return list(items)
    by_key: dict[tuple[str, str], WorkItem] = {}
    for item in items:
        by_key.pop((item.execution_arn, item.key), None)
        by_key[(item.execution_arn, item.key)] = item
    return list(by_key.values())


def claimable(items: Sequence[WorkItem]) -> bool:
    """Whether some of ``items`` are for workers (activity tasks are for pollers)."""
    return any(item.kind != "activity" for item in items)


def keys_to_delete(
    execution_arn: str, cancel: Iterable[str], add: Sequence[WorkItem]
) -> list[tuple[str, str]]:
    """(execution_arn, key) of the items a step removes: cancelled keys, and the keys it adds
    (an added item replaces the one with its key, under a new id)."""
    pairs = dict.fromkeys((execution_arn, key) for key in cancel)
    pairs.update(dict.fromkeys((item.execution_arn, item.key) for item in add))
    return list(pairs)


def map_run_named(event: EventRecord) -> str | None:
    """The ``mapRunArn`` a MapRunStarted or MapRunRedriven event names; None for others."""
    if event.type not in ("MapRunStarted", "MapRunRedriven") or event.details is None:
        return None
    try:
        details = json.loads(event.details)
    except ValueError:
        return None
    arn = details.get("mapRunArn") if isinstance(details, dict) else None
    return arn if isinstance(arn, str) else None


def machine_exists(name: str) -> str:
    return f"a state machine named {name!r} already exists"


def execution_exists(state_machine_arn: str, name: str) -> str:
    return f"an execution named {name!r} already exists for state machine {state_machine_arn!r}"


def event_exists(execution_arn: str) -> str:
    return f"execution {execution_arn!r} already has a history event with one of these ids"


def stale_version(execution_arn: str, expected: int) -> str:
    return f"execution {execution_arn!r} is no longer at version {expected}"


def work_gone(execution_arn: str, work_id: int) -> str:
    return f"work item {work_id} of execution {execution_arn!r} no longer exists"


def no_execution(execution_arn: str) -> str:
    return f"no execution {execution_arn!r}"


# ---- state machines' revisions, versions and aliases --------------------------------------


def no_machine(state_machine_arn: str) -> str:
    return f"State Machine Does Not Exist: '{state_machine_arn}'"


def revision_exists(state_machine_arn: str, revision_id: str) -> str:
    return f"state machine {state_machine_arn!r} already has a revision {revision_id!r}"


def stale_revision(given: str, current: str) -> str:
    # AWS's ConflictException message (PublishStateMachineVersion, recorded).
    return (
        f"Failed to publish the State Machine version for revision {given}."
        f" The current State Machine revision is {current}."
    )


def no_version(state_machine_arn: str, number: int) -> str:
    return f"State Machine Does Not Exist: '{state_machine_arn}:{number}'"


def version_routed(aliases: list[str]) -> str:
    # AWS's ConflictException message (DeleteStateMachineVersion, recorded).
    return (
        "Version to be deleted must not be referenced by an alias. Current list of aliases"
        f" referencing this version: [{', '.join(aliases)}]"
    )


def alias_exists(state_machine_arn: str, name: str) -> str:
    return f"an alias named {name!r} already exists for state machine {state_machine_arn!r}"


def no_alias(state_machine_arn: str, name: str) -> str:
    return f"Request references a resource that does not exist: '{state_machine_arn}:{name}'"


# ---- tags ---------------------------------------------------------------------------------


def no_resource(resource_arn: str) -> str:
    # LocalStack's ResourceNotFound message for tags (AWS's not recorded).
    return f"Resource not found: '{resource_arn}'"


def too_many_tags(resource_arn: str, count: int, limit: int) -> str:
    return f"Too many tags: '{resource_arn}' would have {count} tags, and it may have {limit}"


def merged_tags(current: dict[str, str], added: Iterable[Tag]) -> dict[str, str]:
    """``current`` with ``added`` in (the last of a key winning)."""
    merged = dict(current)
    merged.update((tag.key, tag.value) for tag in added)
    return merged


# ---- Glue-style jobs ----------------------------------------------------------------------

# AWS: JobRun.StateDetail of a run queued by JobRunQueuingEnabled (wording ours).
WAITING_DETAIL = "Waiting for a concurrent run slot of the job (MaxConcurrentRuns)"


def job_exists(name: str) -> str:
    return f"a job named {name!r} already exists"


def no_job(name: str) -> str:
    return f"Job {name} not found"


def job_run_exists(run_id: str) -> str:
    return f"a job run {run_id!r} already exists"


def too_many_runs(job_name: str) -> str:
    # AWS: ConcurrentRunsExceededException's message for StartJobRun.
    return f"Concurrent runs exceeded for {job_name}"
