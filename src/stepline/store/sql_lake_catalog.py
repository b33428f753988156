"""The lake's table catalog, Athena query executions and work groups in SQL: one
implementation for the SQLite and the PostgreSQL store (a base class of both; tables of
migration 0008).

A change of a table's partitions holds the table's row for its transaction (PostgreSQL:
``FOR UPDATE``; SQLite: ``BEGIN IMMEDIATE`` holds the write lock already), so "which of these
partitions exist" and the inserts that follow cannot race another writer of that table; a
table created in a database holds the database's row the same way, so a database is never
dropped under a table being created in it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Final

from stepline.store.lake_records import (
    LakeDatabase,
    LakePartition,
    LakeTable,
    QueryExecutionRecord,
    QueryState,
    WorkGroupRecord,
    columns_from_json,
    columns_json,
    partition_key,
    storage_from_json,
    storage_json,
)
from stepline.store.protocol import AlreadyExists, NotFound
from stepline.store.rows import Times
from stepline.store.sql_resources import Dialect

_DATABASE: Final = "name, description, location_uri, parameters, created_at"
_TABLE: Final = (
    "database_name, name, storage, partition_keys, table_type, parameters, description,"
    " owner, created_at, updated_at"
)
_PARTITION: Final = (
    "database_name, table_name, values_key, value_list, storage, parameters, created_at"
)
_QUERY_FIXED: Final = (
    "id, query, submitted_at, workgroup, database_name, catalog, execution_parameters,"
    " client_request_token"
)
_QUERY_CHANGING: Final = (
    "statement_type, state, output_location, substatement_type, state_change_reason,"
    " completed_at, error_category, error_type, error_message, engine_ms, total_ms, queue_ms,"
    " planning_ms, scanned_bytes, result_columns, result_header, result_rows, update_count,"
    " owner"
)
_QUERY: Final = f"{_QUERY_FIXED}, {_QUERY_CHANGING}"
_WORKGROUP: Final = "name, state, description, configuration, tags, created_at"


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def no_database(name: str) -> str:
    return f"no lake database named {name!r}"


def no_table(database: str, name: str) -> str:
    return f"no lake table {database}.{name}"


class SqlLakeCatalog:
    """The lake catalog part of ``Store`` for a SQL backend. A subclass provides the
    dialect, a transaction (a context manager giving a connection) and a connection for
    reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    # ---- databases ------------------------------------------------------------------------
    def create_lake_database(self, database: LakeDatabase) -> None:
        d = self._dialect
        row = _database_row(database, d.times)
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO lake_databases ({_DATABASE}) VALUES ({_marks(5)})"
                conn.execute(d.sql(sql), row)
        except d.unique_violation:
            raise AlreadyExists(f"a lake database named {database.name!r} exists") from None

    def get_lake_database(self, name: str) -> LakeDatabase | None:
        sql = self._dialect.sql(f"SELECT {_DATABASE} FROM lake_databases WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else _database(row, self._dialect.times)

    def list_lake_databases(
        self, after: str | None = None, limit: int = 1000
    ) -> list[LakeDatabase]:
        d = self._dialect
        where, args = ("", ()) if after is None else (" WHERE name > ?", (after,))
        sql = f"SELECT {_DATABASE} FROM lake_databases{where} ORDER BY name LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_database(row, d.times) for row in rows]

    def update_lake_database(self, database: LakeDatabase) -> None:
        d = self._dialect
        sql = "UPDATE lake_databases SET description = ?, location_uri = ?, parameters = ?"
        args = (
            database.description,
            database.location_uri,
            json.dumps(dict(database.parameters), sort_keys=True),
            database.name,
        )
        with self._transaction() as conn:
            if conn.execute(d.sql(sql + " WHERE name = ?"), args).rowcount != 1:
                raise NotFound(no_database(database.name))

    def delete_lake_database(self, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            conn.execute(d.sql("DELETE FROM lake_partitions WHERE database_name = ?"), (name,))
            conn.execute(d.sql("DELETE FROM lake_tables WHERE database_name = ?"), (name,))
            cursor = conn.execute(d.sql("DELETE FROM lake_databases WHERE name = ?"), (name,))
            return bool(cursor.rowcount == 1)

    # ---- tables ---------------------------------------------------------------------------
    def create_lake_table(self, table: LakeTable) -> None:
        d = self._dialect
        try:
            with self._transaction() as conn:
                held = f"SELECT 1 FROM lake_databases WHERE name = ?{d.lock}"
                if conn.execute(d.sql(held), (table.database,)).fetchone() is None:
                    raise NotFound(no_database(table.database))
                sql = f"INSERT INTO lake_tables ({_TABLE}) VALUES ({_marks(10)})"
                conn.execute(d.sql(sql), _table_row(table, d.times))
        except d.unique_violation:
            raise AlreadyExists(f"a lake table {table.database}.{table.name} exists") from None

    def get_lake_table(self, database: str, name: str) -> LakeTable | None:
        d = self._dialect
        sql = f"SELECT {_TABLE} FROM lake_tables WHERE database_name = ? AND name = ?"
        row = self._reader().execute(d.sql(sql), (database, name)).fetchone()
        return None if row is None else _table(row, d.times)

    def list_lake_tables(
        self, database: str, after: str | None = None, limit: int = 1000
    ) -> list[LakeTable]:
        d = self._dialect
        where, args = "database_name = ?", [database]
        if after is not None:
            where, args = where + " AND name > ?", [database, after]
        sql = f"SELECT {_TABLE} FROM lake_tables WHERE {where} ORDER BY name LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_table(row, d.times) for row in rows]

    def update_lake_table(self, table: LakeTable) -> None:
        d = self._dialect
        row = _table_row(table, d.times)
        sql = (
            "UPDATE lake_tables SET storage = ?, partition_keys = ?, table_type = ?,"
            " parameters = ?, description = ?, owner = ?, updated_at = ?"
            " WHERE database_name = ? AND name = ?"
        )
        with self._transaction() as conn:
            if conn.execute(d.sql(sql), (*row[2:8], row[9], *row[:2])).rowcount != 1:
                raise NotFound(no_table(table.database, table.name))

    def delete_lake_table(self, database: str, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            sql = "DELETE FROM lake_partitions WHERE database_name = ? AND table_name = ?"
            conn.execute(d.sql(sql), (database, name))
            sql = "DELETE FROM lake_tables WHERE database_name = ? AND name = ?"
            return bool(conn.execute(d.sql(sql), (database, name)).rowcount == 1)

    # ---- partitions -----------------------------------------------------------------------
    def create_lake_partitions(
        self, database: str, table: str, partitions: Sequence[LakePartition]
    ) -> list[tuple[str, ...]]:
        d = self._dialect
        _check_partitions(database, table, partitions)
        with self._transaction() as conn:
            self._hold_table(conn, database, table)
            sql = (
                "SELECT values_key FROM lake_partitions WHERE database_name = ? AND table_name = ?"
            )
            existing = {row[0] for row in conn.execute(d.sql(sql), (database, table))}
            fresh, skipped, seen = [], [], set()
            for partition in partitions:
                key = partition_key(partition.values)
                if key in existing or key in seen:
                    skipped.append(tuple(partition.values))
                    continue
                seen.add(key)
                fresh.append(_partition_row(partition, d.times))
            if fresh:
                sql = f"INSERT INTO lake_partitions ({_PARTITION}) VALUES ({_marks(7)})"
                conn.cursor().executemany(d.sql(sql), fresh)
        return skipped

    def get_lake_partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> LakePartition | None:
        d = self._dialect
        sql = (
            f"SELECT {_PARTITION} FROM lake_partitions"
            " WHERE database_name = ? AND table_name = ? AND values_key = ?"
        )
        key = partition_key(tuple(values))
        row = self._reader().execute(d.sql(sql), (database, table, key)).fetchone()
        return None if row is None else _partition(row, d.times)

    def list_lake_partitions(
        self,
        database: str,
        table: str,
        after: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> list[LakePartition]:
        d = self._dialect
        where, args = "database_name = ? AND table_name = ?", [database, table]
        if after is not None:
            where += " AND values_key > ?"
            args.append(partition_key(tuple(after)))
        sql = f"SELECT {_PARTITION} FROM lake_partitions WHERE {where} ORDER BY values_key LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_partition(row, d.times) for row in rows]

    def delete_lake_partitions(
        self, database: str, table: str, values: Sequence[Sequence[str]]
    ) -> int:
        d = self._dialect
        sql = (
            "DELETE FROM lake_partitions"
            " WHERE database_name = ? AND table_name = ? AND values_key = ?"
        )
        keys = {partition_key(tuple(v)) for v in values}
        deleted = 0
        with self._transaction() as conn:
            self._hold_table(conn, database, table)
            for key in sorted(keys):
                deleted += conn.execute(d.sql(sql), (database, table, key)).rowcount
        return deleted

    def _hold_table(self, conn: Any, database: str, table: str) -> None:
        d = self._dialect
        sql = f"SELECT 1 FROM lake_tables WHERE database_name = ? AND name = ?{d.lock}"
        if conn.execute(d.sql(sql), (database, table)).fetchone() is None:
            raise NotFound(no_table(database, table))

    # ---- query executions -----------------------------------------------------------------
    def create_query_execution(self, record: QueryExecutionRecord) -> QueryExecutionRecord:
        d = self._dialect
        token = record.client_request_token
        try:
            with self._transaction() as conn:
                if token is not None:
                    found = self._query_by_token(conn, token)
                    if found is not None:
                        return found
                sql = f"INSERT INTO query_executions ({_QUERY}) VALUES ({_marks(27)})"
                conn.execute(d.sql(sql), _query_row(record, d.times))
        except d.unique_violation:
            found = None if token is None else self._query_by_token(self._reader(), token)
            if found is None:
                raise AlreadyExists(f"a query execution {record.id} exists") from None
            return found
        return record

    def get_query_execution(self, query_id: str) -> QueryExecutionRecord | None:
        sql = self._dialect.sql(f"SELECT {_QUERY} FROM query_executions WHERE id = ?")
        row = self._reader().execute(sql, (query_id,)).fetchone()
        return None if row is None else _query(row, self._dialect.times)

    def list_query_executions(
        self, workgroup: str | None = None, limit: int = 50, after_id: str | None = None
    ) -> list[QueryExecutionRecord]:
        d = self._dialect
        clauses: list[str] = []
        args: list[Any] = []
        if workgroup is not None:
            clauses.append("workgroup = ?")
            args.append(workgroup)
        if after_id is not None:  # keyset paging: strictly after that one in this order
            clauses.append(
                "(submitted_at, seq) < (SELECT submitted_at, seq FROM query_executions"
                " WHERE id = ?)"
            )
            args.append(after_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_QUERY} FROM query_executions{where}"
        sql += " ORDER BY submitted_at DESC, seq DESC LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_query(row, d.times) for row in rows]

    def update_query_execution(
        self, record: QueryExecutionRecord, from_states: Sequence[QueryState]
    ) -> bool:
        d = self._dialect
        if not from_states:
            return False
        assignments = ", ".join(f"{name.strip()} = ?" for name in _QUERY_CHANGING.split(","))
        sql = (
            f"UPDATE query_executions SET {assignments}"
            f" WHERE id = ? AND state IN ({_marks(len(from_states))})"
        )
        args = (*_query_row(record, d.times)[8:], record.id, *from_states)
        with self._transaction() as conn:
            return bool(conn.execute(d.sql(sql), args).rowcount == 1)

    def _query_by_token(self, conn: Any, token: str) -> QueryExecutionRecord | None:
        sql = f"SELECT {_QUERY} FROM query_executions WHERE client_request_token = ?"
        row = conn.execute(self._dialect.sql(sql), (token,)).fetchone()
        return None if row is None else _query(row, self._dialect.times)

    # ---- work groups ----------------------------------------------------------------------
    def create_workgroup(self, workgroup: WorkGroupRecord) -> None:
        d = self._dialect
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO workgroups ({_WORKGROUP}) VALUES ({_marks(6)})"
                conn.execute(d.sql(sql), _workgroup_row(workgroup, d.times))
        except d.unique_violation:
            raise AlreadyExists(f"a work group named {workgroup.name!r} exists") from None

    def get_workgroup(self, name: str) -> WorkGroupRecord | None:
        sql = self._dialect.sql(f"SELECT {_WORKGROUP} FROM workgroups WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else _workgroup(row, self._dialect.times)

    def list_workgroups(self) -> list[WorkGroupRecord]:
        rows = self._reader().execute(f"SELECT {_WORKGROUP} FROM workgroups ORDER BY name")
        return [_workgroup(row, self._dialect.times) for row in rows.fetchall()]

    def update_workgroup(self, workgroup: WorkGroupRecord) -> None:
        d = self._dialect
        sql = "UPDATE workgroups SET state = ?, description = ?, configuration = ? WHERE name = ?"
        args = (workgroup.state, workgroup.description, workgroup.configuration, workgroup.name)
        with self._transaction() as conn:
            if conn.execute(d.sql(sql), args).rowcount != 1:
                raise NotFound(f"no work group named {workgroup.name!r}")

    def delete_workgroup(self, name: str) -> bool:
        with self._transaction() as conn:
            sql = self._dialect.sql("DELETE FROM workgroups WHERE name = ?")
            return bool(conn.execute(sql, (name,)).rowcount == 1)


# ---- rows <-> records ---------------------------------------------------------------------


def _params(value: Any) -> dict[str, str]:
    return dict(json.loads(value)) if value else {}


def _database_row(database: LakeDatabase, times: Times) -> tuple[Any, ...]:
    parameters = json.dumps(dict(database.parameters), sort_keys=True)
    created = times.out(database.created_at)
    return (database.name, database.description, database.location_uri, parameters, created)


def _database(row: Any, times: Times) -> LakeDatabase:
    name, description, location, parameters, created = row
    return LakeDatabase(name, times.back(created), description, location, _params(parameters))


def _table_row(table: LakeTable, times: Times) -> tuple[Any, ...]:
    return (
        table.database,
        table.name,
        storage_json(table.storage_descriptor),
        json.dumps(columns_json(table.partition_keys)),
        table.table_type,
        json.dumps(dict(table.parameters), sort_keys=True),
        table.description,
        table.owner,
        times.out(table.created_at),
        times.out(table.updated_at),
    )


def _table(row: Any, times: Times) -> LakeTable:
    database, name, storage, keys, table_type, parameters, description, owner = row[:8]
    return LakeTable(
        database=database,
        name=name,
        storage_descriptor=storage_from_json(storage),
        created_at=times.back(row[8]),
        updated_at=times.back(row[9]),
        partition_keys=columns_from_json(json.loads(keys)),
        table_type=table_type,
        parameters=_params(parameters),
        description=description,
        owner=owner,
    )


def _check_partitions(database: str, table: str, partitions: Sequence[LakePartition]) -> None:
    for partition in partitions:
        if (partition.database, partition.table) != (database, table):
            raise ValueError(
                f"partition {list(partition.values)} is of {partition.database}."
                f"{partition.table}, not of {database}.{table}"
            )


def _partition_row(partition: LakePartition, times: Times) -> tuple[Any, ...]:
    return (
        partition.database,
        partition.table,
        partition_key(partition.values),
        json.dumps(list(partition.values)),
        storage_json(partition.storage_descriptor),
        json.dumps(dict(partition.parameters), sort_keys=True),
        times.out(partition.created_at),
    )


def _partition(row: Any, times: Times) -> LakePartition:
    database, table, _, values, storage, parameters, created = row
    return LakePartition(
        database,
        table,
        tuple(json.loads(values)),
        storage_from_json(storage),
        times.back(created),
        _params(parameters),
    )


def _query_row(q: QueryExecutionRecord, times: Times) -> tuple[Any, ...]:
    return (
        q.id,
        q.query,
        times.out(q.submitted_at),
        q.workgroup,
        q.database,
        q.catalog,
        json.dumps(list(q.execution_parameters)),
        q.client_request_token,
        # the changing part, in _QUERY_CHANGING's order
        q.statement_type,
        q.state,
        q.output_location,
        q.substatement_type,
        q.state_change_reason,
        times.out_or_none(q.completed_at),
        q.error_category,
        q.error_type,
        q.error_message,
        q.engine_ms,
        q.total_ms,
        q.queue_ms,
        q.planning_ms,
        q.scanned_bytes,
        q.result_columns,
        bool(q.result_header),
        q.result_rows,
        q.update_count,
        q.owner,
    )


def _query(row: Any, times: Times) -> QueryExecutionRecord:
    (query_id, query, submitted, workgroup, database, catalog, parameters, token) = row[:8]
    (statement_type, state, output, substatement, reason, completed) = row[8:14]
    (category, error_type, message, engine, total, queue, planning, scanned) = row[14:22]
    (columns, header, result_rows, update_count, owner) = row[22:27]
    return QueryExecutionRecord(
        id=query_id,
        query=query,
        statement_type=statement_type,
        state=state,
        submitted_at=times.back(submitted),
        workgroup=workgroup,
        database=database,
        catalog=catalog,
        output_location=output,
        execution_parameters=tuple(json.loads(parameters)),
        client_request_token=token,
        substatement_type=substatement,
        state_change_reason=reason,
        completed_at=times.back_or_none(completed),
        error_category=category,
        error_type=error_type,
        error_message=message,
        engine_ms=engine,
        total_ms=total,
        queue_ms=queue,
        planning_ms=planning,
        scanned_bytes=scanned,
        result_columns=columns,
        result_header=bool(header),
        result_rows=result_rows,
        update_count=update_count,
        owner=owner,
    )


def _workgroup_row(workgroup: WorkGroupRecord, times: Times) -> tuple[Any, ...]:
    return (
        workgroup.name,
        workgroup.state,
        workgroup.description,
        workgroup.configuration,
        workgroup.tags,
        times.out(workgroup.created_at),
    )


def _workgroup(row: Any, times: Times) -> WorkGroupRecord:
    name, state, description, configuration, tags, created = row
    return WorkGroupRecord(name, times.back(created), state, description, configuration, tags)
