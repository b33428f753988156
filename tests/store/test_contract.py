"""The store contract: every test runs against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from factories import SM, T0, AnyStore, at, event, execution, started, step, work

from stepline.store.migrate import load_migrations
from stepline.store.open import open_backend
from stepline.store.protocol import AlreadyExists, NotFound, VersionConflict
from stepline.store.records import (
    ExecutionRecord,
    StateMachineRecord,
    WorkItem,
)

OTHER_SM = "arn:aws:states:us-east-1:123456789012:stateMachine:billing"


def machine(name: str = "orders", created: datetime = T0) -> StateMachineRecord:
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    return StateMachineRecord(
        arn, name, '{"StartAt": "A"}', "arn:aws:iam::1:role/r", "STANDARD", created
    )


def all_work(store: AnyStore) -> list[WorkItem]:
    return store.work_items()


# ---- state machines ---------------------------------------------------------------------


def test_state_machines_create_get_list(store: AnyStore) -> None:
    orders, billing = machine("orders"), machine("billing", at(5))
    store.create_state_machine(orders)
    store.create_state_machine(billing)
    assert store.get_state_machine(orders.arn) == orders
    assert store.get_state_machine("arn:aws:states:us-east-1:1:stateMachine:nope") is None
    assert store.list_state_machines() == [billing, orders]


def test_state_machine_name_conflict(store: AnyStore) -> None:
    store.create_state_machine(machine("orders"))
    clash = StateMachineRecord(machine("orders").arn, "orders", "{}", "other", "EXPRESS", at(9))
    with pytest.raises(AlreadyExists, match="'orders'"):
        store.create_state_machine(clash)
    assert store.list_state_machines() == [machine("orders")]


# ---- executions -------------------------------------------------------------------------


def test_create_and_get_execution(store: AnyStore) -> None:
    record = execution("run-1")
    store.create_execution(
        record, [event(record.arn, 1, "ExecutionStarted")], [work(record.arn, "t#1", at(3))]
    )
    assert store.get_execution(record.arn) == record
    assert store.get_execution(record.arn + "-missing") is None
    assert store.history(record.arn) == [event(record.arn, 1, "ExecutionStarted")]
    (item,) = all_work(store)
    assert (item.execution_arn, item.key, item.kind, item.due_at) == (
        record.arn,
        "t#1",
        "invoke",
        at(3),
    )
    assert item.id > 0 and item.attempts == 0 and item.lease_owner is None


def test_execution_name_conflict_names_both_and_changes_nothing(store: AnyStore) -> None:
    first = started(store, "run-1", items=1)
    again = ExecutionRecord(first.arn, SM, "run-1", "RUNNING", "{}", at(1), "{}")
    with pytest.raises(AlreadyExists) as raised:
        store.create_execution(again, [event(first.arn, 7)], [work(first.arn, "other")])
    assert "'run-1'" in str(raised.value) and SM in str(raised.value)
    assert store.get_execution(first.arn) == first
    assert [e.id for e in store.history(first.arn)] == [1]
    assert [w.key for w in all_work(store)] == ["k0"]
    # the same name under another state machine is a different execution
    store.create_execution(execution("run-1", sm=OTHER_SM), [], [])


def test_list_executions_newest_first_with_filters(store: AnyStore) -> None:
    a = execution("a", start=at(1))
    b = execution("b", start=at(3), status="SUCCEEDED")
    c = execution("c", start=at(2), sm=OTHER_SM)
    d = execution("d", start=at(3))  # same start as b, created later: listed first
    for record in (a, b, c, d):
        store.create_execution(record, [], [])
    assert [e.name for e in store.list_executions()] == ["d", "b", "c", "a"]
    assert [e.name for e in store.list_executions(state_machine_arn=SM)] == ["d", "b", "a"]
    assert [e.name for e in store.list_executions(status="SUCCEEDED")] == ["b"]
    assert [e.name for e in store.list_executions(SM, "RUNNING", limit=1)] == ["d"]
    assert store.list_executions(state_machine_arn="arn:nothing") == []


# ---- append -----------------------------------------------------------------------------


def test_append_applies_one_step(store: AnyStore) -> None:
    record = started(store, items=2)
    claimed = store.claim("w1", at(0), 1, 30)
    version = store.append(
        step(
            record.arn,
            0,
            events=[event(record.arn, 2), event(record.arn, 3)],
            add_work=[work(record.arn, "timer:1", at(60), "timer")],
            cancel_keys=["k1"],
            done_work_id=claimed[0].id,
        )
    )
    assert version == 1
    stored = store.get_execution(record.arn)
    assert stored is not None and (stored.version, stored.state) == (1, '{"v": 1}')
    assert [e.id for e in store.history(record.arn)] == [1, 2, 3]
    assert [(w.key, w.kind, w.due_at) for w in all_work(store)] == [("timer:1", "timer", at(60))]


def test_append_sets_terminal_fields_and_clears_them(store: AnyStore) -> None:
    record = started(store)
    store.append(step(record.arn, 0, status="FAILED", error="E", cause="C", stop_date=at(9)))
    failed = store.get_execution(record.arn)
    assert failed is not None
    assert (failed.status, failed.error, failed.cause, failed.stop_date) == (
        "FAILED",
        "E",
        "C",
        at(9),
    )
    assert store.append(step(record.arn, 1)) == 2  # e.g. a redrive: back to RUNNING
    running = store.get_execution(record.arn)
    assert running is not None
    assert (running.status, running.error, running.cause, running.stop_date) == (
        "RUNNING",
        None,
        None,
        None,
    )
    store.append(step(record.arn, 2, status="SUCCEEDED", output='{"ok": true}', stop_date=at(10)))
    done = store.get_execution(record.arn)
    assert done is not None and (done.output, done.version) == ('{"ok": true}', 3)


def test_append_with_stale_version_changes_nothing(store: AnyStore) -> None:
    record = started(store, items=1)
    store.append(step(record.arn, 0, events=[event(record.arn, 2)]))
    before = (store.get_execution(record.arn), store.history(record.arn), all_work(store))
    stale = step(
        record.arn,
        0,
        status="SUCCEEDED",
        events=[event(record.arn, 3)],
        add_work=[work(record.arn, "new")],
        cancel_keys=["k0"],
    )
    with pytest.raises(VersionConflict, match="version 0"):
        store.append(stale)
    assert (store.get_execution(record.arn), store.history(record.arn), all_work(store)) == before


def test_append_when_done_work_is_gone_rolls_back(store: AnyStore) -> None:
    record = started(store, items=2)
    first, second = store.claim("w1", at(5), 2, 30)
    store.append(step(record.arn, 0, done_work_id=first.id))
    before = (store.get_execution(record.arn), store.history(record.arn), all_work(store))
    late = step(
        record.arn,
        1,
        events=[event(record.arn, 2)],
        cancel_keys=[second.key],
        done_work_id=first.id,  # consumed already (e.g. by a worker whose lease we lost)
    )
    with pytest.raises(VersionConflict, match=str(first.id)):
        store.append(late)
    assert (store.get_execution(record.arn), store.history(record.arn), all_work(store)) == before


def test_append_to_missing_execution(store: AnyStore) -> None:
    with pytest.raises(NotFound):
        store.append(step("arn:aws:states:us-east-1:1:execution:x:nope", 0))


def test_append_with_a_recorded_event_id_changes_nothing(store: AnyStore) -> None:
    record = started(store)
    with pytest.raises(AlreadyExists):
        store.append(step(record.arn, 0, events=[event(record.arn, 2), event(record.arn, 1)]))
    stored = store.get_execution(record.arn)
    assert stored is not None and stored.version == 0
    assert [e.id for e in store.history(record.arn)] == [1]


def test_concurrent_appends_at_one_version_one_wins(store: AnyStore) -> None:
    record = started(store)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            store.append(step(record.arn, 0, events=[event(record.arn, 2, f"T{n}")]))
            outcomes.append("ok")
        except VersionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["ok"]
    assert [e.id for e in store.history(record.arn)] == [1, 2]


# ---- history ----------------------------------------------------------------------------


def test_history_order_and_paging_never_truncated(store: AnyStore) -> None:
    record = started(store)
    other = execution("run-2")
    store.create_execution(other, [event(other.arn, 1), event(other.arn, 2)], [])
    version = 0
    for first in range(2, 2502, 250):
        batch = [event(record.arn, i, when=at(i)) for i in range(first, first + 250)]
        version = store.append(step(record.arn, version, events=batch))
    everything = store.history(record.arn, limit=10_000)
    assert [e.id for e in everything] == list(range(1, 2502))
    assert everything[1500] == event(record.arn, 1501, when=at(1501))
    assert [e.id for e in store.history(record.arn)] == list(range(1, 1001))
    assert [e.id for e in store.history(record.arn, after=1000)] == list(range(1001, 2001))
    assert [e.id for e in store.history(record.arn, after=2000)] == list(range(2001, 2502))
    assert store.history(record.arn, after=2501) == []
    assert [e.id for e in store.history(record.arn, after=5, limit=3)] == [6, 7, 8]
    assert [e.id for e in store.history(other.arn)] == [1, 2]
    assert store.history("arn:none") == []


# ---- work: claim, renew, cancel, replace, next_due ---------------------------------------


def test_claim_takes_only_due_items_in_due_order(store: AnyStore) -> None:
    record = execution("run-1")
    items = [
        work(record.arn, "late", at(10)),
        work(record.arn, "b", at(2)),
        work(record.arn, "a", at(1)),
    ]
    store.create_execution(record, [], items)
    assert store.claim("w1", at(0), 10, 30) == []
    assert store.claim("w1", at(5), 0, 30) == []
    claimed = store.claim("w1", at(5), 10, 30)
    assert [w.key for w in claimed] == ["a", "b"]
    for item in claimed:
        assert (item.lease_owner, item.lease_until, item.attempts) == ("w1", at(35), 1)
    assert [w.key for w in store.claim("w2", at(10), 10, 30)] == ["late"]


def test_claim_respects_limit_and_ties_by_id(store: AnyStore) -> None:
    record = execution("run-1")
    store.create_execution(record, [], [work(record.arn, f"k{i}", at(1)) for i in range(5)])
    first = store.claim("w1", at(1), 2, 30)
    second = store.claim("w2", at(1), 10, 30)
    assert [w.key for w in first] == ["k0", "k1"]
    assert [w.key for w in second] == ["k2", "k3", "k4"]
    assert [w.id for w in first + second] == sorted(w.id for w in first + second)


def test_lease_expiry_lets_another_worker_claim(store: AnyStore) -> None:
    started(store, items=1)
    (mine,) = store.claim("w1", at(0), 1, 10)
    assert store.claim("w2", at(5), 1, 10) == []
    assert store.claim("w2", at(10), 1, 10) == []  # expires strictly after lease_until
    (theirs,) = store.claim("w2", at(10.000001), 1, 10)
    assert theirs.id == mine.id
    assert (theirs.lease_owner, theirs.attempts) == ("w2", 2)
    assert theirs.lease_until == at(20.000001)
    (again,) = store.claim("w3", at(30), 1, 10)
    assert again.attempts == 3


def test_claims_with_clocks_slightly_apart(store: AnyStore) -> None:
    started(store, items=2)
    assert len(store.claim("w1", at(1), 2, 9)) == 2  # leased until at(10)
    assert len(store.claim("w2", at(12), 1, 10)) == 1  # one expired lease taken over
    assert store.claim("w3", at(9), 5, 10) == []  # a worker whose clock is behind
    (last,) = store.claim("w3", at(12), 5, 10)
    assert last.attempts == 2
    assert store.claim("w4", at(12), 5, 10) == []


def test_renew_extends_only_a_held_lease(store: AnyStore) -> None:
    started(store, items=1)
    (item,) = store.claim("w1", at(0), 1, 10)
    assert store.renew(item.id, "w1", at(40)) is True
    assert store.claim("w2", at(30), 1, 10) == []
    assert store.renew(item.id, "w2", at(100)) is False
    (stolen,) = store.claim("w2", at(41), 1, 10)
    assert stolen.lease_owner == "w2"
    assert store.renew(item.id, "w1", at(100)) is False  # lost to w2
    assert store.renew(10_000_000, "w1", at(100)) is False


def test_cancel_by_key(store: AnyStore) -> None:
    record = started(store, "run-1", items=3)
    other = execution("run-2")
    store.create_execution(other, [], [work(other.arn, "k1")])
    store.append(step(record.arn, 0, cancel_keys=["k1", "k2", "no-such-key"]))
    assert sorted((w.execution_arn, w.key) for w in all_work(store)) == [
        (record.arn, "k0"),
        (other.arn, "k1"),
    ]


def test_adding_an_existing_key_replaces_the_item(store: AnyStore) -> None:
    record = started(store, items=1)
    (old,) = store.claim("w1", at(0), 1, 30)
    rearmed = work(record.arn, "k0", at(50), "timer", '{"again": true}')
    store.append(step(record.arn, 0, add_work=[rearmed]))
    (item,) = all_work(store)
    assert item.id != old.id
    assert (item.key, item.kind, item.due_at, item.payload) == (
        "k0",
        "timer",
        at(50),
        '{"again": true}',
    )
    assert (item.lease_owner, item.lease_until, item.attempts) == (None, None, 0)
    # the worker holding the replaced item cannot consume the new one
    with pytest.raises(VersionConflict):
        store.append(step(record.arn, 1, done_work_id=old.id))
    # within one step, the last item of a key wins
    twice = [work(record.arn, "x", at(1), payload="1"), work(record.arn, "x", at(2), payload="2")]
    store.append(step(record.arn, 1, add_work=twice))
    assert sorted((w.key, w.payload) for w in all_work(store)) == [
        ("k0", '{"again": true}'),
        ("x", "2"),
    ]


def test_next_due(store: AnyStore) -> None:
    assert store.next_due() is None
    record = execution("run-1")
    store.create_execution(record, [], [work(record.arn, "a", at(5)), work(record.arn, "b", at(8))])
    assert store.next_due() == at(5)
    store.claim("w1", at(5), 1, 60)  # "a" is leased until at(65): "b" comes first
    assert store.next_due() == at(8)
    store.claim("w1", at(8), 1, 1)  # "b" leased until at(9)
    assert store.next_due() == at(9)


def test_datetimes_round_trip_exactly(store: AnyStore) -> None:
    plus_5_30 = timezone(timedelta(hours=5, minutes=30))
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        datetime(2099, 12, 31, 23, 59, 59, 500001, tzinfo=UTC),
        datetime(2026, 11, 20, 14, 0, 0, 7, tzinfo=plus_5_30),
    ]
    store.create_state_machine(machine("m", moments[4]))
    stored_machine = store.get_state_machine(machine("m").arn)
    assert stored_machine is not None and stored_machine.created_at == moments[4]
    assert stored_machine.created_at.utcoffset() == timedelta(0)
    for n, moment in enumerate(moments):
        record = execution(f"run-{n}", start=moment)
        store.create_execution(
            record, [event(record.arn, 1, when=moment)], [work(record.arn, "k", moment)]
        )
        store.append(step(record.arn, 0, stop_date=moment, status="SUCCEEDED"))
        got = store.get_execution(record.arn)
        assert got is not None and got.start_date == moment and got.stop_date == moment
        (recorded,) = store.history(record.arn)
        assert recorded.timestamp == moment
        for value in (got.start_date, got.stop_date, recorded.timestamp):
            assert value is not None and value.utcoffset() == timedelta(0)
    assert sorted(w.due_at for w in all_work(store)) == sorted(moments)
    (item,) = store.claim("w", moments[2], 1, 0.000001)
    assert (item.due_at, item.lease_until) == (moments[2], moments[2] + timedelta(microseconds=1))


def test_naive_datetimes_are_refused(store: AnyStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.create_execution(execution("n", start=datetime(2026, 1, 1)), [], [])
    with pytest.raises(ValueError, match="naive"):
        store.claim("w", datetime(2026, 1, 1), 1, 1)


# ---- concurrency ------------------------------------------------------------------------


def test_threads_claiming_concurrently_never_share_an_item(store: AnyStore) -> None:
    record = execution("run-1")
    store.create_execution(record, [], [work(record.arn, f"k{i}", at(i % 7)) for i in range(300)])
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        mine = claimed.setdefault(name, [])
        barrier.wait()
        while batch := store.claim(name, at(10), 3, 300):
            mine.extend(w.id for w in batch)

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for mine in claimed.values() for i in mine]
    assert len(ids) == len(set(ids)) == 300


def _claim_in_process(url: str, name: str, ready: Any, results: Any) -> None:
    store = open_backend(url, migrate=False)
    store.next_due()  # connected before the start
    mine: list[int] = []
    ready.wait()  # all processes start claiming together
    while batch := store.claim(name, at(10), 2, 300):
        mine.extend(w.id for w in batch)
        time.sleep(0.001)  # "work" on them, letting the others in
    store.close()
    results.put((name, mine))


def test_processes_claiming_concurrently_never_share_an_item(durable_url: str) -> None:
    store = open_backend(durable_url)
    record = execution("run-1")
    store.create_execution(record, [], [work(record.arn, f"k{i}", at(i % 5)) for i in range(400)])
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(4), spawn.Queue()
    workers = [
        spawn.Process(target=_claim_in_process, args=(durable_url, f"p{n}", ready, results))
        for n in range(3)
    ]
    for process in workers:
        process.start()
    ready.wait(timeout=120)
    claimed = dict(results.get(timeout=120) for _ in workers)
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    ids = [i for mine in claimed.values() for i in mine]
    assert len(ids) == len(set(ids)) == 400
    assert sum(1 for mine in claimed.values() if mine) >= 2  # they did compete
    assert {w.lease_owner for w in all_work(store)} == {
        name for name, mine in claimed.items() if mine
    }
    store.close()


# ---- migrations -------------------------------------------------------------------------


def test_migrations_applied_twice_are_a_no_op(store_url: str) -> None:
    fresh = open_backend(store_url, migrate=False)
    try:
        first = fresh.migrate()
        if store_url != "memory://":
            assert first == [m.name for m in load_migrations("sqlite")]
        assert fresh.migrate() == []
        fresh.create_state_machine(machine())
        assert fresh.migrate() == []
    finally:
        fresh.close()
    reopened = open_backend(store_url)
    try:
        if store_url != "memory://":
            assert reopened.list_state_machines() == [machine()]
            assert reopened.migrate() == []
    finally:
        reopened.close()
