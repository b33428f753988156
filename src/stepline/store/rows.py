"""Database rows <-> store records, shared by the SQL backends.

Each backend stores times its own way (SQLite: integer microseconds; PostgreSQL:
timestamptz), so the converters take the backend's ``Times``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stepline.store.protocol import Append
from stepline.store.records import (
    ActivityRecord,
    EventRecord,
    ExecutionRecord,
    StateMachineRecord,
    WorkItem,
)


@dataclass(frozen=True, slots=True)
class Times:
    """How one backend writes (``out``) and reads (``back``) a UTC datetime."""

    out: Callable[[datetime], Any]
    back: Callable[[Any], datetime]

    def back_or_none(self, value: Any) -> datetime | None:
        return None if value is None else self.back(value)

    def out_or_none(self, value: datetime | None) -> Any:
        return None if value is None else self.out(value)


def execution_listing(
    columns: str,
    mark: str,
    state_machine_arn: str | None,
    status: str | None,
    limit: int,
    version_arn: str | None = None,
    alias_arn: str | None = None,
    redriven: bool | None = None,
    after_arn: str | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """SQL and arguments for ``Store.list_executions``, newest first; ``mark`` is the
    dialect's placeholder."""
    where, args = [], []
    for column, value in (
        ("state_machine_arn", state_machine_arn),
        ("status", status),
        ("version_arn", version_arn),
        ("alias_arn", alias_arn),
    ):
        if value is not None:
            where.append(f"{column} = {mark}")
            args.append(value)
    if redriven is not None:
        where.append("redrive_count > 0" if redriven else "redrive_count = 0")
    if after_arn is not None:  # keyset paging: strictly after that execution in this order
        where.append(
            f"(start_date, seq) < (SELECT start_date, seq FROM executions WHERE arn = {mark})"
        )
        args.append(after_arn)
    sql = f"SELECT {columns} FROM executions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY start_date DESC, seq DESC LIMIT {mark}"
    return sql, (*args, max(limit, 0))


def execution_update(step: Append, times: Times) -> tuple[Any, ...]:
    """The arguments of a step's guarded UPDATE of its execution (version check last)."""
    return (
        step.state,
        step.status,
        step.output,
        step.error,
        step.cause,
        times.out_or_none(step.stop_date),
        0 if step.redriven is None else 1,
        times.out_or_none(step.redriven),
        step.execution_arn,
        step.expected_version,
    )


def machine(row: tuple[Any, ...], times: Times) -> StateMachineRecord:
    arn, name, definition, role_arn, type_, created_at, revision_id, status = row[:8]
    logging, tracing, encryption = row[8:11]
    return StateMachineRecord(
        arn,
        name,
        definition,
        role_arn,
        type_,
        times.back(created_at),
        revision_id,
        status,
        logging,
        tracing,
        encryption,
    )


def execution_row(record: ExecutionRecord, times: Times) -> tuple[Any, ...]:
    """The INSERT values of a new execution, in ``EXECUTION_COLUMNS`` order."""
    return (
        record.arn,
        record.state_machine_arn,
        record.name,
        record.status,
        record.input,
        times.out(record.start_date),
        record.state,
        record.version,
        record.output,
        record.error,
        record.cause,
        times.out_or_none(record.stop_date),
        record.revision_id,
        record.version_arn,
        record.alias_arn,
        record.machine_deleting,
    )


def execution(row: tuple[Any, ...], times: Times) -> ExecutionRecord:
    arn, machine_arn, name, status, input_, start, state, version = row[:8]
    output, error, cause, stop, revision_id, version_arn, alias_arn = row[8:15]
    machine_deleting, redrive_count, redrive_date = row[15:18]
    return ExecutionRecord(
        arn=arn,
        state_machine_arn=machine_arn,
        name=name,
        status=status,
        input=input_,
        start_date=times.back(start),
        state=state,
        version=version,
        output=output,
        error=error,
        cause=cause,
        stop_date=times.back_or_none(stop),
        revision_id=revision_id,
        version_arn=version_arn,
        alias_arn=alias_arn,
        redrive_count=redrive_count,
        redrive_date=times.back_or_none(redrive_date),
        machine_deleting=bool(machine_deleting),
    )


def event_row(event: EventRecord, times: Times) -> tuple[Any, ...]:
    return (
        event.execution_arn,
        event.id,
        event.previous_event_id,
        times.out(event.timestamp),
        event.type,
        event.details,
    )


def event(row: tuple[Any, ...], times: Times) -> EventRecord:
    arn, id_, previous, timestamp, type_, details = row
    return EventRecord(arn, id_, previous, times.back(timestamp), type_, details)


def work(row: tuple[Any, ...], times: Times) -> WorkItem:
    id_, arn, key, kind, due_at, payload, owner, until, attempts = row
    return WorkItem(
        execution_arn=arn,
        key=key,
        kind=kind,
        due_at=times.back(due_at),
        payload=payload,
        id=id_,
        lease_owner=owner,
        lease_until=times.back_or_none(until),
        attempts=attempts,
    )


def activity(row: tuple[Any, ...], times: Times) -> ActivityRecord:
    arn, name, created_at = row
    return ActivityRecord(arn, name, times.back(created_at))
