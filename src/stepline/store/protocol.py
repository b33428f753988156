"""The one storage seam. Every backend (memory, SQLite, PostgreSQL) implements ``Store`` and
passes the same contract suite (tests/store/test_contract.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from stepline.store.lake_records import (
    LakeDatabase,
    LakePartition,
    LakeTable,
    NamedQueryRecord,
    QueryExecutionRecord,
    QueryState,
    WorkGroupRecord,
)
from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.quality_records import QualityResultRecord
from stepline.store.queue_records import MessageRecord, QueueCounts, QueueRecord, Receive
from stepline.store.records import (
    ActivityRecord,
    AliasRecord,
    EventRecord,
    ExecutionRecord,
    ExecutionStatus,
    JobRecord,
    JobRunRecord,
    RevisionRecord,
    StateMachineRecord,
    Tag,
    VersionRecord,
    WorkItem,
)
from stepline.store.signal import Subscription


class StoreError(Exception):
    """Base class of the store's errors; messages say what and which."""


class AlreadyExists(StoreError):
    """A state machine with that name, or an execution with that name for that machine."""


class NotFound(StoreError):
    pass


class VersionConflict(StoreError):
    """The execution changed since it was read: reload, advance again, retry."""


class Conflict(StoreError):
    """A change that would leave versions or aliases inconsistent (AWS's ConflictException):
    publishing a revision that is no longer the current one, deleting a version an alias
    routes to."""


class TooManyTags(StoreError):
    """Tagging would leave a resource with more tags than allowed (AWS's TooManyTags)."""

    def __init__(self, message: str, resource_arn: str) -> None:
        super().__init__(message)
        self.resource_arn = resource_arn


class TooManyRuns(StoreError):
    """A job run would exceed its job's MaxConcurrentRuns (Glue's
    ConcurrentRunsExceededException)."""


@dataclass(frozen=True, slots=True)
class JobRunEnd:
    """How a job run ended, written in one transaction (``Store.end_job_run``)."""

    run: JobRunRecord  # as it ended: its terminal state, completed_at, error_message...
    worker_id: str  # who must hold its lease
    retry: JobRunRecord | None = None  # the next attempt (MaxRetries), inserted STARTING
    work: Sequence[WorkItem] = ()  # work for the run's caller (stepline.jobs.runs)
    bookmark: str | None = None  # the job's bookmark after the run; None leaves it
    max_concurrent: int = 1  # the job's MaxConcurrentRuns, for starting its WAITING runs


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


