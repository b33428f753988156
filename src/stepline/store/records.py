"""What the store keeps, in domain words. Plain frozen records; JSON payloads as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, TypeAlias

# "activity": an activity task waiting for GetActivityTask; never claimed by workers.
WorkKind: TypeAlias = Literal["invoke", "timer", "deliver", "activity"]
ExecutionStatus: TypeAlias = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
# AWS: DescribeStateMachine's status; DELETING from DeleteStateMachine until the machine's
# last running execution has ended.
MachineStatus: TypeAlias = Literal["ACTIVE", "DELETING"]

# AWS: a state machine has no revision id until its first UpdateStateMachine; the
# PublishStateMachineVersion docs name that first revision "INITIAL".
INITIAL_REVISION: Final = "INITIAL"


MachineType = Literal["STANDARD", "EXPRESS"]


def is_initial(revision_id: str) -> bool:
    """Whether ``revision_id`` names a machine's first revision: "INITIAL", or for a machine
    created again under the name of a deleted one, "INITIAL:<uuid>" (revisions are never
    deleted, so a cached definition of the deleted machine is never taken for the new one)."""
    return revision_id == INITIAL_REVISION or revision_id.startswith(f"{INITIAL_REVISION}:")


@dataclass(frozen=True, slots=True)
class StateMachineRecord:
    arn: str
    name: str
    definition: str  # the ASL text as given
    role_arn: str
    type: MachineType
    created_at: datetime
    revision_id: str = INITIAL_REVISION  # the current revision (definition and role)
    status: MachineStatus = "ACTIVE"
    # AWS's loggingConfiguration, tracingConfiguration and encryptionConfiguration as JSON
    # text (the API's shapes); None when never given.
    logging: str | None = None
    tracing: str | None = None
    encryption: str | None = None


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    arn: str
    state_machine_arn: str
    name: str
    status: ExecutionStatus
    input: str  # JSON text
    start_date: datetime
    state: str  # the engine's ExecutionState, encoded as JSON text
    version: int = 0  # bumped by every append; appends are guarded by it
    output: str | None = None  # JSON text, when SUCCEEDED
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    # The definition it runs, for good (an UpdateStateMachine changes it for new executions
    # only), and the version and alias it was started through, if any.
    revision_id: str = INITIAL_REVISION
    version_arn: str | None = None
    alias_arn: str | None = None
    redrive_count: int = 0  # RedriveExecution calls so far
    redrive_date: datetime | None = None  # the latest one
    # Its state machine is being deleted (DeleteStateMachine): running, its next state
    # transition fails it (AWS: States.Runtime, "State machine <name> has been deleted.");
    # ended, it cannot be redriven.
    machine_deleting: bool = False


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One history event as GetExecutionHistory returns it, its details as JSON text."""

    execution_arn: str
    id: int
    previous_event_id: int
    timestamp: datetime
    type: str
    details: str | None  # JSON text of the "...EventDetails" member, or None


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Something a worker must do for an execution once ``due_at`` has come.

    ``key`` is unique per execution (the engine's token: "<thread>#<n>", "<token>:timeout",
    ...), so a command can be cancelled by key. ``payload`` is JSON text (for "invoke": the
    task request; for "timer": empty object; for "activity": ``{"activity_arn": ...,
    "input": ...}``, the activity's queue is its ``activity_arn``).
    """

    execution_arn: str
    key: str
    kind: WorkKind
    due_at: datetime
    payload: str = "{}"
    id: int = 0  # assigned by the store
    lease_owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    """One immutable snapshot of a state machine's definition and role. Never deleted: an
    execution decodes its state with its revision's definition as long as it is kept."""

    state_machine_arn: str
    id: str  # INITIAL_REVISION, or a UUID per UpdateStateMachine that changed something
    definition: str
    role_arn: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A published, numbered, immutable pointer to one revision (``<machine arn>:<n>``)."""

    state_machine_arn: str
    number: int  # 1, 2, 3... per machine; never reused, even after a deletion
    revision_id: str
    created_at: datetime
    description: str | None = None

    @property
    def arn(self) -> str:
        return f"{self.state_machine_arn}:{self.number}"


@dataclass(frozen=True, slots=True)
class Route:
    """One version an alias starts executions of, and its share of them (percent)."""

    version: int
    weight: int


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """A named pointer to one or two versions of a machine (``<machine arn>:<name>``)."""

    state_machine_arn: str
    name: str
    routes: tuple[Route, ...]
    created_at: datetime
    updated_at: datetime
    description: str | None = None

    @property
    def arn(self) -> str:
        return f"{self.state_machine_arn}:{self.name}"


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """A Step Functions activity: a named queue of tasks that workers poll for."""

    arn: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag of a state machine or an activity (TagResource)."""

    key: str
    value: str


# ---- Glue-style jobs (stepline.jobs) ------------------------------------------------------

# AWS: JobRun.JobRunState. EXPIRED is Glue's too, never set here.
JobRunState: TypeAlias = Literal[
    "STARTING",
    "RUNNING",
    "STOPPING",
    "STOPPED",
    "SUCCEEDED",
    "FAILED",
    "TIMEOUT",
    "ERROR",
    "WAITING",
    "EXPIRED",
]
# Runs that hold one of the job's MaxConcurrentRuns slots.
ACTIVE_RUN_STATES: Final = ("STARTING", "RUNNING", "STOPPING")
ENDED_RUN_STATES: Final = ("STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "EXPIRED")


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A Glue job definition. ``definition`` is the JSON text of Glue's ``Job`` members as
    given to CreateJob/UpdateJob with Glue's defaults filled in (``stepline.jobs.definition``
    reads it), without Name, CreatedOn and LastModifiedOn, which are columns here."""

    name: str
    definition: str
    created_at: datetime
    modified_at: datetime
    tags: str = "{}"  # CreateJob's Tags, JSON text


@dataclass(frozen=True, slots=True)
class JobRunRecord:
    """One run (one attempt) of a job: Glue's ``JobRun``, and how stepline runs it.

    A run is also its own work item: a worker claims a STARTING run (or a RUNNING or
    STOPPING one whose lease expired) under a lease, as with ``WorkItem``s
    (``Store.claim_job_runs``). ``definition`` is the job's definition when the run was
    started (later UpdateJobs do not change it); ``arguments`` the run's own Arguments (JSON
    text of a string map), as GetJobRun returns them. ``caller`` is opaque text for whoever
    waits for the run's end (a Step Functions task); ``caller_key`` is unique, so a caller
    starting the run again finds this one instead.
    """

    id: str  # "jr_" + 64 hex digits
    job_name: str
    state: JobRunState
    definition: str
    started_at: datetime
    modified_at: datetime
    timeout: int  # minutes
    arguments: str = "{}"
    attempt: int = 0
    previous_run_id: str | None = None
    completed_at: datetime | None = None
    execution_time: int = 0  # seconds
    error_message: str | None = None
    state_detail: str | None = None
    worker_type: str | None = None
    number_of_workers: int | None = None
    glue_version: str | None = None
    queuing: bool = False  # JobRunQueuingEnabled: WAITING instead of refusing when full
    stdout_path: str | None = None
    stderr_path: str | None = None
    caller: str | None = None
    caller_key: str | None = None
    # the lease (as on WorkItem), and the script process while RUNNING ("host:pid")
    lease_owner: str | None = None
    lease_until: datetime | None = None
    claims: int = 0
    process: str | None = None

    @property
    def ended(self) -> bool:
        return self.state in ENDED_RUN_STATES
