"""Immutable records the engine reads and returns: execution facts, frames, commands, events in.

A *thread* is one path of control: the top level (id ""), a Parallel branch or a Map
iteration (ids "<parent>/<index>"). A thread that waits on the outside world is parked
as a Frame; everything else happens synchronously inside one ``advance`` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple, TypeAlias

from stepline.asl.errors import Json
from stepline.asl.model import Branch
from stepline.engine.history import HistoryEvent

Status: TypeAlias = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """What the context object ``$$.Execution`` / ``$$.StateMachine`` exposes."""

    execution_arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    input: Json
    start_time: datetime
    role_arn: str = "arn:aws:iam::123456789012:role/stepline"
    region: str = "us-east-1"
    redrive_count: int = 0
    redrive_time: datetime | None = None  # the latest RedriveExecution
    # A child started by a parent's states:startExecution.sync(:2) task: the parent task's
    # token, and whether its result carries the child's output as JSON text ("sync") or as
    # JSON ("sync:2").
    parent_token: str | None = None
    parent_mode: str | None = None
    # Started through a version or an alias of the machine (StartExecution with its ARN).
    version_arn: str | None = None
    alias_arn: str | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """One path of control: the top level (id ""), a Parallel branch or a Map iteration."""

    id: str
    branch: Branch
    quiet: bool = False  # a Distributed Map's child: its events are not the parent's history


# ---- what a parked thread waits for -------------------------------------------------


class Entry(NamedTuple):
    """One visit to a state: when, at which event it was entered, and its retries so far."""

    at: datetime
    event_id: int  # the Entered event (AWS names it in States.Runtime causes)
    counters: tuple[int, ...] = ()  # attempts used per retrier
    retry_count: int = 0
    before: int = 0  # the Entered event's previousEventId (EvaluationFailed links to it)


@dataclass(frozen=True, slots=True)
class TaskWait:
    token: str
    parameters: Json
    heartbeat_seconds: int | None = None  # callback/activity/.sync tasks: the heartbeat clock
    submitted: Json = None  # a .sync task's started work (TaskSubmitted's output)
    started: bool = False  # an activity task a worker took (GetActivityTask)
    # A .sync task's work that ended before the call that started it returned (a nested
    # child faster than its parent's worker): {"output"} or {"error", "cause"}, applied
    # right after TaskSubmitted.
    early: Json = None


@dataclass(frozen=True, slots=True)
class TimerWait:
    """A Wait state's timer, or (``retry``) a Task/Parallel/Map retry back-off."""

    token: str
    retry: bool = False


@dataclass(frozen=True, slots=True)
class FanOutWait:
    """A Parallel or Map state waiting for its children."""

    token: str
    total: int
    results: tuple[Json, ...]
    done: int
    running: int
    next_index: int
    failures: int
    items: tuple[Json, ...]  # Map items; Parallel: one input per branch
    effective_input: Json
    max_concurrency: int
    tolerated_count: int | None
    tolerated_percentage: float | None
    last: int  # the event that ended the latest child (previousEventId of what follows)
    failed: tuple[int, ...] = ()  # children that ended in failure (a redrive runs them again)
    queue: tuple[int, ...] = ()  # children a redrive runs again, started before next_index
    map_run_arn: str | None = None  # a Distributed Map's Map Run
    reading: bool = False  # its ItemReader's items are being read (``token`` names the read)
    writing: bool = False  # its ResultWriter is writing the results (``token`` names it)
    # Its children that failed within the tolerance, as [index, error, cause] (a
    # ResultWriter exports them).
    errors: tuple[tuple[int, str | None, str | None], ...] = ()


Waiting: TypeAlias = TaskWait | TimerWait | FanOutWait

MapRunStatus: TypeAlias = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED"]


@dataclass(frozen=True, slots=True)
class MapRunProgress:
    """A Distributed Map's Map Run: its status, item counts and settings. While it runs,
    they are read from its FanOutWait (``engine.map_runs.progress``); once it has ended,
    the execution keeps them (``ExecutionState.map_runs_ended``)."""

    status: MapRunStatus
    stopped: datetime | None
    total: int
    pending: int  # not started yet (a redrive's queued items included)
    running: int
    succeeded: int
    failed: int
    aborted: int
    pending_redrive: int  # items a redrive runs again that have not started yet
    max_concurrency: int
    tolerated_count: int | None
    tolerated_percentage: float | None


