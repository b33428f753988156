"""Queues and their messages in SQL: one implementation for the SQLite and the PostgreSQL
store (a base class of both; tables of migration 0009).

A receive is one transaction: it moves the visible messages received too often to the
dead-letter queue, then claims visible messages in sending order (PostgreSQL: ``FOR UPDATE
SKIP LOCKED``, so concurrent receivers never get the same message nor wait on each other;
SQLite: ``BEGIN IMMEDIATE`` holds the write lock).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar, Final

from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.queue_records import MessageRecord, QueueCounts, QueueRecord, Receive
from stepline.store.sql_resources import Dialect

_QUEUE: Final = "name, url, arn, attributes, created_at, modified_at, tags"
_FIELDS: Final = tuple(f.name for f in dataclasses.fields(MessageRecord))
_MESSAGE: Final = ", ".join(_FIELDS)
_TIMES: Final = ("sent_at", "visible_at", "first_received_at")
_VISIBLE: Final = "queue_name = ? AND visible_at <= ?"


class SqlQueues:
    """The queues part of ``Store`` for a SQL backend: a subclass provides the dialect, a
    transaction and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    # ---- queues ---------------------------------------------------------------------------
    def create_queue(self, queue: QueueRecord) -> None:
        d = self._dialect
        row = (*dataclasses.astuple(queue)[:4], d.times.out(queue.created_at))
        row = (*row, d.times.out(queue.modified_at), queue.tags)
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO queues ({_QUEUE}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                conn.execute(d.sql(sql), row)
        except d.unique_violation:
            raise AlreadyExists(f"queue {queue.name!r} exists") from None

    def get_queue(self, name: str) -> QueueRecord | None:
        sql = self._dialect.sql(f"SELECT {_QUEUE} FROM queues WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else self._queue(row)

    def list_queues(self, prefix: str = "") -> list[QueueRecord]:
        rows = self._reader().execute(f"SELECT {_QUEUE} FROM queues ORDER BY name").fetchall()
        return [self._queue(row) for row in rows if str(row[0]).startswith(prefix)]

    def update_queue(self, queue: QueueRecord) -> None:
        d = self._dialect
        sql = d.sql("UPDATE queues SET attributes = ?, modified_at = ?, tags = ? WHERE name = ?")
        args = (queue.attributes, d.times.out(queue.modified_at), queue.tags, queue.name)
        with self._transaction() as conn:
            if conn.execute(sql, args).rowcount != 1:
                raise NotFound(f"no queue {queue.name!r}")

    def delete_queue(self, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            conn.execute(d.sql("DELETE FROM queue_messages WHERE queue_name = ?"), (name,))
            sql = d.sql("DELETE FROM queues WHERE name = ?")
            deleted: int = conn.execute(sql, (name,)).rowcount
        return deleted == 1

    # ---- messages -------------------------------------------------------------------------
    def send_messages(self, queue_name: str, messages: Sequence[MessageRecord]) -> None:
        d = self._dialect
        marks = ", ".join(["?"] * len(_FIELDS))
        sql = d.sql(f"INSERT INTO queue_messages ({_MESSAGE}) VALUES ({marks})")
        rows = [self._message_row(dataclasses.replace(m, queue_name=queue_name)) for m in messages]
        with self._transaction() as conn:
            self._hold_queue(conn, queue_name)
            for row in rows:  # executemany: not in a psycopg pipeline's transaction
                conn.execute(sql, row)

    def receive_messages(self, receive: Receive) -> list[MessageRecord]:
        d = self._dialect
        now, until = d.times.out(receive.now), d.times.out(receive.visible_until)
        skip = f"{d.lock} SKIP LOCKED" if d.lock else ""
        with self._transaction() as conn:
            if receive.expire_before is not None:
                expired = "DELETE FROM queue_messages WHERE queue_name = ? AND sent_at < ?"
                before = d.times.out(receive.expire_before)
                conn.execute(d.sql(expired), (receive.queue_name, before))
            if receive.dead_letter and receive.max_receive_count > 0:
                moved = (
                    "UPDATE queue_messages SET queue_name = ?, receipt_handle = NULL"
                    " WHERE seq IN (SELECT seq FROM queue_messages"
                    f" WHERE {_VISIBLE} AND receive_count >= ?{skip})"
                )
                args = (receive.dead_letter, receive.queue_name, now, receive.max_receive_count)
                conn.execute(d.sql(moved), args)
            pick = f"SELECT seq FROM queue_messages WHERE {_VISIBLE} ORDER BY seq LIMIT ?{skip}"
            limit = len(receive.handles)
            seqs = [r[0] for r in conn.execute(d.sql(pick), (receive.queue_name, now, limit))]
            claim = d.sql(
                "UPDATE queue_messages SET visible_at = ?, receive_count = receive_count + 1,"
                " first_received_at = COALESCE(first_received_at, ?), receipt_handle = ?"
                f" WHERE seq = ? RETURNING {_MESSAGE}"
            )
            rows = [
                conn.execute(claim, (until, now, handle, seq)).fetchone()
                for seq, handle in zip(seqs, receive.handles, strict=False)
            ]
        return [self._message(row) for row in rows]

    def delete_message(self, queue_name: str, receipt_handle: str) -> bool:
        sql = "DELETE FROM queue_messages WHERE queue_name = ? AND receipt_handle = ?"
        with self._transaction() as conn:
            deleted: int = conn.execute(
                self._dialect.sql(sql), (queue_name, receipt_handle)
            ).rowcount
        return deleted == 1

    def change_message_visibility(
        self, queue_name: str, receipt_handle: str, visible_at: datetime
    ) -> bool:
        d = self._dialect
        sql = "UPDATE queue_messages SET visible_at = ? WHERE queue_name = ? AND receipt_handle = ?"
        with self._transaction() as conn:
            args = (d.times.out(visible_at), queue_name, receipt_handle)
            changed: int = conn.execute(d.sql(sql), args).rowcount
        return changed == 1

    def purge_queue(self, queue_name: str) -> int:
        sql = self._dialect.sql("DELETE FROM queue_messages WHERE queue_name = ?")
        with self._transaction() as conn:
            purged: int = conn.execute(sql, (queue_name,)).rowcount
        return purged

    def queue_counts(self, queue_name: str, now: datetime) -> QueueCounts:
        d = self._dialect
        sql = d.sql(
            "SELECT COALESCE(SUM(CASE WHEN visible_at <= ? THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count > 0 THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN visible_at > ? AND receive_count = 0 THEN 1 ELSE 0 END), 0)"
            " FROM queue_messages WHERE queue_name = ?"
        )
        t = d.times.out(now)
        row = self._reader().execute(sql, (t, t, t, queue_name)).fetchone()
        return QueueCounts(int(row[0]), int(row[1]), int(row[2]))

    def get_message(self, message_id: str) -> MessageRecord | None:
        sql = self._dialect.sql(f"SELECT {_MESSAGE} FROM queue_messages WHERE id = ?")
        row = self._reader().execute(sql, (message_id,)).fetchone()
        return None if row is None else self._message(row)

    # ---- rows -----------------------------------------------------------------------------
    def _hold_queue(self, conn: Any, name: str) -> None:
        sql = self._dialect.sql(f"SELECT name FROM queues WHERE name = ?{self._dialect.lock}")
        if conn.execute(sql, (name,)).fetchone() is None:
            raise NotFound(f"no queue {name!r}")

    def _queue(self, row: Sequence[Any]) -> QueueRecord:
        t = self._dialect.times
        return QueueRecord(row[0], row[1], row[2], row[3], t.back(row[4]), t.back(row[5]), row[6])

    def _message_row(self, message: MessageRecord) -> tuple[Any, ...]:
        t = self._dialect.times
        values = dataclasses.asdict(message)
        for name in _TIMES:
            values[name] = t.out_or_none(values[name])
        return tuple(values[name] for name in _FIELDS)

    def _message(self, row: Sequence[Any]) -> MessageRecord:
        t = self._dialect.times
        values = dict(zip(_FIELDS, row, strict=True))
        for name in _TIMES:
            values[name] = t.back_or_none(values[name])
        return MessageRecord(**values)