class Store(Protocol):
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

    # ---- Glue-style jobs (tests/store/test_contract_jobs.py) -----------------------------
    def create_job(self, job: JobRecord) -> None:
        """Raises AlreadyExists when a job has that name."""
        ...

    def get_job(self, name: str) -> JobRecord | None: ...

    def list_jobs(self, after: str | None = None, limit: int = 1000) -> list[JobRecord]:
        """By name; ``after``: only the jobs named after that (the next page)."""
        ...

    def update_job(self, job: JobRecord) -> None:
        """Replace the job's definition and modified_at (its created_at and tags stay).
        Raises NotFound."""
        ...

    def delete_job(self, name: str) -> bool:
        """Delete the job and its bookmark; its runs stay (running ones run on, with the
        definition they started with). False when there was no such job."""
        ...

    def start_job_run(self, run: JobRunRecord, max_concurrent: int) -> JobRunRecord:
        """Insert a new run and return it as stored (``run.state`` is ignored): STARTING
        while the job has fewer than ``max_concurrent`` runs STARTING, RUNNING or STOPPING
        (its WAITING runs start first, oldest first), else WAITING when ``run.queuing``,
        else raise TooManyRuns. When ``run.caller_key`` is taken nothing is inserted: the
        run holding it is returned, whatever its state."""
        ...

    def get_job_run(self, run_id: str) -> JobRunRecord | None: ...

    def find_job_run(self, caller_key: str) -> JobRunRecord | None:
        """The run started with that ``caller_key``."""
        ...

    def list_job_runs(
        self, job_name: str, limit: int = 100, after_id: str | None = None
    ) -> list[JobRunRecord]:
        """The job's runs, newest first (started_at, then insertion order); ``after_id``:
        the runs listed after that one (the next page; none when it does not exist)."""
        ...

    def claim_job_runs(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[JobRunRecord]:
        """Runs STARTING, RUNNING or STOPPING whose lease is free or expired, oldest first,
        leased to ``worker_id`` (claims + 1), returned as claimed. Two concurrent claimers
        never get the same run. A RUNNING or STOPPING run among them lost its worker."""
        ...

    def renew_job_run(self, run_id: str, worker_id: str, until: datetime) -> bool:
        """Extend a lease still held by ``worker_id``; False when it was lost (claimed by
        another worker, or the run ended)."""
        ...

    def job_run_started(
        self,
        run_id: str,
        worker_id: str,
        now: datetime,
        process: str,
        stdout_path: str,
        stderr_path: str,
    ) -> JobRunRecord | None:
        """A STARTING run leased to ``worker_id`` becomes RUNNING, its script ``process``
        ("host:pid") and log paths noted; returns the run (unchanged when it was not
        STARTING: a stop was requested); None when the lease was lost."""
        ...

    def stop_job_run(self, run_id: str, now: datetime) -> JobRunRecord | None:
        """BatchStopJobRun: a STARTING, RUNNING or WAITING run becomes STOPPING (the worker
        holding it, or the next to claim it, stops it and ends it STOPPED); returns the run
        (unchanged in other states); None when there is no such run."""
        ...

    def release_job_run(self, run_id: str, worker_id: str, now: datetime) -> bool:
        """Hand a leased run back (a worker shutting down): RUNNING becomes STARTING again,
        the lease and process are cleared. False when the lease was lost."""
        ...

    def end_job_run(self, end: JobRunEnd) -> bool:
        """Atomically, when ``end.worker_id`` still holds the run's lease (even one past its
        end that nobody claimed since) and the run has not ended: write the run's terminal
        state (lease and process cleared; log paths given as None stay), insert
        ``end.retry`` STARTING, add ``end.work`` (an item replaces the one with its
        execution and key), replace the job's bookmark when given, and start the job's
        oldest WAITING runs while fewer than ``end.max_concurrent`` are active. False,
        changing nothing, otherwise."""
        ...

    def get_job_bookmark(self, job_name: str) -> str | None:
        """The job's bookmark entry (JSON text); None when it has none."""
        ...

    def reset_job_bookmark(self, job_name: str) -> str | None:
        """Remove the job's bookmark; returns the entry removed (None: there was none)."""
        ...

    # ---- the lake's table catalog (tests/store/test_contract_lake_catalog.py) -------------
    # Shaped after the Glue Data Catalog; names are kept as given (the use cases lower them).
    def create_lake_database(self, database: LakeDatabase) -> None:
        """Raises AlreadyExists when a database has that name."""
        ...

    def get_lake_database(self, name: str) -> LakeDatabase | None: ...

    def list_lake_databases(
        self, after: str | None = None, limit: int = 1000
    ) -> list[LakeDatabase]:
        """By name; ``after``: only those named after that (the next page)."""
        ...

    def update_lake_database(self, database: LakeDatabase) -> None:
        """Replace its description, location and parameters. Raises NotFound."""
        ...

    def delete_lake_database(self, name: str) -> bool:
        """Delete it with its tables and their partitions (never their files). False when
        there was no such database."""
        ...

    def create_lake_table(self, table: LakeTable) -> None:
        """Raises NotFound (no such database), AlreadyExists (the database has a table of
        that name)."""
        ...

    def get_lake_table(self, database: str, name: str) -> LakeTable | None: ...

    def list_lake_tables(
        self, database: str, after: str | None = None, limit: int = 1000
    ) -> list[LakeTable]:
        """The database's tables by name; ``after``: those named after that."""
        ...

    def update_lake_table(self, table: LakeTable) -> None:
        """Replace the table (its created_at stays; its partitions too). Raises NotFound."""
        ...

    def delete_lake_table(self, database: str, name: str) -> bool:
        """Delete it with its partitions (never their files); False when there was none."""
        ...

    def create_lake_partitions(
        self, database: str, table: str, partitions: Sequence[LakePartition]
    ) -> list[tuple[str, ...]]:
        """Add the partitions the table has not (by values; the first of duplicates given
        wins) in one transaction; returns the values of those skipped because they existed.
        Raises NotFound (no such table), ValueError (a partition of another table)."""
        ...

    def get_lake_partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> LakePartition | None: ...

    def list_lake_partitions(
        self,
        database: str,
        table: str,
        after: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> list[LakePartition]:
        """The table's partitions ordered by their values (as tuples of strings, byte
        order); ``after``: those after these values (the next page)."""
        ...

    def delete_lake_partitions(
        self, database: str, table: str, values: Sequence[Sequence[str]]
    ) -> int:
        """Delete the partitions with these values (others are ignored); returns how many
        were deleted. Raises NotFound (no such table)."""
        ...

    # ---- Athena query executions and work groups (same suite) ----------------------------
    def create_query_execution(self, record: QueryExecutionRecord) -> QueryExecutionRecord:
        """Insert the execution and return it; when its ``client_request_token`` is taken,
        return the execution holding it instead (StartQueryExecution is idempotent).
        Raises AlreadyExists when an execution has that id."""
        ...

    def get_query_execution(self, query_id: str) -> QueryExecutionRecord | None: ...

    def list_query_executions(
        self, workgroup: str | None = None, limit: int = 50, after_id: str | None = None
    ) -> list[QueryExecutionRecord]:
        """Newest first (submitted_at, then insertion order), of one work group when given;
        ``after_id``: those listed after that one (none when it does not exist)."""
        ...

    def update_query_execution(
        self, record: QueryExecutionRecord, from_states: Sequence[QueryState]
    ) -> bool:
        """Write the execution's state, times, statistics, result and error as ``record``
        has them (its id, query, submission, work group, context, parameters and token
        stay) when its stored state is one of ``from_states``; False, changing nothing,
        otherwise (it was cancelled, or ended, meanwhile)."""
        ...

    def create_workgroup(self, workgroup: WorkGroupRecord) -> None:
        """Raises AlreadyExists when a work group has that name."""
        ...

    def get_workgroup(self, name: str) -> WorkGroupRecord | None: ...

    def list_workgroups(self) -> list[WorkGroupRecord]:
        """By name."""
        ...

    def update_workgroup(self, workgroup: WorkGroupRecord) -> None:
        """Replace its state, description and configuration. Raises NotFound."""
        ...

    def delete_workgroup(self, name: str) -> bool: ...

    # ---- Athena named queries -------------------------------------------------------------
    def create_named_query(self, record: NamedQueryRecord) -> None:
        """Raises AlreadyExists (its id is taken)."""
        ...

    def get_named_query(self, query_id: str) -> NamedQueryRecord | None: ...

    def list_named_queries(
        self, workgroup: str, after_id: str | None = None, limit: int = 50
    ) -> list[NamedQueryRecord]:
        """A work group's named queries, by id, after ``after_id``."""
        ...

    def delete_named_query(self, query_id: str) -> bool: ...

    # ---- pipelines and the partition ledger (stepline.pipelines) ------------------------
    def put_pipeline(self, record: PipelineRecord) -> None:
        """Create or replace the pipeline of that name."""
        ...

    def get_pipeline(self, name: str) -> PipelineRecord | None: ...

    def list_pipelines(self, dataset: str | None = None) -> list[PipelineRecord]:
        """By dataset, then name."""
        ...

    def delete_pipeline(self, name: str) -> bool: ...

    def add_ledger_note(self, note: LedgerNote) -> None:
        """Raises AlreadyExists (its id is taken)."""
        ...

    def ledger_notes(self, dataset: str, partition: str | None = None) -> list[LedgerNote]:
        """A dataset's notes (of one partition), by partition, then time."""
        ...

    # ---- quality runs (stepline.quality; tests/store/test_contract_quality.py) -------------
    def put_quality_result(self, record: QualityResultRecord) -> None:
        """Raises AlreadyExists (its run_id is taken)."""
        ...

    def get_quality_result(self, run_id: str) -> QualityResultRecord | None: ...

    def list_quality_results(
        self, dataset: str, partition: str | None = None, limit: int = 100
    ) -> list[QualityResultRecord]:
        """A dataset's runs (of one partition, when given; "" is the whole dataset), newest
        first."""
        ...

    # ---- work ---------------------------------------------------------------------------
    # ---- queues (stepline.queues, the AmazonSQS API; tests/store/test_contract_queues.py) --
    def create_queue(self, queue: QueueRecord) -> None:
        """Raises AlreadyExists for a queue of that name."""
        ...

    def get_queue(self, name: str) -> QueueRecord | None: ...

    def list_queues(self, prefix: str = "") -> list[QueueRecord]:
        """Queues whose name starts with ``prefix``, by name."""
        ...

    def update_queue(self, queue: QueueRecord) -> None:
        """Replace attributes, modified_at and tags; NotFound without the queue."""
        ...

    def delete_queue(self, name: str) -> bool:
        """Delete the queue and its messages; False if there was none."""
        ...

    def send_messages(self, queue_name: str, messages: Sequence[MessageRecord]) -> None:
        """Add messages to the queue (NotFound without it), in one transaction."""
        ...

    def receive_messages(self, receive: Receive) -> list[MessageRecord]:
        """Claim visible messages atomically: see ``Receive``."""
        ...

    def delete_message(self, queue_name: str, receipt_handle: str) -> bool: ...

    def change_message_visibility(
        self, queue_name: str, receipt_handle: str, visible_at: datetime
    ) -> bool: ...

    def purge_queue(self, queue_name: str) -> int:
        """Delete the queue's messages; returns how many."""
        ...

    def queue_counts(self, queue_name: str, now: datetime) -> QueueCounts: ...

    def get_message(self, message_id: str) -> MessageRecord | None: ...

    # ---- notifications (stepline.notifications; tests/store/test_contract_notifications.py)
    def create_topic(self, topic: TopicRecord) -> None:
        """Raises AlreadyExists for a topic of that name."""
        ...

    def get_topic(self, name: str) -> TopicRecord | None: ...

    def list_topics(self) -> list[TopicRecord]:
        """By name."""
        ...

    def delete_topic(self, name: str) -> bool:
        """Delete the topic and its subscriptions (messages and deliveries stay); False if
        there was none."""
        ...

    def create_subscription(self, subscription: SubscriptionRecord) -> None:
        """NotFound without its topic; AlreadyExists for its ARN."""
        ...

    def get_subscription(self, arn: str) -> SubscriptionRecord | None: ...

    def list_subscriptions(self, topic_name: str | None = None) -> list[SubscriptionRecord]:
        """(A topic's) subscriptions, by topic name then creation."""
        ...

    def delete_subscription(self, arn: str) -> bool: ...

    def publish_notification(
        self, message: NotificationRecord, deliveries: Sequence[DeliveryRecord]
    ) -> None:
        """Store the message and its deliveries in one transaction; NotFound without the
        topic (then nothing is stored)."""
        ...

    def get_notification(self, message_id: str) -> NotificationRecord | None: ...

    def list_notifications(
        self, topic_name: str | None = None, limit: int = 100, failed_only: bool = False
    ) -> list[NotificationRecord]:
        """Messages (of a topic; with a FAILED delivery), newest first."""
        ...

    def list_deliveries(self, message_id: str) -> list[DeliveryRecord]:
        """The message's deliveries, by subscription ARN."""
        ...

    def claim_deliveries(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[DeliveryRecord]:
        """PENDING deliveries due by ``now`` whose lease is free or expired, earliest due
        first, leased to ``worker_id``. Two concurrent claimers never get the same one."""
        ...

    def end_delivery_attempt(self, end: AttemptEnd) -> bool:
        """Atomically, when ``end.worker_id`` still holds the PENDING delivery's lease: add
        the attempt, set attempts to its number, the status (PENDING: due again at
        ``retry_at``) and last_error, and free the lease. False, changing nothing,
        otherwise."""
        ...

    def delivery_attempts(self, delivery_id: str) -> list[AttemptRecord]:
        """By number."""
        ...

    def next_delivery_due(self) -> datetime | None:
        """The earliest time a PENDING delivery can be claimed (the later of its due_at and
        lease_until); None without any."""
        ...

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
