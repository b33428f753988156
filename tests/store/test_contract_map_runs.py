"""The store contract for Map Runs: the history events that start and redrive one, found by
the Map Run's ARN in their details and listed per execution. Every test runs against memory,
SQLite and PostgreSQL (the index test against the SQL backends)."""

from __future__ import annotations

import json
import sqlite3

import psycopg
from factories import SM, T0, AnyStore, at, execution, step

from stepline.store.open import open_backend
from stepline.store.records import EventRecord, StateMachineRecord

RUN = "arn:aws:states:us-east-1:123456789012:mapRun:orders/Fan:0b6c54d3-0d5b-4c1e-9b43-5d1f3bc0a001"
OTHER_RUN = RUN.replace("a001", "a002")


def map_event(
    execution_arn: str, id_: int, type_: str, map_run: str, **more: object
) -> EventRecord:
    details = json.dumps({"mapRunArn": map_run, **more})
    return EventRecord(execution_arn, id_, id_ - 1, at(id_), type_, details)


def plain(execution_arn: str, id_: int, type_: str = "PassStateEntered") -> EventRecord:
    return EventRecord(execution_arn, id_, id_ - 1, at(id_), type_, '{"name": "P"}')


def test_a_map_run_is_found_by_its_arn_from_its_start_and_redrives(store: AnyStore) -> None:
    record = execution("run-1")
    arn = record.arn
    store.create_execution(
        record,
        [plain(arn, 1, "ExecutionStarted"), map_event(arn, 2, "MapRunStarted", RUN)],
        [],
    )
    store.append(
        step(
            arn,
            0,
            events=[
                plain(arn, 3, "MapRunFailed"),
                map_event(arn, 4, "MapRunStarted", OTHER_RUN),  # a retry's new Map Run
                map_event(arn, 5, "MapRunRedriven", RUN, redriveCount=1),
            ],
        )
    )
    found = store.map_run_events(RUN)
    assert [(e.execution_arn, e.id, e.type) for e in found] == [
        (arn, 2, "MapRunStarted"),
        (arn, 5, "MapRunRedriven"),
    ]
    assert found[0] == map_event(arn, 2, "MapRunStarted", RUN)  # the record as written
    assert found[0].timestamp == at(2)
    assert [e.id for e in store.map_run_events(OTHER_RUN)] == [4]
    assert store.map_run_events(RUN + "0") == []
    assert store.map_run_events("arn:aws:states:us-east-1:123456789012:mapRun:x/y:z") == []


def test_only_map_run_events_name_a_map_run(store: AnyStore) -> None:
    record = execution("run-2")
    arn = record.arn
    # Another event type whose details happen to carry a mapRunArn is no Map Run's start.
    store.create_execution(
        record,
        [plain(arn, 1, "ExecutionStarted"), map_event(arn, 2, "PassStateExited", RUN)],
        [],
    )
    assert store.map_run_events(RUN) == []
    assert store.list_map_run_starts(arn) == []


def test_an_executions_map_runs_are_listed_newest_first_in_pages(store: AnyStore) -> None:
    first, second = execution("run-a"), execution("run-b", start=at(1))
    runs = [RUN.replace("a001", f"b{i:03}") for i in range(5)]
    store.create_execution(first, [plain(first.arn, 1, "ExecutionStarted")], [])
    store.create_execution(
        second,
        [plain(second.arn, 1, "ExecutionStarted"), map_event(second.arn, 2, "MapRunStarted", RUN)],
        [],
    )
    events = [plain(first.arn, 2)]
    for i, run in enumerate(runs):
        events.append(map_event(first.arn, 3 + 2 * i, "MapRunStarted", run))
        events.append(plain(first.arn, 4 + 2 * i, "MapRunSucceeded"))
    events.append(map_event(first.arn, 13, "MapRunRedriven", runs[0], redriveCount=1))
    store.append(step(first.arn, 0, events=events))

    listed = store.list_map_run_starts(first.arn)
    assert [e.id for e in listed] == [11, 9, 7, 5, 3]
    assert [json.loads(e.details or "{}")["mapRunArn"] for e in listed] == runs[::-1]
    assert {e.type for e in listed} == {"MapRunStarted"}

    page = store.list_map_run_starts(first.arn, limit=2)
    assert [e.id for e in page] == [11, 9]
    page = store.list_map_run_starts(first.arn, limit=2, before_id=page[-1].id)
    assert [e.id for e in page] == [7, 5]
    page = store.list_map_run_starts(first.arn, limit=2, before_id=page[-1].id)
    assert [e.id for e in page] == [3]
    assert store.list_map_run_starts(first.arn, limit=2, before_id=3) == []
    assert store.list_map_run_starts(first.arn, limit=0) == []

    assert [e.id for e in store.list_map_run_starts(second.arn)] == [2]
    assert store.list_map_run_starts(execution("never").arn) == []


def test_a_purged_machine_takes_its_map_runs_along(store: AnyStore) -> None:
    machine = StateMachineRecord(
        SM, "orders", '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}', "r", "STANDARD", T0
    )
    store.create_state_machine(machine)
    record = execution("run-p", status="SUCCEEDED")
    store.create_execution(
        record,
        [plain(record.arn, 1, "ExecutionStarted"), map_event(record.arn, 2, "MapRunStarted", RUN)],
        [],
    )
    assert store.mark_state_machine_deleting(SM) is not None
    assert store.purge_state_machine(SM)
    assert store.map_run_events(RUN) == []
    assert store.list_map_run_starts(record.arn) == []


def test_the_map_run_lookup_uses_its_index(durable_url: str) -> None:
    """The lookup by ARN is an index search, not a scan of every execution's history."""
    store = open_backend(durable_url)
    try:
        sql = (
            "SELECT id FROM events WHERE type IN ('MapRunStarted', 'MapRunRedriven')"
            f" AND {store._map_run_arn_sql} = 'x' ORDER BY execution_arn, id"
        )
        if durable_url.startswith("sqlite"):
            with sqlite3.connect(store.path) as conn:
                plan = " ".join(str(row) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        else:
            with psycopg.connect(durable_url) as conn:
                conn.execute("SET enable_seqscan = off")
                plan = " ".join(str(row) for row in conn.execute(f"EXPLAIN {sql}"))
        assert "events_map_run" in plan, plan
    finally:
        store.close()
