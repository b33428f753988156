"""Wake-ups for idle workers: every store calls its subscribers when claimable work is
added; PostgreSQL also across processes (LISTEN/NOTIFY)."""

from __future__ import annotations

import threading
from typing import Any

from factories import event, execution, started, step, work

from stepline.store.open import open_backend


class Wakes:
    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    def wait(self) -> bool:
        got = self.event.wait(5.0)
        self.event.clear()
        return got


def test_adding_work_wakes_subscribers(store: Any) -> None:
    wakes = Wakes()
    subscription = store.subscribe(wakes)
    if subscription.cross_process:
        assert wakes.wait()  # a PostgreSQL listener wakes everyone once it listens
    record = started(store, "run-1", items=1)
    assert wakes.wait()
    store.append(step(record.arn, 0, add_work=[work(record.arn, "next")]))
    assert wakes.wait()
    subscription.close()
    wakes.count = 0
    store.append(step(record.arn, 1, add_work=[work(record.arn, "later")]))
    assert not wakes.event.wait(0.3)
    assert wakes.count == 0


def test_steps_without_claimable_work_do_not_wake(store: Any) -> None:
    wakes = Wakes()
    subscription = store.subscribe(wakes)
    if subscription.cross_process:
        assert wakes.wait()
    record = execution("quiet")
    store.create_execution(record, [event(record.arn, 1, "ExecutionStarted")], [])
    activity = work(record.arn, "t", kind="activity", payload='{"activity_arn": "a"}')
    store.append(step(record.arn, 0, add_work=[activity]))
    assert not wakes.event.wait(0.5)
    subscription.close()


def test_postgres_wakes_subscribers_of_other_connections(postgres_url: str) -> None:
    listening = open_backend(postgres_url)
    writing = open_backend(postgres_url)
    try:
        wakes = Wakes()
        subscription = listening.subscribe(wakes)
        assert subscription.cross_process
        assert wakes.wait()
        started(writing, "elsewhere", items=1)
        assert wakes.wait()  # the other store object's commit reached this one
        subscription.close()
    finally:
        listening.close()
        writing.close()


def test_sqlite_and_memory_subscriptions_are_in_process(tmp_path: Any) -> None:
    for url in ("memory://", f"sqlite:///{tmp_path}/s.db"):
        store = open_backend(url)
        try:
            subscription = store.subscribe(lambda: None)
            assert not subscription.cross_process
            subscription.close()
        finally:
            store.close()
