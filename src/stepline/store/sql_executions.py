"""Reading executions and their history in SQL: one implementation for the SQLite and the
PostgreSQL store (a base class of both, beside ``SqlCatalog``). Writes stay with each
backend: their transactions differ (``BEGIN IMMEDIATE`` vs a pipelined round trip)."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from stepline.store import rows as convert
from stepline.store.records import EventRecord, ExecutionRecord, ExecutionStatus
from stepline.store.sql_catalog import Dialect

EXECUTION_COLUMNS: Final = (
    "arn, state_machine_arn, name, status, input, start_date, state, version,"
    " output, error, cause, stop_date, revision_id, version_arn, alias_arn, machine_deleting"
)
EXECUTION_READ_COLUMNS: Final = f"{EXECUTION_COLUMNS}, redrive_count, redrive_date"
EVENT_COLUMNS: Final = 'execution_arn, id, previous_event_id, "timestamp", type, details'


class SqlExecutionReads:
    """``get_execution``, ``list_executions`` and ``history`` of ``Store``; a subclass
    provides the dialect and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _reader(self) -> Any:
        raise NotImplementedError

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        d = self._dialect
        sql = d.sql(f"SELECT {EXECUTION_READ_COLUMNS} FROM executions WHERE arn = ?")
        row = self._reader().execute(sql, (arn,)).fetchone()
        return None if row is None else convert.execution(row, d.times)

    def list_executions(
        self,
        state_machine_arn: str | None = None,
        status: ExecutionStatus | None = None,
        limit: int = 100,
        *,
        version_arn: str | None = None,
        alias_arn: str | None = None,
        redriven: bool | None = None,
        after_arn: str | None = None,
    ) -> list[ExecutionRecord]:
        d = self._dialect
        sql, args = convert.execution_listing(
            EXECUTION_READ_COLUMNS,
            d.mark,
            state_machine_arn,
            status,
            limit,
            version_arn,
            alias_arn,
            redriven,
            after_arn,
        )
        return [convert.execution(row, d.times) for row in self._reader().execute(sql, args)]

    def history(self, execution_arn: str, after: int = 0, limit: int = 1000) -> list[EventRecord]:
        d = self._dialect
        sql = d.sql(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE execution_arn = ? AND id > ?"
            " ORDER BY id LIMIT ?"
        )
        rows = self._reader().execute(sql, (execution_arn, after, max(limit, 0)))
        return [convert.event(row, d.times) for row in rows]
