"""Athena's named queries in memory (a base class of ``MemoryStore``)."""

from __future__ import annotations

import dataclasses
import threading

from stepline.store import _common as c
from stepline.store.lake_records import NamedQueryRecord
from stepline.store.protocol import AlreadyExists


class MemoryNamedQueries:
    def __init__(self) -> None:
        self._named_lock = threading.Lock()
        self._named: dict[str, NamedQueryRecord] = {}

    def create_named_query(self, record: NamedQueryRecord) -> None:
        record = dataclasses.replace(record, created_at=c.utc(record.created_at))
        with self._named_lock:
            if record.id in self._named:
                raise AlreadyExists(f"a named query {record.id!r} exists")
            self._named[record.id] = record

    def get_named_query(self, query_id: str) -> NamedQueryRecord | None:
        with self._named_lock:
            return self._named.get(query_id)

    def list_named_queries(
        self, workgroup: str, after_id: str | None = None, limit: int = 50
    ) -> list[NamedQueryRecord]:
        with self._named_lock:
            found = sorted(
                (
                    q
                    for q in self._named.values()
                    if q.workgroup == workgroup and (after_id is None or q.id > after_id)
                ),
                key=lambda q: q.id,
            )
        return found[: max(limit, 0)]

    def delete_named_query(self, query_id: str) -> bool:
        with self._named_lock:
            return self._named.pop(query_id, None) is not None
