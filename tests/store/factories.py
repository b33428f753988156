"""Records and steps for the store contract tests (shared by the tests/store modules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stepline.store.memory import MemoryStore
from stepline.store.postgres import PostgresStore
from stepline.store.protocol import Append
from stepline.store.records import (
    EventRecord,
    ExecutionRecord,
    ExecutionStatus,
    WorkItem,
    WorkKind,
)
from stepline.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 20, 8, 30, 0, 123456, tzinfo=UTC)
AnyStore = MemoryStore | SqliteStore | PostgresStore
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:orders"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def step(arn: str, version: int, **changes: object) -> Append:
    """A step from ``version``: no events, a new state, RUNNING, plus ``changes``."""
    fields: dict[str, object] = {
        "execution_arn": arn,
        "expected_version": version,
        "state": f'{{"v": {version + 1}}}',
        "status": "RUNNING",
        "events": [],
    }
    fields.update(changes)
    return Append(**fields)  # type: ignore[arg-type]


def execution(
    name: str,
    sm: str = SM,
    start: datetime = T0,
    status: ExecutionStatus = "RUNNING",
) -> ExecutionRecord:
    arn = f"{sm.replace(':stateMachine:', ':execution:')}:{name}"
    return ExecutionRecord(arn, sm, name, status, '{"in": 1}', start, '{"v": 0}')


def event(arn: str, id_: int, type_: str = "PassStateEntered", when: datetime = T0) -> EventRecord:
    return EventRecord(arn, id_, id_ - 1, when, type_, f'{{"n": {id_}}}')


def work(
    arn: str, key: str, due: datetime = T0, kind: WorkKind = "invoke", payload: str = "{}"
) -> WorkItem:
    return WorkItem(arn, key, kind, due, payload)


def started(store: AnyStore, name: str = "run-1", items: int = 0) -> ExecutionRecord:
    record = execution(name)
    store.create_execution(
        record,
        [event(record.arn, 1, "ExecutionStarted")],
        [work(record.arn, f"k{i}", at(i)) for i in range(items)],
    )
    return record
