"""The lake's table catalog, Athena query executions and work groups in memory (a base
class of ``MemoryStore``): the contract's semantics (tests/store/test_contract_lake_catalog.py)
in plain dictionaries, behind their own lock."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Sequence

from stepline.store import _common as c
from stepline.store.lake_records import (
    LakeDatabase,
    LakePartition,
    LakeTable,
    QueryExecutionRecord,
    QueryState,
    WorkGroupRecord,
    partition_key,
)
from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.sql_lake_catalog import no_database, no_table


class MemoryLakeCatalog:
    def __init__(self) -> None:
        self._lake_lock = threading.RLock()
        self._lake_databases: dict[str, LakeDatabase] = {}
        self._lake_tables: dict[tuple[str, str], LakeTable] = {}
        # (database, table) -> values key -> partition
        self._lake_partitions: dict[tuple[str, str], dict[str, LakePartition]] = {}
        self._queries: dict[str, QueryExecutionRecord] = {}
        self._query_seq: dict[str, int] = {}
        self._query_tokens: dict[str, str] = {}  # client request token -> id
        self._query_seqs = itertools.count(1)
        self._workgroups: dict[str, WorkGroupRecord] = {}

    # ---- databases ------------------------------------------------------------------------
    def create_lake_database(self, database: LakeDatabase) -> None:
        database = dataclasses.replace(
            database,
            created_at=c.utc(database.created_at),
            parameters=dict(database.parameters),
        )
        with self._lake_lock:
            if database.name in self._lake_databases:
                raise AlreadyExists(f"a lake database named {database.name!r} exists")
            self._lake_databases[database.name] = database

    def get_lake_database(self, name: str) -> LakeDatabase | None:
        with self._lake_lock:
            return self._lake_databases.get(name)

    def list_lake_databases(
        self, after: str | None = None, limit: int = 1000
    ) -> list[LakeDatabase]:
        with self._lake_lock:
            names = sorted(n for n in self._lake_databases if after is None or n > after)
            return [self._lake_databases[n] for n in names[: max(limit, 0)]]

    def update_lake_database(self, database: LakeDatabase) -> None:
        with self._lake_lock:
            current = self._lake_databases.get(database.name)
            if current is None:
                raise NotFound(no_database(database.name))
            self._lake_databases[database.name] = dataclasses.replace(
                current,
                description=database.description,
                location_uri=database.location_uri,
                parameters=dict(database.parameters),
            )

    def delete_lake_database(self, name: str) -> bool:
        with self._lake_lock:
            for key in [key for key in self._lake_tables if key[0] == name]:
                del self._lake_tables[key]
                self._lake_partitions.pop(key, None)
            return self._lake_databases.pop(name, None) is not None

    # ---- tables ---------------------------------------------------------------------------
    def create_lake_table(self, table: LakeTable) -> None:
        table = _table(table)
        key = (table.database, table.name)
        with self._lake_lock:
            if table.database not in self._lake_databases:
                raise NotFound(no_database(table.database))
            if key in self._lake_tables:
                raise AlreadyExists(f"a lake table {table.database}.{table.name} exists")
            self._lake_tables[key] = table

    def get_lake_table(self, database: str, name: str) -> LakeTable | None:
        with self._lake_lock:
            return self._lake_tables.get((database, name))

    def list_lake_tables(
        self, database: str, after: str | None = None, limit: int = 1000
    ) -> list[LakeTable]:
        with self._lake_lock:
            names = sorted(
                name
                for (db, name) in self._lake_tables
                if db == database and (after is None or name > after)
            )
            return [self._lake_tables[(database, n)] for n in names[: max(limit, 0)]]

    def update_lake_table(self, table: LakeTable) -> None:
        table = _table(table)
        key = (table.database, table.name)
        with self._lake_lock:
            current = self._lake_tables.get(key)
            if current is None:
                raise NotFound(no_table(table.database, table.name))
            self._lake_tables[key] = dataclasses.replace(table, created_at=current.created_at)

    def delete_lake_table(self, database: str, name: str) -> bool:
        with self._lake_lock:
            self._lake_partitions.pop((database, name), None)
            return self._lake_tables.pop((database, name), None) is not None

    # ---- partitions -----------------------------------------------------------------------
    def create_lake_partitions(
        self, database: str, table: str, partitions: Sequence[LakePartition]
    ) -> list[tuple[str, ...]]:
        for partition in partitions:
            if (partition.database, partition.table) != (database, table):
                raise ValueError(
                    f"partition {list(partition.values)} is of {partition.database}."
                    f"{partition.table}, not of {database}.{table}"
                )
        fresh = [
            dataclasses.replace(
                p,
                values=tuple(p.values),
                created_at=c.utc(p.created_at),
                parameters=dict(p.parameters),
            )
            for p in partitions
        ]
        skipped: list[tuple[str, ...]] = []
        with self._lake_lock:
            if (database, table) not in self._lake_tables:
                raise NotFound(no_table(database, table))
            stored = self._lake_partitions.setdefault((database, table), {})
            for partition in fresh:
                key = partition_key(partition.values)
                if key in stored:
                    skipped.append(partition.values)
                else:
                    stored[key] = partition
        return skipped

    def get_lake_partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> LakePartition | None:
        with self._lake_lock:
            stored = self._lake_partitions.get((database, table), {})
            return stored.get(partition_key(tuple(values)))

    def list_lake_partitions(
        self,
        database: str,
        table: str,
        after: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> list[LakePartition]:
        mark = None if after is None else partition_key(tuple(after))
        with self._lake_lock:
            stored = self._lake_partitions.get((database, table), {})
            keys = sorted(k for k in stored if mark is None or k > mark)
            return [stored[k] for k in keys[: max(limit, 0)]]

    def delete_lake_partitions(
        self, database: str, table: str, values: Sequence[Sequence[str]]
    ) -> int:
        with self._lake_lock:
            if (database, table) not in self._lake_tables:
                raise NotFound(no_table(database, table))
            stored = self._lake_partitions.get((database, table), {})
            keys = {partition_key(tuple(v)) for v in values}
            return sum(stored.pop(key, None) is not None for key in keys)

    # ---- query executions -----------------------------------------------------------------
    def create_query_execution(self, record: QueryExecutionRecord) -> QueryExecutionRecord:
        record = _query(record)
        token = record.client_request_token
        with self._lake_lock:
            if token is not None and token in self._query_tokens:
                return self._queries[self._query_tokens[token]]
            if record.id in self._queries:
                raise AlreadyExists(f"a query execution {record.id} exists")
            self._queries[record.id] = record
            self._query_seq[record.id] = next(self._query_seqs)
            if token is not None:
                self._query_tokens[token] = record.id
        return record

    def get_query_execution(self, query_id: str) -> QueryExecutionRecord | None:
        with self._lake_lock:
            return self._queries.get(query_id)

    def list_query_executions(
        self, workgroup: str | None = None, limit: int = 50, after_id: str | None = None
    ) -> list[QueryExecutionRecord]:
        with self._lake_lock:
            seq = self._query_seq
            found = [
                q for q in self._queries.values() if workgroup is None or q.workgroup == workgroup
            ]
            if after_id is not None:
                mark = self._queries.get(after_id)
                cursor = None if mark is None else (mark.submitted_at, seq[mark.id])
                found = [q for q in found if cursor and (q.submitted_at, seq[q.id]) < cursor]
            found.sort(key=lambda q: (q.submitted_at, seq[q.id]), reverse=True)
        return found[: max(limit, 0)]

    def update_query_execution(
        self, record: QueryExecutionRecord, from_states: Sequence[QueryState]
    ) -> bool:
        record = _query(record)
        with self._lake_lock:
            current = self._queries.get(record.id)
            if current is None or current.state not in from_states:
                return False
            self._queries[record.id] = dataclasses.replace(
                record,
                query=current.query,
                submitted_at=current.submitted_at,
                workgroup=current.workgroup,
                database=current.database,
                catalog=current.catalog,
                execution_parameters=current.execution_parameters,
                client_request_token=current.client_request_token,
            )
            return True

    # ---- work groups ----------------------------------------------------------------------
    def create_workgroup(self, workgroup: WorkGroupRecord) -> None:
        workgroup = dataclasses.replace(workgroup, created_at=c.utc(workgroup.created_at))
        with self._lake_lock:
            if workgroup.name in self._workgroups:
                raise AlreadyExists(f"a work group named {workgroup.name!r} exists")
            self._workgroups[workgroup.name] = workgroup

    def get_workgroup(self, name: str) -> WorkGroupRecord | None:
        with self._lake_lock:
            return self._workgroups.get(name)

    def list_workgroups(self) -> list[WorkGroupRecord]:
        with self._lake_lock:
            return [self._workgroups[name] for name in sorted(self._workgroups)]

    def update_workgroup(self, workgroup: WorkGroupRecord) -> None:
        with self._lake_lock:
            current = self._workgroups.get(workgroup.name)
            if current is None:
                raise NotFound(f"no work group named {workgroup.name!r}")
            self._workgroups[workgroup.name] = dataclasses.replace(
                current,
                state=workgroup.state,
                description=workgroup.description,
                configuration=workgroup.configuration,
            )

    def delete_workgroup(self, name: str) -> bool:
        with self._lake_lock:
            return self._workgroups.pop(name, None) is not None


def _table(table: LakeTable) -> LakeTable:
    return dataclasses.replace(
        table,
        created_at=c.utc(table.created_at),
        updated_at=c.utc(table.updated_at),
        partition_keys=tuple(table.partition_keys),
        parameters=dict(table.parameters),
    )


def _query(record: QueryExecutionRecord) -> QueryExecutionRecord:
    return dataclasses.replace(
        record,
        submitted_at=c.utc(record.submitted_at),
        completed_at=c.utc_or_none(record.completed_at),
        execution_parameters=tuple(record.execution_parameters),
    )
