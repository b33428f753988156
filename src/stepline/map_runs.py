"""Map Runs: DescribeMapRun, ListMapRuns and UpdateMapRun over the executions that ran them.

A Map Run has no record of its own, so nothing can drift from what its execution does. Its
ARN leads to its ``MapRunStarted`` event (``Store.map_run_events``, an index of migration
0006), which names the execution; the execution's state holds its status, item counts and
settings (``engine.map_runs.progress``: a running Map Run is its Distributed Map's frame,
an ended one is kept in ``ExecutionState.map_runs_ended``); its ``MapRunRedriven`` events
are its redrives. UpdateMapRun is an engine event (``UpdateMapRun``) applied to the
execution like any other, in one guarded store append.

stepline runs a Distributed Map's items inside the parent execution, one item (or, with an
ItemBatcher, one batch) per child ("execution"), so a Map Run's executionCounts are its
itemCounts (with an ItemBatcher both count batches; AWS's itemCounts count items).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from stepline.arns import InvalidArn
from stepline.catalog_checks import ResourceNotFound, ValidationError
from stepline.engine import map_runs as engine
from stepline.engine.codec import decode_state
from stepline.engine.records import ExecutionState, MapRunProgress, MapRunStatus, UpdateMapRun
from stepline.service import Service
from stepline.store.records import EventRecord, ExecutionRecord

_ENDED_AS: Final[dict[str, MapRunStatus]] = {
    "SUCCEEDED": "SUCCEEDED",
    "ABORTED": "ABORTED",
    "RUNNING": "ABORTED",
}


class MapRunNotFound(ResourceNotFound):
    """AWS: ResourceNotFound, "Map Run Does Not Exist: '<arn>'"."""


class MapRunCompleted(ValidationError):
    """AWS: UpdateMapRun of a Map Run that is not running (ValidationException, reason
    CANNOT_UPDATE_COMPLETED_MAP_RUN)."""

    def __init__(self, arn: str) -> None:
        super().__init__(
            f"Map Run is not running and cannot be updated: '{arn}'",
            "CANNOT_UPDATE_COMPLETED_MAP_RUN",
        )


@dataclass(frozen=True, slots=True)
class MapRunCounts:
    """AWS's MapRunItemCounts (and MapRunExecutionCounts: the same here)."""

    pending: int
    running: int
    succeeded: int
    failed: int
    timed_out: int
    aborted: int
    total: int
    results_written: int
    failures_not_redrivable: int
    pending_redrive: int


@dataclass(frozen=True, slots=True)
class MapRun:
    arn: str
    execution_arn: str
    state_machine_arn: str  # the Map Run's own: "<machine ARN>/<label>"
    status: MapRunStatus
    start_date: datetime
    stop_date: datetime | None
    max_concurrency: int
    tolerated_failure_count: int  # AWS: 0 when the Map state sets none
    tolerated_failure_percentage: float
    counts: MapRunCounts
    redrive_count: int
    redrive_date: datetime | None


def check_arn(text: str) -> str:
    """``arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<id>``;
    InvalidArn otherwise."""
    parts = text.split(":")
    machine, slash, label = parts[6].partition("/") if len(parts) == 8 else ("", "", "")
    if (
        len(parts) != 8
        or parts[0] != "arn"
        or parts[2] != "states"
        or parts[5] != "mapRun"
        or not (machine and slash and label and parts[7])
    ):
        raise InvalidArn(f"Invalid Arn: '{text}'")
    return text


def machine_arn_of(map_run_arn: str) -> str:
    """AWS: a Map Run's state machine is ``<machine ARN>/<label>`` (ListMapRuns)."""
    head, _, _ = map_run_arn.rpartition(":")
    return head.replace(":mapRun:", ":stateMachine:", 1)


