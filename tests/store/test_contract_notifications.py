"""The store contract for notifications (topics, subscriptions, messages, deliveries and
their attempts): memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from factories import T0, AnyStore, at

from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.protocol import AlreadyExists, NotFound

ARN = "arn:aws:sns:us-east-1:123456789012"


def topic(name: str = "alerts") -> TopicRecord:
    return TopicRecord(name, f"{ARN}:{name}", T0, '{"DisplayName": "A"}')


def subscription(n: int, name: str = "alerts", when: float = 0) -> SubscriptionRecord:
    arn = f"{ARN}:{name}:0000-{n}"
    return SubscriptionRecord(arn, name, "http", f"http://h/{n}", at(when), '{"k": ["v"]}')


def message(n: int, name: str = "alerts", when: float = 0) -> NotificationRecord:
    return NotificationRecord(
        f"m-{n}", name, f"{ARN}:{name}", f"body {n}", at(when), "subj", '{"a": 1}', None
    )


def delivery(n: int, message_id: str, due: float = 0, sub: int = 1) -> DeliveryRecord:
    return DeliveryRecord(
        f"d-{n}", message_id, f"{ARN}:alerts:0000-{sub}", "http", "http://h", "PENDING", at(due)
    )


def end(d: str, number: int, worker: str, status: str, retry: float | None = None) -> AttemptEnd:
    outcome = "DELIVERED" if status == "DELIVERED" else "FAILED"
    error = None if outcome == "DELIVERED" else f"HTTP 500 ({number})"
    code = 200 if error is None else 500
    attempt = AttemptRecord(d, number, at(number), outcome, code, error)  # type: ignore[arg-type]
    retry_at = None if retry is None else at(retry)
    return AttemptEnd(worker, attempt, status, retry_at)  # type: ignore[arg-type]


def test_topics_and_subscriptions(store: AnyStore) -> None:
    store.create_topic(topic("b"))
    store.create_topic(topic("alerts"))
    with pytest.raises(AlreadyExists):
        store.create_topic(topic("b"))
    assert store.get_topic("alerts") == topic("alerts")
    assert store.get_topic("nope") is None
    assert [t.name for t in store.list_topics()] == ["alerts", "b"]
    store.create_subscription(subscription(2, when=5))
    store.create_subscription(subscription(1, when=1))
    store.create_subscription(subscription(3, "b"))
    with pytest.raises(AlreadyExists):
        store.create_subscription(subscription(1, when=1))
    with pytest.raises(NotFound):
        store.create_subscription(subscription(9, "nope"))
    assert store.get_subscription(subscription(1).arn) == subscription(1, when=1)
    assert [s.arn for s in store.list_subscriptions("alerts")] == [
        subscription(1).arn,
        subscription(2).arn,
    ]
    assert len(store.list_subscriptions()) == 3
    assert store.delete_subscription(subscription(2).arn) is True
    assert store.delete_subscription(subscription(2).arn) is False
    store.publish_notification(message(1), [delivery(1, "m-1")])
    assert store.delete_topic("alerts") is True
    assert store.delete_topic("alerts") is False
    assert store.list_subscriptions("alerts") == []
    assert store.get_notification("m-1") is not None  # messages stay: what was sent


def test_publish_stores_the_message_and_its_deliveries_at_once(store: AnyStore) -> None:
    with pytest.raises(NotFound):
        store.publish_notification(message(1), [delivery(1, "m-1")])
    assert store.get_notification("m-1") is None and store.list_deliveries("m-1") == []
    store.create_topic(topic())
    store.create_topic(topic("other"))
    store.publish_notification(message(1), [delivery(1, "m-1", sub=2), delivery(2, "m-1")])
    store.publish_notification(message(2, when=5), [])
    store.publish_notification(message(3, "other", when=5), [])
    got = store.get_notification("m-1")
    assert got == NotificationRecord(
        "m-1", "alerts", f"{ARN}:alerts", "body 1", T0, "subj", '{"a": 1}', None, 2
    )
    assert [d.id for d in store.list_deliveries("m-1")] == ["d-2", "d-1"]  # by subscription
    assert store.list_deliveries("m-1")[0] == delivery(2, "m-1")
    assert [m.id for m in store.list_notifications()] == ["m-3", "m-2", "m-1"]
    assert [m.id for m in store.list_notifications("alerts", limit=1)] == ["m-2"]
    assert store.list_notifications(failed_only=True) == []


def test_claims_lease_and_attempts_end_them(store: AnyStore) -> None:
    store.create_topic(topic())
    first, second = delivery(1, "m-1", due=0), delivery(2, "m-1", due=9, sub=2)
    store.publish_notification(message(1), [first, second])
    assert store.next_delivery_due() == at(0)
    (claimed,) = store.claim_deliveries("w1", at(1), 10, 30)
    assert (claimed.id, claimed.lease_owner, claimed.lease_until) == ("d-1", "w1", at(31))
    assert store.claim_deliveries("w2", at(2), 10, 30) == []  # leased; d-2 not due
    assert store.next_delivery_due() == at(9)
    assert store.end_delivery_attempt(end("d-1", 1, "w2", "PENDING", 40)) is False
    assert store.end_delivery_attempt(end("d-1", 1, "w1", "PENDING", 40)) is True
    assert store.end_delivery_attempt(end("d-1", 2, "w1", "PENDING", 40)) is False  # lease freed
    (again,) = store.list_deliveries("m-1")[:1]
    assert (again.status, again.attempts, again.due_at, again.lease_owner) == (
        "PENDING",
        1,
        at(40),
        None,
    )
    assert again.last_error == "HTTP 500 (1)"
    # an expired lease is claimed again by another notifier (a crashed one loses nothing)
    assert [d.id for d in store.claim_deliveries("w1", at(40), 10, 5)] == ["d-2", "d-1"]
    assert [d.id for d in store.claim_deliveries("w2", at(46), 1, 5)] == ["d-2"]
    assert store.end_delivery_attempt(end("d-1", 2, "w1", "FAILED")) is True
    assert store.end_delivery_attempt(end("d-2", 1, "w2", "DELIVERED")) is True
    failed, delivered = store.list_deliveries("m-1")
    assert (failed.status, failed.attempts, failed.due_at) == ("FAILED", 2, at(40))
    assert (delivered.status, delivered.last_error) == ("DELIVERED", None)
    assert store.delivery_attempts("d-1") == [
        end("d-1", 1, "w1", "PENDING", 40).attempt,
        end("d-1", 2, "w1", "FAILED").attempt,
    ]
    assert store.next_delivery_due() is None
    assert store.claim_deliveries("w3", at(999), 10, 5) == []
    assert [m.id for m in store.list_notifications(failed_only=True)] == ["m-1"]


def test_concurrent_claimers_never_share_a_delivery(store: AnyStore) -> None:
    store.create_topic(topic())
    deliveries = [delivery(n, "m-1", sub=n) for n in range(40)]
    store.publish_notification(message(1), deliveries)
    got: list[list[str]] = []

    def claim(worker: str) -> None:
        mine: list[str] = []
        while batch := store.claim_deliveries(worker, at(1), 3, 60):
            mine += [d.id for d in batch]
        got.append(mine)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [d for mine in got for d in mine]
    assert sorted(every) == sorted(d.id for d in deliveries)
