"""Athena named queries: saved queries of a work group (CreateNamedQuery, GetNamedQuery,
ListNamedQueries, DeleteNamedQuery, BatchGetNamedQuery)."""

from __future__ import annotations

import uuid
from typing import Any

from stepline.athena.errors import InvalidRequest
from stepline.athena.workgroups import PRIMARY, WorkGroups
from stepline.runtime.clock import Clock
from stepline.store.lake_records import NamedQueryRecord
from stepline.store.protocol import Store


class NamedQueries:
    def __init__(self, store: Store, clock: Clock, workgroups: WorkGroups) -> None:
        self.store = store
        self.clock = clock
        self.workgroups = workgroups

    def create(
        self,
        name: str,
        database: str,
        query: str,
        workgroup: str | None = None,
        description: str | None = None,
        client_request_token: str | None = None,
    ) -> NamedQueryRecord:
        """A new named query; the same ``client_request_token`` gives the same id (AWS:
        the token makes CreateNamedQuery idempotent)."""
        group = self.workgroups.get(workgroup or PRIMARY)
        query_id = (
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"stepline:named-query:{client_request_token}"))
            if client_request_token
            else str(uuid.uuid4())
        )
        found = self.store.get_named_query(query_id)
        if found is not None:
            return found
        record = NamedQueryRecord(
            query_id, name, database, query, group.name, self.clock.now(), description
        )
        self.store.create_named_query(record)
        return record

    def get(self, query_id: str) -> NamedQueryRecord:
        found = self.store.get_named_query(query_id)
        if found is None:
            raise InvalidRequest(f"NamedQuery {query_id} was not found")
        return found

    def list(
        self, workgroup: str | None, max_results: int = 50, next_token: str | None = None
    ) -> tuple[list[str], str | None]:
        group = self.workgroups.get(workgroup or PRIMARY)
        found = self.store.list_named_queries(group.name, next_token, max_results + 1)
        ids = [q.id for q in found[:max_results]]
        return ids, (ids[-1] if len(found) > max_results and ids else None)

    def delete(self, query_id: str) -> None:
        if not self.store.delete_named_query(query_id):
            raise InvalidRequest(f"NamedQuery {query_id} was not found")


def named_query(record: NamedQueryRecord) -> dict[str, Any]:
    """Athena's ``NamedQuery``."""
    shaped: dict[str, Any] = {
        "Name": record.name,
        "Database": record.database,
        "QueryString": record.query,
        "NamedQueryId": record.id,
        "WorkGroup": record.workgroup,
    }
    if record.description is not None:
        shaped["Description"] = record.description
    return shaped