class MapRuns:
    """The Map Run use cases of one ``Service`` (cheap: make one where needed)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store

    def describe(self, arn: str) -> MapRun:
        events = self.store.map_run_events(check_arn(arn))
        start = next((e for e in events if e.type == "MapRunStarted"), None)
        record = None if start is None else self.store.get_execution(start.execution_arn)
        if start is None or record is None:
            raise MapRunNotFound(f"Map Run Does Not Exist: '{arn}'")
        redrives = [e for e in events if e.type == "MapRunRedriven"]
        return self._map_run(arn, record, self._state(record), start, redrives)

    def of_execution(
        self, execution: ExecutionRecord, limit: int, before_id: int | None = None
    ) -> tuple[list[MapRun], int | None]:
        """The Map Runs the execution started, newest first, and where the next page
        starts (None: this is the last). Their redrive counts are not read (ListMapRuns
        does not show them)."""
        starts = self.store.list_map_run_starts(execution.arn, limit + 1, before_id)
        if not starts:
            return [], None
        state = self._state(execution)
        page = starts[:limit]
        found = [self._map_run(_named(s), execution, state, s, []) for s in page]
        return found, page[-1].id if len(starts) > limit and page else None

    def update(
        self,
        arn: str,
        max_concurrency: int | None = None,
        tolerated_count: int | None = None,
        tolerated_percentage: float | None = None,
    ) -> None:
        """AWS UpdateMapRun: the running Map Run takes the settings given (None keeps one)
        at once. MapRunNotFound; MapRunCompleted when it is not running (any more)."""
        current = self.describe(arn)
        if current.status != "RUNNING":
            raise MapRunCompleted(arn)
        event = UpdateMapRun(arn, max_concurrency, tolerated_count, tolerated_percentage)
        # Not only_if_effective: new settings alone change the state without an event.
        self.service.apply(current.execution_arn, event)

    # ---- internals ----------------------------------------------------------------------

    def _state(self, record: ExecutionRecord) -> ExecutionState:
        machine, branches = self.service.definitions.get(
            record.state_machine_arn, record.revision_id
        )
        return decode_state(record.state, machine, branches)

    def _map_run(
        self,
        arn: str,
        record: ExecutionRecord,
        state: ExecutionState,
        start: EventRecord,
        redrives: list[EventRecord],
    ) -> MapRun:
        known = engine.progress(state, arn) or _unknown(record)
        return MapRun(
            arn=arn,
            execution_arn=record.arn,
            state_machine_arn=machine_arn_of(arn),
            status=known.status,
            start_date=start.timestamp,
            stop_date=known.stopped,
            max_concurrency=known.max_concurrency,
            tolerated_failure_count=known.tolerated_count or 0,
            tolerated_failure_percentage=float(known.tolerated_percentage or 0.0),
            counts=self._counts(arn, record, state, known),
            redrive_count=len(redrives),
            redrive_date=redrives[-1].timestamp if redrives else None,
        )

    def _counts(
        self, arn: str, record: ExecutionRecord, state: ExecutionState, known: MapRunProgress
    ) -> MapRunCounts:
        unsuccessful = known.failed + known.aborted
        if known.status == "RUNNING":
            not_redrivable = 0  # its failures may still be run again (if it fails)
        elif known.status in ("FAILED", "ABORTED") and engine.halted(state, arn):
            # A redrive of the execution would run its failed and aborted items again.
            redrivable = self.service.redrive_status(record).status == "REDRIVABLE"
            not_redrivable = 0 if redrivable else unsuccessful
        else:  # succeeded with tolerated failures, or failed and caught / retried
            not_redrivable = unsuccessful
        return MapRunCounts(
            pending=known.pending,
            running=known.running,
            succeeded=known.succeeded,
            failed=known.failed,
            timed_out=0,  # stepline's iterations have no timeout of their own
            aborted=known.aborted,
            total=known.total,
            # AWS (recorded, no ResultWriter): every succeeded item's result is written.
            results_written=known.succeeded,
            failures_not_redrivable=not_redrivable,
            pending_redrive=known.pending_redrive,
        )


def _named(start: EventRecord) -> str:
    """The ARN of the Map Run a MapRunStarted event started."""
    details = json.loads(start.details or "{}")
    return str(details.get("mapRunArn", ""))


def _unknown(record: ExecutionRecord) -> MapRunProgress:
    """An execution stepped before stepline kept ended Map Runs: its status from the
    execution's, its counts unknown (zero)."""
    return MapRunProgress(
        status=_ENDED_AS.get(record.status, "FAILED"),
        stopped=record.stop_date,
        total=0,
        pending=0,
        running=0,
        succeeded=0,
        failed=0,
        aborted=0,
        pending_redrive=0,
        max_concurrency=0,
        tolerated_count=None,
        tolerated_percentage=None,
    )
