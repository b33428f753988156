"""The store contract for activities and their tasks: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import datetime

import pytest
from factories import SM, T0, AnyStore, at, step

from stepline.store.protocol import VersionConflict
from stepline.store.records import ActivityRecord, ExecutionRecord, WorkItem, WorkKind

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:"


def activity(name: str, created: datetime = T0) -> ActivityRecord:
    return ActivityRecord(ACTIVITY + name, name, created)


def task(arn: str, key: str, name: str, due: datetime = T0, value: object = None) -> WorkItem:
    payload = json.dumps({"activity_arn": ACTIVITY + name, "input": value})
    return WorkItem(arn, key, "activity", due, payload)


def work(arn: str, key: str, due: datetime = T0, kind: WorkKind = "timer") -> WorkItem:
    return WorkItem(arn, key, kind, due)


def started(store: AnyStore, name: str, items: list[WorkItem]) -> ExecutionRecord:
    arn = f"{SM.replace(':stateMachine:', ':execution:')}:{name}"
    record = ExecutionRecord(arn, SM, name, "RUNNING", "{}", T0, '{"v": 0}')
    store.create_execution(record, [], [dataclasses.replace(w, execution_arn=arn) for w in items])
    return record


# ---- activities -------------------------------------------------------------------------


def test_activities_create_get_list_delete(store: AnyStore) -> None:
    orders, billing = activity("orders"), activity("billing", at(5))
    assert store.create_activity(orders) == orders
    assert store.create_activity(billing) == billing
    assert store.get_activity(orders.arn) == orders
    assert store.get_activity(ACTIVITY + "nope") is None
    assert store.list_activities() == [billing, orders]  # by name
    assert store.delete_activity(orders.arn) is True
    assert store.delete_activity(orders.arn) is False
    assert store.get_activity(orders.arn) is None
    assert store.list_activities() == [billing]


def test_creating_an_activity_again_returns_the_first_one(store: AnyStore) -> None:
    first = store.create_activity(activity("orders"))
    again = store.create_activity(activity("orders", at(60)))
    assert again == first
    assert again.created_at == T0
    assert store.list_activities() == [first]


# ---- activity tasks ---------------------------------------------------------------------


def test_take_gives_the_oldest_task_of_that_activity_once(store: AnyStore) -> None:
    one = started(
        store,
        "one",
        [task("", "#2", "orders", at(2), {"n": 2}), task("", "#1", "billing", at(0))],
    )
    two = started(store, "two", [task("", "#1", "orders", at(1), {"n": 1})])
    first = store.take_activity_task(ACTIVITY + "orders", "w1", at(10), 30)
    assert first is not None
    assert (first.execution_arn, first.key, first.kind) == (two.arn, "#1", "activity")
    assert json.loads(first.payload) == {"activity_arn": ACTIVITY + "orders", "input": {"n": 1}}
    assert (first.lease_owner, first.lease_until, first.attempts) == ("w1", at(40), 1)
    second = store.take_activity_task(ACTIVITY + "orders", "w2", at(10), 30)
    assert second is not None and (second.execution_arn, second.key) == (one.arn, "#2")
    assert store.take_activity_task(ACTIVITY + "orders", "w3", at(10), 30) is None
    other = store.take_activity_task(ACTIVITY + "billing", "w3", at(10), 30)
    assert other is not None and (other.execution_arn, other.key) == (one.arn, "#1")
    assert store.take_activity_task(ACTIVITY + "unknown", "w3", at(10), 30) is None


def test_a_task_whose_taker_lost_its_lease_can_be_taken_again(store: AnyStore) -> None:
    started(store, "one", [task("", "#1", "orders")])
    taken = store.take_activity_task(ACTIVITY + "orders", "w1", at(0), 30)
    assert taken is not None
    assert store.take_activity_task(ACTIVITY + "orders", "w2", at(30), 30) is None
    again = store.take_activity_task(ACTIVITY + "orders", "w2", at(31), 30)
    assert again is not None and again.id == taken.id
    assert (again.lease_owner, again.attempts) == ("w2", 2)


def test_the_step_that_starts_a_task_consumes_it_once(store: AnyStore) -> None:
    record = started(store, "one", [task("", "#1", "orders")])
    taken = store.take_activity_task(ACTIVITY + "orders", "w1", at(0), 30)
    assert taken is not None
    store.append(step(record.arn, 0, done_work_id=taken.id))
    assert store.work_items(record.arn) == []
    with pytest.raises(VersionConflict):  # a second taker of the same item loses
        store.append(step(record.arn, 1, done_work_id=taken.id))
    assert store.take_activity_task(ACTIVITY + "orders", "w2", at(60), 30) is None


def test_claims_never_take_activity_tasks_and_next_due_ignores_them(store: AnyStore) -> None:
    record = started(store, "one", [task("", "#1", "orders", at(0)), work("", "t", at(5))])
    assert store.next_due() == at(5)
    claimed = store.claim("w", at(100), 10, 30)
    assert [(w.key, w.kind) for w in claimed] == [("t", "timer")]
    store.append(step(record.arn, 0, done_work_id=claimed[0].id))
    assert store.next_due() is None
    assert store.claim("w", at(1000), 10, 30) == []
    taken = store.take_activity_task(ACTIVITY + "orders", "w", at(0), 1)
    assert taken is not None
    assert store.claim("w", at(1000), 10, 30) == []  # its lease ended: still not claimable
    assert store.next_due() is None
    assert [w.key for w in store.work_items(record.arn)] == ["#1"]


def test_cancelling_by_key_removes_a_waiting_task(store: AnyStore) -> None:
    record = started(store, "one", [task("", "#1", "orders"), task("", "#2", "orders")])
    store.append(step(record.arn, 0, cancel_keys=["#1"]))
    taken = store.take_activity_task(ACTIVITY + "orders", "w", at(0), 30)
    assert taken is not None and taken.key == "#2"
    store.append(step(record.arn, 1, cancel_keys=["#2"]))  # a taken one too
    assert store.take_activity_task(ACTIVITY + "orders", "w", at(100), 30) is None
    assert store.work_items(record.arn) == []


def test_concurrent_takers_never_share_a_task(store: AnyStore) -> None:
    items = [task("", f"#{i}", "orders", at(i % 5), i) for i in range(120)]
    started(store, "one", items)
    taken: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def taker(name: str) -> None:
        mine = taken.setdefault(name, [])
        barrier.wait()
        while item := store.take_activity_task(ACTIVITY + "orders", name, at(10), 300):
            mine.append(item.id)

    threads = [threading.Thread(target=taker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i for mine in taken.values() for i in mine]
    assert len(ids) == len(set(ids)) == 120
    owners = {w.id: w.lease_owner for w in store.work_items()}
    assert all(owners[i] == name for name, mine in taken.items() for i in mine)
