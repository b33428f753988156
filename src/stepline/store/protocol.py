"""The one storage seam. Every backend (memory, SQLite, PostgreSQL) implements ``Store`` and
passes the same contract suite (tests/store/test_contract*.py). ``Store`` is the executions'
core here, joined with the protocols of jobs, the lake, pipelines, queues and notifications
(one module each)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from stepline.store.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    StoreError,
    TooManyRuns,
    TooManyTags,
    VersionConflict,
)
from stepline.store.protocol_jobs import JobRunEnd, JobStore
from stepline.store.protocol_lake import LakeStore
from stepline.store.protocol_messaging import NotificationStore, QueueStore
from stepline.store.protocol_pipelines import PipelineStore
from stepline.store.records import (
    ActivityRecord,
    AliasRecord,
    EventRecord,
    ExecutionRecord,
    ExecutionStatus,
    RevisionRecord,
    StateMachineRecord,
    Tag,
    VersionRecord,
    WorkItem,
)
from stepline.store.signal import Subscription

__all__ = [
    "AlreadyExists",
    "Append",
    "Conflict",
    "JobRunEnd",
    "NotFound",
    "Store",
    "StoreError",
    "TooManyRuns",
    "TooManyTags",
    "VersionConflict",
]


@dataclass(frozen=True, slots=True)
class Append:
    """One atomic step of an execution: the engine's new state, its events, its commands."""

    execution_arn: str
    expected_version: int
    state: str  # encoded ExecutionState
    status: ExecutionStatus
    events: Sequence[EventRecord]
    add_work: Sequence[WorkItem] = ()
    cancel_keys: Sequence[str] = ()  # work items of this execution to delete, by key
    done_work_id: int | None = None  # the claimed item this step consumed (deleted)
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    redriven: datetime | None = None  # a RedriveExecution: count one more, dated so


