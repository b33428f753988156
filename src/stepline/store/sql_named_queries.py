"""Athena's named queries in a SQL backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, ClassVar, Final

from stepline.store.lake_records import NamedQueryRecord
from stepline.store.protocol import AlreadyExists
from stepline.store.rows import Times
from stepline.store.sql_resources import Dialect

_COLUMNS: Final = "id, name, database_name, query, workgroup, description, created_at"


class SqlNamedQueries:
    """A subclass provides the dialect, a transaction and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    def create_named_query(self, record: NamedQueryRecord) -> None:
        d = self._dialect
        row = (
            record.id,
            record.name,
            record.database,
            record.query,
            record.workgroup,
            record.description,
            d.times.out(record.created_at),
        )
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO named_queries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                conn.execute(d.sql(sql), row)
        except d.unique_violation:
            raise AlreadyExists(f"a named query {record.id!r} exists") from None

    def get_named_query(self, query_id: str) -> NamedQueryRecord | None:
        d = self._dialect
        sql = d.sql(f"SELECT {_COLUMNS} FROM named_queries WHERE id = ?")
        row = self._reader().execute(sql, (query_id,)).fetchone()
        return None if row is None else _record(row, d.times)

    def list_named_queries(
        self, workgroup: str, after_id: str | None = None, limit: int = 50
    ) -> list[NamedQueryRecord]:
        d = self._dialect
        where, args = "workgroup = ?", [workgroup]
        if after_id is not None:
            where += " AND id > ?"
            args.append(after_id)
        sql = f"SELECT {_COLUMNS} FROM named_queries WHERE {where} ORDER BY id LIMIT ?"
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_record(row, d.times) for row in rows]

    def delete_named_query(self, query_id: str) -> bool:
        with self._transaction() as conn:
            sql = self._dialect.sql("DELETE FROM named_queries WHERE id = ?")
            return bool(conn.execute(sql, (query_id,)).rowcount == 1)


def _record(row: Any, times: Times) -> NamedQueryRecord:
    query_id, name, database, query, workgroup, description, created = row
    return NamedQueryRecord(
        query_id, name, database, query, workgroup, times.back(created), description
    )
