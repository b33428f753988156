"""The store contract for queues and their messages: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import pytest
from factories import T0, AnyStore, at

from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.queue_records import MessageRecord, QueueCounts, QueueRecord, Receive


def queue(name: str = "orders", attributes: str = '{"VisibilityTimeout": "30"}') -> QueueRecord:
    url = f"http://localhost/123456789012/{name}"
    arn = f"arn:aws:sqs:us-east-1:123456789012:{name}"
    return QueueRecord(name, url, arn, attributes, T0, T0)


def message(n: int, queue_name: str = "orders", delay: float = 0) -> MessageRecord:
    return MessageRecord(
        f"00000000-0000-0000-0000-{n:012d}",
        queue_name,
        f"body {n}",
        f"md5-{n}",
        T0,
        at(delay),
        message_attributes='{"k": {"DataType": "String", "StringValue": "v"}}',
        md5_attributes="abc",
    )


def receive(name: str = "orders", now: float = 0, n: int = 10, **kw: object) -> Receive:
    handles = tuple(f"h-{now}-{i}-{uuid.uuid4()}" for i in range(n))
    return Receive(name, at(now), at(now + 30), handles, **kw)  # type: ignore[arg-type]


def test_queues_are_created_listed_updated_deleted(store: AnyStore) -> None:
    store.create_queue(queue("b"))
    store.create_queue(queue("a"))
    with pytest.raises(AlreadyExists):
        store.create_queue(queue("a"))
    assert store.get_queue("a") == queue("a")
    assert store.get_queue("zz") is None
    assert [q.name for q in store.list_queues()] == ["a", "b"]
    assert [q.name for q in store.list_queues("b")] == ["b"]
    changed = QueueRecord("a", "u", "x", '{"DelaySeconds": "5"}', T0, at(5), '{"t": "1"}')
    store.update_queue(changed)
    got = store.get_queue("a")
    assert got is not None and got.attributes == '{"DelaySeconds": "5"}'
    assert got.modified_at == at(5) and got.created_at == T0 and got.tags == '{"t": "1"}'
    with pytest.raises(NotFound):
        store.update_queue(queue("zz"))
    store.send_messages("a", [message(1, "a")])
    assert store.delete_queue("a") is True
    assert store.delete_queue("a") is False
    assert store.get_message(message(1).id) is None


def test_send_to_a_missing_queue_is_not_found(store: AnyStore) -> None:
    with pytest.raises(NotFound):
        store.send_messages("nope", [message(1)])


def test_receive_claims_visible_messages_in_order(store: AnyStore) -> None:
    store.create_queue(queue())
    store.send_messages("orders", [message(1), message(2), message(3, delay=10)])
    got = store.receive_messages(receive(n=1))
    assert [m.id for m in got] == [message(1).id]
    first = got[0]
    assert first.receive_count == 1 and first.first_received_at == T0
    assert str(first.receipt_handle).startswith("h-0-0-") and first.visible_at == at(30)
    assert first.body == "body 1" and first.md5_attributes == "abc"
    assert first.message_attributes == message(1).message_attributes
    assert [m.id for m in store.receive_messages(receive(n=5))] == [message(2).id]
    assert store.queue_counts("orders", T0) == QueueCounts(0, 2, 1)
    assert [m.id for m in store.receive_messages(receive(now=10))] == [message(3).id]
    # visibility over: received again, counted, first receive kept
    again = store.receive_messages(receive(now=31, n=1))
    assert [m.receive_count for m in again] == [2]
    assert again[0].first_received_at == T0 and str(again[0].receipt_handle).startswith("h-31-0-")


def test_delete_and_change_visibility_by_receipt_handle(store: AnyStore) -> None:
    store.create_queue(queue())
    store.send_messages("orders", [message(1), message(2)])
    a, b = store.receive_messages(receive())
    assert a.receipt_handle is not None and b.receipt_handle is not None
    assert store.delete_message("orders", a.receipt_handle) is True
    assert store.delete_message("orders", a.receipt_handle) is False
    assert store.delete_message("other", b.receipt_handle) is False
    assert store.change_message_visibility("orders", b.receipt_handle, at(1)) is True
    assert store.change_message_visibility("orders", "nope", at(1)) is False
    assert store.receive_messages(receive(now=0.5)) == []
    assert [m.id for m in store.receive_messages(receive(now=1))] == [b.id]


def test_messages_received_too_often_move_to_the_dead_letter_queue(store: AnyStore) -> None:
    store.create_queue(queue())
    store.create_queue(queue("dlq"))
    store.send_messages("orders", [message(1)])
    for n in range(2):
        got = store.receive_messages(receive(now=40 * n, dead_letter="dlq", max_receive_count=2))
        assert [m.receive_count for m in got] == [n + 1]
    assert store.receive_messages(receive(now=80, dead_letter="dlq", max_receive_count=2)) == []
    moved = store.receive_messages(receive("dlq", now=80))
    assert [m.id for m in moved] == [message(1).id]
    assert moved[0].queue_name == "dlq"


def test_purge_and_counts(store: AnyStore) -> None:
    store.create_queue(queue())
    store.create_queue(queue("other"))
    store.send_messages("orders", [message(1), message(2)])
    store.send_messages("other", [message(3, "other")])
    assert store.queue_counts("orders", T0) == QueueCounts(2, 0, 0)
    assert store.purge_queue("orders") == 2
    assert store.queue_counts("orders", T0) == QueueCounts(0, 0, 0)
    assert store.queue_counts("other", T0) == QueueCounts(1, 0, 0)
    got = store.get_message(message(3).id)
    assert got is not None and got.sent_at == T0 and got.queue_name == "other"


def test_concurrent_receivers_never_share_a_message(store: AnyStore) -> None:
    store.create_queue(queue())
    store.send_messages("orders", [message(i) for i in range(40)])
    seen: list[str] = []
    lock = threading.Lock()

    def consume(k: int) -> None:
        for round_ in range(10):
            handles = tuple(f"h{k}-{round_}-{i}" for i in range(3))
            got = store.receive_messages(Receive("orders", T0, at(30), handles))
            with lock:
                seen.extend(m.id for m in got)

    threads = [threading.Thread(target=consume, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 40 and len(set(seen)) == 40


def test_receive_first_deletes_messages_past_retention(store: AnyStore) -> None:
    store.create_queue(queue())
    old = MessageRecord("old", "orders", "old", "m", at(-100), at(-100))
    store.send_messages("orders", [old, message(1)])
    got = store.receive_messages(receive(expire_before=at(-50)))
    assert [m.id for m in got] == [message(1).id]
    assert store.get_message("old") is None