@dataclass(frozen=True, slots=True)
class Frame:
    thread: Thread
    state_name: str
    state_input: Json
    entry: Entry
    prev: int  # id of the thread's last history event (previousEventId of its next one)
    waiting: Waiting


@dataclass(frozen=True, slots=True)
class Halt:
    """Where a thread stood when it ended unsuccessfully (failed, aborted, timed out).

    A redrive enters ``state_name`` again with ``state_input`` and the thread's variables;
    for a Parallel or Map, ``fanout`` keeps what its children had done, so only the ones
    that did not succeed run again.
    """

    thread: Thread
    state_name: str
    state_input: Json
    variables: Mapping[str, Json] | None
    fanout: FanOutWait | None = None


@dataclass(frozen=True, slots=True)
class ExecutionState:
    info: ExecutionInfo
    status: Status
    frames: Mapping[str, Frame]
    next_event_id: int
    seq: int
    # Workflow variables each running thread sees (outer scopes included), by thread id.
    variables: Mapping[str, Mapping[str, Json]] = field(default_factory=dict)
    output: Json = None
    error: str | None = None
    cause: str | None = None
    # Once the execution ended unsuccessfully: where each unfinished thread stood, by id.
    halted: Mapping[str, Halt] = field(default_factory=dict)
    # The Map Runs (recorded in the history) that have ended, by ARN; running ones are frames.
    map_runs_ended: Mapping[str, MapRunProgress] = field(default_factory=dict)


# ---- events in (shell -> engine) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartExecution:
    info: ExecutionInfo


@dataclass(frozen=True, slots=True)
class TaskSucceeded:
    token: str
    output: Json


@dataclass(frozen=True, slots=True)
class TaskFailed:
    token: str
    error: str
    cause: str | None


@dataclass(frozen=True, slots=True)
class TimerFired:
    token: str


@dataclass(frozen=True, slots=True)
class StopExecution:
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class FailExecution:
    """The execution fails at once with this error, whatever it was doing (AWS: the next
    state transition of an execution whose state machine is being deleted)."""

    error: str
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class Redrive:
    """RedriveExecution: run a FAILED, TIMED_OUT or ABORTED execution on from where it
    stopped."""


@dataclass(frozen=True, slots=True)
class CallbackSucceeded:
    """SendTaskSuccess for a callback task (``token`` is the engine's task token)."""

    token: str
    output: Json


@dataclass(frozen=True, slots=True)
class CallbackFailed:
    """SendTaskFailure for a callback task."""

    token: str
    error: str | None
    cause: str | None


@dataclass(frozen=True, slots=True)
class CallbackHeartbeat:
    """SendTaskHeartbeat: the callback task is alive; its heartbeat clock restarts."""

    token: str


@dataclass(frozen=True, slots=True)
class ActivityStarted:
    """GetActivityTask handed the activity task waiting on ``token`` to a worker."""

    token: str
    worker_name: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateMapRun:
    """UpdateMapRun: new settings for a running Map Run (None keeps a setting)."""

    map_run_arn: str
    max_concurrency: int | None = None
    tolerated_count: int | None = None
    tolerated_percentage: float | None = None


Inbound: TypeAlias = (
    StartExecution
    | TaskSucceeded
    | TaskFailed
    | TimerFired
    | StopExecution
    | FailExecution
    | Redrive
    | CallbackSucceeded
    | CallbackFailed
    | CallbackHeartbeat
    | ActivityStarted
    | UpdateMapRun
)


# ---- commands out (engine -> shell) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvokeTask:
    token: str
    resource: str
    parameters: Json
    timeout_seconds: int | None
    heartbeat_seconds: int | None
    state_name: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    token: str
    due: datetime


@dataclass(frozen=True, slots=True)
class CancelTask:
    """Drop a task's pending invocation; for a .sync task whose work started
    (``submitted``), the shell also stops that work (AWS: a best-effort stop)."""

    token: str
    resource: str = ""
    submitted: Json = None


@dataclass(frozen=True, slots=True)
class CancelTimer:
    token: str


Command: TypeAlias = InvokeTask | StartTimer | CancelTask | CancelTimer


@dataclass(frozen=True, slots=True)
class Step:
    state: ExecutionState
    events: tuple[HistoryEvent, ...]
    commands: tuple[Command, ...] = field(default=())
