"""Map Runs' history events in SQL, for the SQLite and the PostgreSQL store (a base class of
both, beside ``SqlExecutionReads``): found by the Map Run's ARN in the events' details,
through the expression index of migration 0006 (``events_map_run``)."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from stepline.store import rows as convert
from stepline.store.records import EventRecord
from stepline.store.sql_catalog import Dialect
from stepline.store.sql_executions import EVENT_COLUMNS

_NAMING: Final = "('MapRunStarted', 'MapRunRedriven')"  # the index's WHERE, word for word


class SqlMapRunReads:
    """``map_run_events`` and ``list_map_run_starts`` of ``Store``. A subclass provides the
    dialect, a connection for reads, and ``_map_run_arn_sql``: its expression for the
    ``mapRunArn`` of an event's details (the one its index is on)."""

    _dialect: ClassVar[Dialect]
    _map_run_arn_sql: ClassVar[str]

    def _reader(self) -> Any:
        raise NotImplementedError

    def map_run_events(self, map_run_arn: str) -> list[EventRecord]:
        d = self._dialect
        sql = d.sql(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE type IN {_NAMING}"
            f" AND {self._map_run_arn_sql} = ? ORDER BY execution_arn, id"
        )
        return [convert.event(row, d.times) for row in self._reader().execute(sql, (map_run_arn,))]

    def list_map_run_starts(
        self, execution_arn: str, limit: int = 100, before_id: int | None = None
    ) -> list[EventRecord]:
        d = self._dialect
        where = "execution_arn = ? AND type = 'MapRunStarted'"
        args: list[Any] = [execution_arn]
        if before_id is not None:
            where += " AND id < ?"
            args.append(before_id)
        sql = d.sql(f"SELECT {EVENT_COLUMNS} FROM events WHERE {where} ORDER BY id DESC LIMIT ?")
        rows = self._reader().execute(sql, (*args, max(limit, 0)))
        return [convert.event(row, d.times) for row in rows]
