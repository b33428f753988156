"""Topics, subscriptions, published messages and their deliveries in SQL: one
implementation for the SQLite and the PostgreSQL store (a base class of both; tables of
migration 0011).

A publish is one transaction that holds the topic's row (PostgreSQL: ``FOR UPDATE``;
SQLite: ``BEGIN IMMEDIATE`` holds the write lock), so a message is never stored for a topic
deleted meanwhile. A claim leases due deliveries in one statement (PostgreSQL: ``FOR UPDATE
SKIP LOCKED``, so concurrent notifiers never get the same delivery nor wait on each other).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar, Final

from stepline.store import _common as c
from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    NotificationRecord,
    SubscriptionRecord,
    TopicRecord,
)
from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.sql_resources import Dialect

_TOPIC: Final = "name, arn, created_at, attributes"
_SUBSCRIPTION: Final = "arn, topic_name, protocol, endpoint, created_at, filter_policy"
_N_FIELDS: Final = tuple(f.name for f in dataclasses.fields(NotificationRecord))
_NOTIFICATION: Final = ", ".join(_N_FIELDS)
_D_FIELDS: Final = tuple(f.name for f in dataclasses.fields(DeliveryRecord))
_DELIVERY: Final = ", ".join(_D_FIELDS)
_ATTEMPT: Final = "delivery_id, number, at, outcome, status_code, error"
_FREE: Final = "status = 'PENDING' AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)"


class SqlNotifications:
    """The notifications part of ``Store`` for a SQL backend: a subclass provides the
    dialect, a transaction and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    # ---- topics and subscriptions ---------------------------------------------------------
    def create_topic(self, topic: TopicRecord) -> None:
        d = self._dialect
        row = (topic.name, topic.arn, d.times.out(topic.created_at), topic.attributes)
        try:
            with self._transaction() as conn:
                conn.execute(d.sql(f"INSERT INTO topics ({_TOPIC}) VALUES (?, ?, ?, ?)"), row)
        except d.unique_violation:
            raise AlreadyExists(f"topic {topic.name!r} exists") from None

    def get_topic(self, name: str) -> TopicRecord | None:
        sql = self._dialect.sql(f"SELECT {_TOPIC} FROM topics WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else self._topic(row)

    def list_topics(self) -> list[TopicRecord]:
        rows = self._reader().execute(f"SELECT {_TOPIC} FROM topics ORDER BY name").fetchall()
        return [self._topic(row) for row in rows]

    def delete_topic(self, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            conn.execute(d.sql("DELETE FROM topic_subscriptions WHERE topic_name = ?"), (name,))
            deleted: int = conn.execute(
                d.sql("DELETE FROM topics WHERE name = ?"), (name,)
            ).rowcount
        return deleted == 1

    def create_subscription(self, subscription: SubscriptionRecord) -> None:
        d = self._dialect
        s = subscription
        row = (s.arn, s.topic_name, s.protocol, s.endpoint, d.times.out(s.created_at))
        sql = f"INSERT INTO topic_subscriptions ({_SUBSCRIPTION}) VALUES (?, ?, ?, ?, ?, ?)"
        try:
            with self._transaction() as conn:
                self._hold_topic(conn, s.topic_name)
                conn.execute(d.sql(sql), (*row, s.filter_policy))
        except d.unique_violation:
            raise AlreadyExists(f"subscription {s.arn!r} exists") from None

    def get_subscription(self, arn: str) -> SubscriptionRecord | None:
        sql = self._dialect.sql(f"SELECT {_SUBSCRIPTION} FROM topic_subscriptions WHERE arn = ?")
        row = self._reader().execute(sql, (arn,)).fetchone()
        return None if row is None else self._subscription(row)

    def list_subscriptions(self, topic_name: str | None = None) -> list[SubscriptionRecord]:
        d = self._dialect
        sql = f"SELECT {_SUBSCRIPTION} FROM topic_subscriptions"
        order = " ORDER BY topic_name, created_at, seq"
        if topic_name is None:
            rows = self._reader().execute(sql + order).fetchall()
        else:
            where = d.sql(" WHERE topic_name = ?")
            rows = self._reader().execute(sql + where + order, (topic_name,)).fetchall()
        return [self._subscription(row) for row in rows]

    def delete_subscription(self, arn: str) -> bool:
        sql = self._dialect.sql("DELETE FROM topic_subscriptions WHERE arn = ?")
        with self._transaction() as conn:
            deleted: int = conn.execute(sql, (arn,)).rowcount
        return deleted == 1

    # ---- messages and deliveries ----------------------------------------------------------
    def publish_notification(
        self, message: NotificationRecord, deliveries: Sequence[DeliveryRecord]
    ) -> None:
        d = self._dialect
        message = dataclasses.replace(message, deliveries=len(deliveries))
        values = dataclasses.asdict(message)
        values["published_at"] = d.times.out(message.published_at)
        marks = ", ".join(["?"] * len(_N_FIELDS))
        insert = d.sql(f"INSERT INTO notifications ({_NOTIFICATION}) VALUES ({marks})")
        marks = ", ".join(["?"] * len(_D_FIELDS))
        deliver = d.sql(f"INSERT INTO notification_deliveries ({_DELIVERY}) VALUES ({marks})")
        try:
            with self._transaction() as conn:
                self._hold_topic(conn, message.topic_name)
                conn.execute(insert, tuple(values[name] for name in _N_FIELDS))
                for delivery in deliveries:  # executemany: not in a psycopg transaction
                    conn.execute(deliver, self._delivery_row(delivery))
        except d.unique_violation:
            raise AlreadyExists(f"message {message.id!r} exists") from None

    def get_notification(self, message_id: str) -> NotificationRecord | None:
        sql = self._dialect.sql(f"SELECT {_NOTIFICATION} FROM notifications WHERE id = ?")
        row = self._reader().execute(sql, (message_id,)).fetchone()
        return None if row is None else self._notification(row)

    def list_notifications(
        self, topic_name: str | None = None, limit: int = 100, failed_only: bool = False
    ) -> list[NotificationRecord]:
        where, args = [], []
        if topic_name is not None:
            where.append("topic_name = ?")
            args.append(topic_name)
        if failed_only:
            where.append(
                "id IN (SELECT message_id FROM notification_deliveries WHERE status = 'FAILED')"
            )
        sql = f"SELECT {_NOTIFICATION} FROM notifications"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY published_at DESC, seq DESC LIMIT ?"
        rows = self._reader().execute(self._dialect.sql(sql), (*args, max(limit, 0)))
        return [self._notification(row) for row in rows.fetchall()]

    def list_deliveries(self, message_id: str) -> list[DeliveryRecord]:
        sql = f"SELECT {_DELIVERY} FROM notification_deliveries WHERE message_id = ?"
        sql += " ORDER BY subscription_arn"
        rows = self._reader().execute(self._dialect.sql(sql), (message_id,)).fetchall()
        return [self._delivery(row) for row in rows]

    def claim_deliveries(
        self, worker_id: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[DeliveryRecord]:
        if limit <= 0:
            return []
        d = self._dialect
        t, until = d.times.out(now), d.times.out(c.lease_end(now, lease_seconds))
        skip = f"{d.lock} SKIP LOCKED" if d.lock else ""
        sql = d.sql(
            "UPDATE notification_deliveries SET lease_owner = ?, lease_until = ?"
            " WHERE id IN (SELECT id FROM notification_deliveries"
            f" WHERE {_FREE} ORDER BY due_at, id LIMIT ?{skip})"
            f" RETURNING {_DELIVERY}"
        )
        with self._transaction() as conn:
            rows = conn.execute(sql, (worker_id, until, t, t, limit)).fetchall()
        claimed = [self._delivery(row) for row in rows]
        claimed.sort(key=lambda delivery: (delivery.due_at, delivery.id))
        return claimed

    def end_delivery_attempt(self, end: AttemptEnd) -> bool:
        d = self._dialect
        a = end.attempt
        hold = d.sql(
            "SELECT due_at FROM notification_deliveries"
            f" WHERE id = ? AND status = 'PENDING' AND lease_owner = ?{d.lock}"
        )
        update = d.sql(
            "UPDATE notification_deliveries SET status = ?, attempts = ?, due_at = ?,"
            " lease_owner = NULL, lease_until = NULL, last_error = ? WHERE id = ?"
        )
        insert = d.sql(f"INSERT INTO notification_attempts ({_ATTEMPT}) VALUES (?, ?, ?, ?, ?, ?)")
        with self._transaction() as conn:
            row = conn.execute(hold, (a.delivery_id, end.worker_id)).fetchone()
            if row is None:
                return False
            due = row[0] if end.retry_at is None else d.times.out(end.retry_at)
            attempt = (a.delivery_id, a.number, d.times.out(a.at), a.outcome)
            conn.execute(insert, (*attempt, a.status_code, a.error))
            conn.execute(update, (end.status, a.number, due, a.error, a.delivery_id))
        return True

    def delivery_attempts(self, delivery_id: str) -> list[AttemptRecord]:
        sql = f"SELECT {_ATTEMPT} FROM notification_attempts WHERE delivery_id = ? ORDER BY number"
        rows = self._reader().execute(self._dialect.sql(sql), (delivery_id,)).fetchall()
        t = self._dialect.times
        return [AttemptRecord(r[0], r[1], t.back(r[2]), r[3], r[4], r[5]) for r in rows]

    def next_delivery_due(self) -> datetime | None:
        sql = (
            "SELECT MIN(CASE WHEN lease_until IS NULL OR lease_until < due_at"
            " THEN due_at ELSE lease_until END)"
            " FROM notification_deliveries WHERE status = 'PENDING'"
        )
        row = self._reader().execute(sql).fetchone()
        return None if row is None or row[0] is None else self._dialect.times.back(row[0])

    # ---- rows -----------------------------------------------------------------------------
    def _hold_topic(self, conn: Any, name: str) -> None:
        sql = self._dialect.sql(f"SELECT name FROM topics WHERE name = ?{self._dialect.lock}")
        if conn.execute(sql, (name,)).fetchone() is None:
            raise NotFound(f"no topic {name!r}")

    def _topic(self, row: Sequence[Any]) -> TopicRecord:
        return TopicRecord(row[0], row[1], self._dialect.times.back(row[2]), row[3])

    def _subscription(self, row: Sequence[Any]) -> SubscriptionRecord:
        t = self._dialect.times
        return SubscriptionRecord(row[0], row[1], row[2], row[3], t.back(row[4]), row[5])

    def _notification(self, row: Sequence[Any]) -> NotificationRecord:
        values = dict(zip(_N_FIELDS, row, strict=True))
        values["published_at"] = self._dialect.times.back(values["published_at"])
        return NotificationRecord(**values)

    def _delivery_row(self, delivery: DeliveryRecord) -> tuple[Any, ...]:
        t = self._dialect.times
        values = dataclasses.asdict(delivery)
        values["due_at"] = t.out(delivery.due_at)
        values["lease_until"] = t.out_or_none(delivery.lease_until)
        return tuple(values[name] for name in _D_FIELDS)

    def _delivery(self, row: Sequence[Any]) -> DeliveryRecord:
        t = self._dialect.times
        values = dict(zip(_D_FIELDS, row, strict=True))
        values["due_at"] = t.back(values["due_at"])
        values["lease_until"] = t.back_or_none(values["lease_until"])
        return DeliveryRecord(**values)
