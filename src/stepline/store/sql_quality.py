"""Quality run results in a SQL backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, ClassVar, Final

from stepline.store.protocol import AlreadyExists
from stepline.store.quality_records import QualityResultRecord
from stepline.store.rows import Times
from stepline.store.sql_resources import Dialect

_COLUMNS: Final = (
    "run_id, dataset, partition_spec, status, score, target, profile, results, created_at"
)


class SqlQuality:
    """A subclass provides the dialect, a transaction and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    def put_quality_result(self, record: QualityResultRecord) -> None:
        d = self._dialect
        row = (
            record.run_id,
            record.dataset,
            record.partition,
            record.status,
            record.score,
            record.target,
            record.profile,
            record.results,
            d.times.out(record.created_at),
        )
        marks = ", ".join("?" * len(row))
        try:
            with self._transaction() as conn:
                conn.execute(
                    d.sql(f"INSERT INTO quality_results ({_COLUMNS}) VALUES ({marks})"), row
                )
        except d.unique_violation:
            raise AlreadyExists(f"a quality run {record.run_id!r} exists") from None

    def get_quality_result(self, run_id: str) -> QualityResultRecord | None:
        d = self._dialect
        sql = d.sql(f"SELECT {_COLUMNS} FROM quality_results WHERE run_id = ?")
        row = self._reader().execute(sql, (run_id,)).fetchone()
        return None if row is None else _record(row, d.times)

    def list_quality_results(
        self, dataset: str, partition: str | None = None, limit: int = 100
    ) -> list[QualityResultRecord]:
        d = self._dialect
        where, args = "dataset = ?", [dataset]
        if partition is not None:
            where += " AND partition_spec = ?"
            args.append(partition)
        sql = (
            f"SELECT {_COLUMNS} FROM quality_results WHERE {where} "
            "ORDER BY created_at DESC, seq DESC LIMIT ?"
        )
        rows = self._reader().execute(d.sql(sql), (*args, max(limit, 0))).fetchall()
        return [_record(row, d.times) for row in rows]


def _record(row: Any, times: Times) -> QualityResultRecord:
    run_id, dataset, partition, status, score, target, profile, results, created = row
    return QualityResultRecord(
        run_id, dataset, partition, status, float(score), target, profile, results,
        times.back(created),
    )  # fmt: skip
