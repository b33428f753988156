"""Queues and their messages in memory (a base class of ``MemoryStore``): the contract's
semantics (tests/store/test_contract_queues.py) in plain dictionaries, under the store's
lock."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Sequence
from datetime import datetime

from stepline.store import _common as c
from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.queue_records import MessageRecord, QueueCounts, QueueRecord, Receive


class MemoryQueues:
    """The queues part of ``Store`` in memory; ``MemoryStore`` provides the lock."""

    _lock: threading.RLock

    def __init__(self) -> None:
        self._queues: dict[str, QueueRecord] = {}
        # message id -> (sending order, message); dicts keep insertion order
        self._messages: dict[str, tuple[int, MessageRecord]] = {}
        self._message_seqs = itertools.count(1)

    def create_queue(self, queue: QueueRecord) -> None:
        with self._lock:
            if queue.name in self._queues:
                raise AlreadyExists(f"queue {queue.name!r} exists")
            self._queues[queue.name] = _queue(queue)

    def get_queue(self, name: str) -> QueueRecord | None:
        with self._lock:
            return self._queues.get(name)

    def list_queues(self, prefix: str = "") -> list[QueueRecord]:
        with self._lock:
            return [self._queues[n] for n in sorted(self._queues) if n.startswith(prefix)]

    def update_queue(self, queue: QueueRecord) -> None:
        with self._lock:
            old = self._queues.get(queue.name)
            if old is None:
                raise NotFound(f"no queue {queue.name!r}")
            self._queues[queue.name] = dataclasses.replace(
                old,
                attributes=queue.attributes,
                modified_at=c.utc(queue.modified_at),
                tags=queue.tags,
            )

    def delete_queue(self, name: str) -> bool:
        with self._lock:
            self.purge_queue(name)
            return self._queues.pop(name, None) is not None

    def send_messages(self, queue_name: str, messages: Sequence[MessageRecord]) -> None:
        with self._lock:
            if queue_name not in self._queues:
                raise NotFound(f"no queue {queue_name!r}")
            for m in messages:
                stored = _message(dataclasses.replace(m, queue_name=queue_name))
                self._messages[m.id] = (next(self._message_seqs), stored)

    def receive_messages(self, receive: Receive) -> list[MessageRecord]:
        now = c.utc(receive.now)
        taken: list[MessageRecord] = []
        with self._lock:
            if receive.expire_before is not None:
                expire = c.utc(receive.expire_before)
                for message_id, (_, m) in list(self._messages.items()):
                    if m.queue_name == receive.queue_name and m.sent_at < expire:
                        del self._messages[message_id]
            handles = iter(receive.handles)
            for message_id, (seq, m) in sorted(self._messages.items(), key=lambda i: i[1][0]):
                if m.queue_name != receive.queue_name or m.visible_at > now:
                    continue
                if receive.dead_letter and 0 < receive.max_receive_count <= m.receive_count:
                    moved = dataclasses.replace(
                        m, queue_name=receive.dead_letter, receipt_handle=None
                    )
                    self._messages[message_id] = (seq, moved)
                    continue
                handle = next(handles, None)
                if handle is None:
                    continue
                m = dataclasses.replace(
                    m,
                    visible_at=c.utc(receive.visible_until),
                    receive_count=m.receive_count + 1,
                    first_received_at=m.first_received_at or now,
                    receipt_handle=handle,
                )
                self._messages[message_id] = (seq, m)
                taken.append(m)
        return taken

    def delete_message(self, queue_name: str, receipt_handle: str) -> bool:
        with self._lock:
            found = self._by_handle(queue_name, receipt_handle)
            if found is None:
                return False
            del self._messages[found.id]
            return True

    def change_message_visibility(
        self, queue_name: str, receipt_handle: str, visible_at: datetime
    ) -> bool:
        with self._lock:
            found = self._by_handle(queue_name, receipt_handle)
            if found is None:
                return False
            seq = self._messages[found.id][0]
            changed = dataclasses.replace(found, visible_at=c.utc(visible_at))
            self._messages[found.id] = (seq, changed)
            return True

    def purge_queue(self, queue_name: str) -> int:
        with self._lock:
            ids = [i for i, (_, m) in self._messages.items() if m.queue_name == queue_name]
            for message_id in ids:
                del self._messages[message_id]
            return len(ids)

    def queue_counts(self, queue_name: str, now: datetime) -> QueueCounts:
        now = c.utc(now)
        visible = in_flight = delayed = 0
        with self._lock:
            for _, m in self._messages.values():
                if m.queue_name != queue_name:
                    continue
                if m.visible_at <= now:
                    visible += 1
                elif m.receive_count > 0:
                    in_flight += 1
                else:
                    delayed += 1
        return QueueCounts(visible, in_flight, delayed)

    def get_message(self, message_id: str) -> MessageRecord | None:
        with self._lock:
            found = self._messages.get(message_id)
            return None if found is None else found[1]

    def _by_handle(self, queue_name: str, handle: str) -> MessageRecord | None:
        for _, m in self._messages.values():
            if m.receipt_handle == handle and m.queue_name == queue_name:
                return m
        return None


def _queue(queue: QueueRecord) -> QueueRecord:
    return dataclasses.replace(
        queue, created_at=c.utc(queue.created_at), modified_at=c.utc(queue.modified_at)
    )


def _message(m: MessageRecord) -> MessageRecord:
    return dataclasses.replace(
        m,
        sent_at=c.utc(m.sent_at),
        visible_at=c.utc(m.visible_at),
        first_received_at=c.utc_or_none(m.first_received_at),
    )