class Store(JobStore, LakeStore, PipelineStore, QueueStore, NotificationStore, Protocol):
    # ---- state machines -----------------------------------------------------------------
    def create_state_machine(self, record: StateMachineRecord, tags: Sequence[Tag] = ()) -> None:
        """Store the machine (and its tags, the last of a key winning). Raises AlreadyExists
        when the name is taken (by a machine being deleted too)."""
        ...

    def get_state_machine(self, arn: str) -> StateMachineRecord | None: ...

    def list_state_machines(self) -> list[StateMachineRecord]: ...

    def configure_state_machine(
        self,
        arn: str,
        logging: str | None = None,
        tracing: str | None = None,
        encryption: str | None = None,
    ) -> StateMachineRecord:
        """Replace the configurations given (None keeps one); returns the machine. Raises
        NotFound."""
        ...

    # ---- deleting a state machine (tests/store/test_contract_deletion.py) ---------------
    def mark_state_machine_deleting(self, arn: str) -> StateMachineRecord | None:
        """Set the machine's status to DELETING and flag its executions ``machine_deleting``
        (any started later are not: the use cases refuse to start them); returns the
        machine as marked, None when there is none."""
        ...

    def purge_state_machine(self, arn: str) -> bool:
        """Delete a DELETING machine none of whose executions is RUNNING, with its versions,
        aliases, tags and executions (their events and work items); its revisions stay.
        False, changing nothing, when there is no such DELETING machine or one of its
        executions still runs."""
        ...

    # ---- tags of state machines and activities -------------------------------------------
    def tag_resource(self, resource_arn: str, tags: Sequence[Tag], limit: int) -> None:
        """Add tags to a state machine or an activity, replacing the values of keys it has
        (the last of a key given winning). Raises NotFound (no machine nor activity has that
        ARN), TooManyTags (it would have more than ``limit`` tags; nothing changes)."""
        ...

    def untag_resource(self, resource_arn: str, keys: Sequence[str]) -> None:
        """Remove the tags of these keys (keys it has not are ignored). Raises NotFound."""
        ...

    def list_tags(self, resource_arn: str) -> list[Tag]:
        """By key. Raises NotFound."""
        ...

    # ---- revisions, versions, aliases (tests/store/test_contract_versions.py) -----------
    # ``create_state_machine`` also keeps the machine's first revision (INITIAL_REVISION).
    def update_state_machine(self, revision: RevisionRecord) -> StateMachineRecord:
        """Keep ``revision`` and make it the machine's current definition and role; returns
        the updated machine. Raises NotFound (no such machine), AlreadyExists (that
        revision id is taken)."""
        ...

    def get_revision(self, state_machine_arn: str, revision_id: str) -> RevisionRecord | None: ...

    def publish_version(
        self,
        state_machine_arn: str,
        revision_id: str | None,
        created_at: datetime,
        description: str | None = None,
    ) -> VersionRecord:
        """Publish the machine's current revision as its next version number (one more than
        any number it ever had); when a version of the current revision exists already,
        return that one. Raises NotFound (no such machine), Conflict (``revision_id`` given
        and not the current revision)."""
        ...

    def get_version(self, state_machine_arn: str, number: int) -> VersionRecord | None: ...

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        """Newest (highest number) first."""
        ...

    def delete_version(self, state_machine_arn: str, number: int) -> bool:
        """False when there was no such version. Raises Conflict, naming the aliases, when
        an alias routes to it."""
        ...

    def create_alias(self, alias: AliasRecord) -> None:
        """Raises AlreadyExists (the machine has an alias of that name), NotFound (no such
        machine, or a routed version does not exist)."""
        ...

    def update_alias(self, alias: AliasRecord) -> None:
        """Replace the alias's routes, description and updated_at (its created_at stays).
        Raises NotFound (no such alias, or a routed version does not exist)."""
        ...

    def get_alias(self, state_machine_arn: str, name: str) -> AliasRecord | None: ...

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        """Newest first."""
        ...

    def delete_alias(self, state_machine_arn: str, name: str) -> bool:
        """False when there was no such alias."""
        ...

    # ---- executions ---------------------------------------------------------------------
    def create_execution(
        self, record: ExecutionRecord, events: Sequence[EventRecord], work: Sequence[WorkItem]
    ) -> None:
        """Insert the execution (version 0 -> stored as given), its first events and work.

        Raises AlreadyExists when the state machine already has an execution of that name.
        """
        ...

    def get_execution(self, arn: str) -> ExecutionRecord | None: ...

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status: ExecutionStatus | None = None,
        limit: int = 100,
        *,
        version_arn: str | None = None,
        alias_arn: str | None = None,
        redriven: bool | None = None,
        after_arn: str | None = None,
    ) -> list[ExecutionRecord]:
        """Newest first (start date, then insertion order). ``version_arn``/``alias_arn``:
        only the executions started through that version or alias; ``redriven``: only
        those redriven at least once (True) or never (False); ``after_arn``: the next page,
        the executions listed after that one (none when it does not exist)."""
        ...

    def append(self, step: Append) -> int:
        """Apply one step atomically; returns the new version.

        ``output``/``error``/``cause``/``stop_date`` are stored as given (None clears them, as
        a redrive needs). ``done_work_id`` is deleted, then ``cancel_keys``, then ``add_work``
        is inserted: an added item whose (execution, key) exists replaces it under a new id
        (a re-armed timer), so a worker still holding the old id gets VersionConflict.

        Raises VersionConflict (and changes nothing) when the stored version is not
        ``expected_version``, or when ``done_work_id`` no longer exists; NotFound when there
        is no such execution; AlreadyExists when an event id is already recorded.
        """
        ...

    def history(self, execution_arn: str, after: int = 0, limit: int = 1000) -> list[EventRecord]:
        """Events with id > ``after``, oldest first, at most ``limit``."""
        ...

    # ---- Map Runs: their history events (tests/store/test_contract_map_runs.py) ---------
    def map_run_events(self, map_run_arn: str) -> list[EventRecord]:
        """The MapRunStarted and MapRunRedriven events whose details name this Map Run
        (``mapRunArn``), oldest first (by execution, then id); empty when no execution
        started it."""
        ...

    def list_map_run_starts(
        self, execution_arn: str, limit: int = 100, before_id: int | None = None
    ) -> list[EventRecord]:
        """The execution's MapRunStarted events, newest (highest id) first, at most
        ``limit``; ``before_id``: only those with a smaller id (the next page)."""
        ...

    # ---- activities (tests/store/test_contract_activities.py) ----------------------------
    def create_activity(self, record: ActivityRecord, tags: Sequence[Tag] = ()) -> ActivityRecord:
        """Store an activity (and its tags) and return it; when one of that name exists
        already, return that one unchanged, tags too (AWS: CreateActivity is idempotent)."""
        ...

    def get_activity(self, arn: str) -> ActivityRecord | None: ...

    def list_activities(self) -> list[ActivityRecord]:
        """By name."""
        ...

    def delete_activity(self, arn: str) -> bool:
        """False when there was no such activity. Its tags go with it; its waiting tasks
        stay (they are the executions' and end with them)."""
        ...

    def take_activity_task(
        self, activity_arn: str, worker_id: str, now: datetime, lease_seconds: float
    ) -> WorkItem | None:
        """The oldest (``due_at``, then id) "activity" item of that activity whose lease is
        free or expired, leased to ``worker_id`` (attempts + 1); None when there is none.
        Two concurrent takers never get the same item. The step that records the task's
        start consumes it (``Append.done_work_id``); a taker that dies first loses only
        the lease."""
        ...

    # ---- work ---------------------------------------------------------------------------
    def claim(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[WorkItem]:
        """Items due by ``now`` whose lease is free or expired, leased to ``worker_id``
        (attempts + 1). Two concurrent claimers never get the same item. Never an
        "activity" item: those wait for ``take_activity_task``."""
        ...

    def renew(self, work_id: int, worker_id: str, until: datetime) -> bool:
        """Extend a lease still held by ``worker_id`` (even one past its end that nobody has
        claimed since); False when it was lost: claimed by another worker, or the item is
        gone (consumed, cancelled or replaced)."""
        ...

    def next_due(self) -> datetime | None:
        """The earliest time at which some work item can be claimed (for sleeping until
        then): its ``due_at``, or for a leased item the later of that and ``lease_until``.
        None when there is no work at all. "activity" items do not count (no claim takes
        them)."""
        ...

    def subscribe(self, wake: Callable[[], None]) -> Subscription:
        """Call ``wake`` (from any thread) whenever claimable work was added: by this
        store object, and with PostgreSQL by any process (LISTEN/NOTIFY). Idle workers
        sleep on it instead of polling fast."""
        ...

    def close(self) -> None: ...
