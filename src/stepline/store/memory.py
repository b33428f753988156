"""The in-memory store: the contract's semantics in plain dictionaries, behind one lock.

Used by tests and by in-process runs (``stepline.run``); nothing survives the process.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
import json
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from stepline.store import _common as c
from stepline.store.memory_catalog import MemoryCatalog
from stepline.store.memory_jobs import MemoryJobs
from stepline.store.memory_lake_catalog import MemoryLakeCatalog
from stepline.store.memory_ledger import MemoryLedger
from stepline.store.memory_named_queries import MemoryNamedQueries
from stepline.store.memory_notifications import MemoryNotifications
from stepline.store.memory_quality import MemoryQuality
from stepline.store.memory_queues import MemoryQueues
from stepline.store.protocol import AlreadyExists, Append, NotFound, VersionConflict
from stepline.store.records import (
    EventRecord,
    ExecutionRecord,
    ExecutionStatus,
    StateMachineRecord,
    WorkItem,
)
from stepline.store.signal import Subscription, WorkSignal


class MemoryStore(
    MemoryCatalog,
    MemoryJobs,
    MemoryLakeCatalog,
    MemoryLedger,
    MemoryNamedQueries,
    MemoryQueues,
    MemoryQuality,
    MemoryNotifications,
):
    """A real ``Store`` kept in memory; safe to share between threads. State machines,
    revisions, versions, aliases, activities and tags: ``MemoryCatalog``."""

    def __init__(self) -> None:
        super().__init__()
        MemoryJobs.__init__(self)  # jobs and their runs: MemoryJobs
        MemoryNamedQueries.__init__(self)
        MemoryLakeCatalog.__init__(self)  # the lake's tables, Athena queries: there
        MemoryQueues.__init__(self)  # queues and their messages: MemoryQueues
        MemoryLedger.__init__(self)  # pipelines and the partition ledger's notes
        MemoryQuality.__init__(self)  # quality run results
        MemoryNotifications.__init__(self)  # topics, messages, deliveries: there
        self._lock = threading.RLock()
        self._executions: dict[str, ExecutionRecord] = {}
        self._execution_names: set[tuple[str, str]] = set()  # (state machine arn, name)
        self._execution_seq: dict[str, int] = {}  # arn -> insertion order (ties on start date)
        self._events: dict[str, dict[int, EventRecord]] = {}
        self._event_ids: dict[str, list[int]] = {}  # sorted ids, for paging
        # Map Run ARN -> (execution, event id) of its MapRunStarted / MapRunRedriven events
        self._map_run_events: dict[str, list[tuple[str, int]]] = {}
        self._work: dict[int, WorkItem] = {}
        self._work_keys: dict[tuple[str, str], int] = {}  # (execution arn, key) -> id
        # Claim order without scanning: (due_at, id) of items free to claim once due, and
        # (lease_until, id) of leased ones. Entries are checked against _work when popped;
        # every claimable item has an entry in one heap or the other.
        self._free: list[tuple[datetime, int]] = []
        self._leased: list[tuple[datetime, int]] = []
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        # Activity tasks are in _work but in neither heap: id -> its activity's ARN.
        self._activity_tasks: dict[int, str] = {}
        self._signal = WorkSignal()

    def migrate(self) -> list[str]:
        """Nothing to migrate; present so every backend answers ``migrate()``."""
        return []

    def subscribe(self, wake: Callable[[], None]) -> Subscription:
        return self._signal.subscribe(wake)

    # ---- executions ---------------------------------------------------------------------
    def create_execution(
        self, record: ExecutionRecord, events: Sequence[EventRecord], work: Sequence[WorkItem]
    ) -> None:
        record = dataclasses.replace(
            record, start_date=c.utc(record.start_date), stop_date=c.utc_or_none(record.stop_date)
        )
        events = [_event(e) for e in events]
        work = c.last_per_key([_work(w) for w in work])
        with self._lock:
            name = (record.state_machine_arn, record.name)
            if name in self._execution_names or record.arn in self._executions:
                raise AlreadyExists(c.execution_exists(*name))
            self._check_events(events)
            self._executions[record.arn] = record
            self._execution_names.add(name)
            self._execution_seq[record.arn] = next(self._seq)
            self._add_events(events)
            for pair in c.keys_to_delete(record.arn, (), work):
                self._delete_key(pair)
            self._add_work(work)
        if self._signal and c.claimable(work):
            self._signal.fire()

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        with self._lock:
            return self._executions.get(arn)

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
        with self._lock:
            order = self._execution_seq
            found = [
                e
                for e in self._executions.values()
                if (state_machine_arn is None or e.state_machine_arn == state_machine_arn)
                and (status is None or e.status == status)
                and (version_arn is None or e.version_arn == version_arn)
                and (alias_arn is None or e.alias_arn == alias_arn)
                and (redriven is None or (e.redrive_count > 0) == redriven)
            ]
            if after_arn is not None:
                mark = self._executions.get(after_arn)
                cursor = None if mark is None else (mark.start_date, order[mark.arn])
                found = [e for e in found if cursor and (e.start_date, order[e.arn]) < cursor]
            found.sort(key=lambda e: (e.start_date, order[e.arn]), reverse=True)
        return found[: max(limit, 0)]

    def append(self, step: Append) -> int:
        stop_date = c.utc_or_none(step.stop_date)
        events = [_event(e) for e in step.events]
        work = c.last_per_key([_work(w) for w in step.add_work])
        with self._lock:
            current = self._executions.get(step.execution_arn)
            if current is None:
                raise NotFound(c.no_execution(step.execution_arn))
            if current.version != step.expected_version:
                raise VersionConflict(c.stale_version(step.execution_arn, step.expected_version))
            if step.done_work_id is not None and step.done_work_id not in self._work:
                raise VersionConflict(c.work_gone(step.execution_arn, step.done_work_id))
            self._check_events(events)
            version = current.version + 1
            self._executions[step.execution_arn] = dataclasses.replace(
                current,
                version=version,
                state=step.state,
                status=step.status,
                output=step.output,
                error=step.error,
                cause=step.cause,
                stop_date=stop_date,
                redrive_count=current.redrive_count + (step.redriven is not None),
                redrive_date=c.utc_or_none(step.redriven) or current.redrive_date,
            )
            if step.done_work_id is not None:
                done = self._work.pop(step.done_work_id)
                del self._work_keys[(done.execution_arn, done.key)]
                self._activity_tasks.pop(done.id, None)
            for pair in c.keys_to_delete(step.execution_arn, step.cancel_keys, work):
                self._delete_key(pair)
            self._add_work(work)
            self._add_events(events)
        if self._signal and c.claimable(work):
            self._signal.fire()
        return version

    def history(self, execution_arn: str, after: int = 0, limit: int = 1000) -> list[EventRecord]:
        with self._lock:
            ids = self._event_ids.get(execution_arn, [])
            start = bisect.bisect_right(ids, after)
            events = self._events.get(execution_arn, {})
            return [events[i] for i in ids[start : start + max(limit, 0)]]

    # ---- Map Runs -------------------------------------------------------------------------
    def map_run_events(self, map_run_arn: str) -> list[EventRecord]:
        with self._lock:
            found = sorted(self._map_run_events.get(map_run_arn, ()))
            return [self._events[arn][id_] for arn, id_ in found]

    def list_map_run_starts(
        self, execution_arn: str, limit: int = 100, before_id: int | None = None
    ) -> list[EventRecord]:
        with self._lock:
            events = self._events.get(execution_arn, {})
            ids = self._event_ids.get(execution_arn, [])
            if before_id is not None:
                ids = ids[: bisect.bisect_left(ids, before_id)]
            starts = (events[i] for i in reversed(ids) if events[i].type == "MapRunStarted")
            return list(itertools.islice(starts, max(limit, 0)))

    # ---- deleting a state machine ---------------------------------------------------------
    def mark_state_machine_deleting(self, arn: str) -> StateMachineRecord | None:
        with self._lock:
            machine = self._mark_deleting(arn)
            if machine is not None:
                for record in list(self._executions.values()):
                    if record.state_machine_arn == arn:
                        flagged = dataclasses.replace(record, machine_deleting=True)
                        self._executions[record.arn] = flagged
            return machine

    def purge_state_machine(self, arn: str) -> bool:
        with self._lock:
            doomed = [e for e in self._executions.values() if e.state_machine_arn == arn]
            if any(e.status == "RUNNING" for e in doomed) or not self._drop_machine(arn):
                return False
            for record in doomed:
                del self._executions[record.arn]
                self._execution_names.discard((arn, record.name))
                self._execution_seq.pop(record.arn, None)
                self._events.pop(record.arn, None)
                self._event_ids.pop(record.arn, None)
            gone = {e.arn for e in doomed}
            for map_run, found in list(self._map_run_events.items()):
                found[:] = [pair for pair in found if pair[0] not in gone]
                if not found:
                    del self._map_run_events[map_run]
            for item in [w for w in self._work.values() if w.execution_arn in gone]:
                self._delete_key((item.execution_arn, item.key))
            return True

    # ---- activity tasks (activities themselves: MemoryCatalog) ----------------------------
    def take_activity_task(
        self, activity_arn: str, worker_id: str, now: datetime, lease_seconds: float
    ) -> WorkItem | None:
        now = c.utc(now)
        with self._lock:
            waiting = [
                item
                for work_id, arn in self._activity_tasks.items()
                if arn == activity_arn
                and (item := self._work.get(work_id)) is not None
                and (item.lease_until is None or item.lease_until < now)
            ]
            if not waiting:
                return None
            oldest = min(waiting, key=lambda w: (w.due_at, w.id))
            taken = dataclasses.replace(
                oldest,
                lease_owner=worker_id,
                lease_until=c.lease_end(now, lease_seconds),
                attempts=oldest.attempts + 1,
            )
            self._work[taken.id] = taken
            return taken

    # ---- work ---------------------------------------------------------------------------
    def claim(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[WorkItem]:
        now = c.utc(now)
        until = c.lease_end(now, lease_seconds)
        with self._lock:
            while self._leased and self._leased[0][0] < now:  # expired leases: free again
                lease_until, work_id = heapq.heappop(self._leased)
                item = self._work.get(work_id)
                if item is not None and item.lease_until == lease_until and _claimable(item):
                    heapq.heappush(self._free, (item.due_at, work_id))
            claimed: list[WorkItem] = []
            while self._free and len(claimed) < limit and self._free[0][0] <= now:
                _, work_id = heapq.heappop(self._free)
                item = self._work.get(work_id)
                if item is None or not _claimable(item):
                    continue
                if item.lease_until is not None and item.lease_until >= now:
                    # leased again, or "now" went back (clocks of several workers)
                    heapq.heappush(self._leased, (item.lease_until, work_id))
                    continue
                leased = dataclasses.replace(
                    item, lease_owner=worker_id, lease_until=until, attempts=item.attempts + 1
                )
                self._work[work_id] = leased
                heapq.heappush(self._leased, (until, work_id))
                claimed.append(leased)
            self._compact()
            return claimed

    def renew(self, work_id: int, worker_id: str, until: datetime) -> bool:
        until = c.utc(until)
        with self._lock:
            item = self._work.get(work_id)
            if item is None or item.lease_owner != worker_id:
                return False
            self._work[work_id] = dataclasses.replace(item, lease_until=until)
            heapq.heappush(self._leased, (until, work_id))
            return True

    def work_items(self, execution_arn: str | None = None) -> list[WorkItem]:
        """The work items (of one execution), leased or not, by id: for inspection."""
        with self._lock:
            items = [
                w
                for w in self._work.values()
                if execution_arn is None or w.execution_arn == execution_arn
            ]
        return sorted(items, key=lambda w: w.id)

    def next_due(self) -> datetime | None:
        with self._lock:
            items = (w for w in self._work.values() if _claimable(w))
            return min((_available_at(w) for w in items), default=None)

    def close(self) -> None:
        pass

    # ---- internals (called with the lock held) ------------------------------------------
    def _check_events(self, events: Sequence[EventRecord]) -> None:
        seen: set[tuple[str, int]] = set()
        for event in events:
            key = (event.execution_arn, event.id)
            if key in seen or event.id in self._events.get(event.execution_arn, {}):
                raise AlreadyExists(c.event_exists(event.execution_arn))
            seen.add(key)

    def _add_events(self, events: Sequence[EventRecord]) -> None:
        for event in events:
            self._events.setdefault(event.execution_arn, {})[event.id] = event
            ids = self._event_ids.setdefault(event.execution_arn, [])
            if not ids or ids[-1] < event.id:
                ids.append(event.id)
            else:
                bisect.insort(ids, event.id)
            map_run = c.map_run_named(event)
            if map_run is not None:
                self._map_run_events.setdefault(map_run, []).append((event.execution_arn, event.id))

    def _delete_key(self, pair: tuple[str, str]) -> None:
        work_id = self._work_keys.pop(pair, None)
        if work_id is not None:
            del self._work[work_id]
            self._activity_tasks.pop(work_id, None)

    def _add_work(self, work: Sequence[WorkItem]) -> None:
        for item in work:
            stored = dataclasses.replace(
                item, id=next(self._ids), lease_owner=None, lease_until=None, attempts=0
            )
            self._work[stored.id] = stored
            self._work_keys[(stored.execution_arn, stored.key)] = stored.id
            if stored.kind == "activity":
                self._activity_tasks[stored.id] = json.loads(stored.payload)["activity_arn"]
                continue
            heapq.heappush(self._free, (stored.due_at, stored.id))
        self._compact()

    def _compact(self) -> None:
        """Entries of deleted items and of old leases linger in the heaps until popped;
        rebuild the heaps when they outnumber the live items."""
        if len(self._free) + len(self._leased) <= 2 * len(self._work) + 1024:
            return
        live = [(i, w) for i, w in self._work.items() if _claimable(w)]
        self._free = [(w.due_at, i) for i, w in live if w.lease_until is None]
        self._leased = [(w.lease_until, i) for i, w in live if w.lease_until is not None]
        heapq.heapify(self._free)
        heapq.heapify(self._leased)


def _event(event: EventRecord) -> EventRecord:
    return dataclasses.replace(event, timestamp=c.utc(event.timestamp))


def _work(item: WorkItem) -> WorkItem:
    return dataclasses.replace(item, due_at=c.utc(item.due_at))


def _available_at(item: WorkItem) -> datetime:
    if item.lease_until is None or item.lease_until < item.due_at:
        return item.due_at
    return item.lease_until


def _claimable(item: WorkItem) -> bool:
    """Whether workers' claims may take it: anything but an activity task."""
    return item.kind != "activity"
