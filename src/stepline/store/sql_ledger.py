"""Pipelines and the ledger's notes in a SQL backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, ClassVar, Final

from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.protocol import AlreadyExists
from stepline.store.sql_resources import Dialect

_PIPELINE: Final = (
    "name, dataset, state_machine_arn, partition_path, input_template, replay_queue, quality,"
    " updated_at"
)
_NOTE: Final = "id, dataset, partition_key, kind, at, execution_arn, source_arn, detail"


class SqlLedger:
    """A subclass provides the dialect, a transaction and a connection for reads."""

    _dialect: ClassVar[Dialect]

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _reader(self) -> Any:
        raise NotImplementedError

    def put_pipeline(self, record: PipelineRecord) -> None:
        d = self._dialect
        row = (
            record.name,
            record.dataset,
            record.state_machine_arn,
            record.partition_path,
            record.input_template,
            record.replay_queue,
            record.quality,
            d.times.out(record.updated_at),
        )
        with self._transaction() as conn:
            conn.execute(d.sql("DELETE FROM pipelines WHERE name = ?"), (record.name,))
            sql = f"INSERT INTO pipelines ({_PIPELINE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            conn.execute(d.sql(sql), row)

    def get_pipeline(self, name: str) -> PipelineRecord | None:
        d = self._dialect
        sql = d.sql(f"SELECT {_PIPELINE} FROM pipelines WHERE name = ?")
        row = self._reader().execute(sql, (name,)).fetchone()
        return None if row is None else self._pipeline(row)

    def list_pipelines(self, dataset: str | None = None) -> list[PipelineRecord]:
        d = self._dialect
        where, args = ("", ()) if dataset is None else (" WHERE dataset = ?", (dataset,))
        sql = d.sql(f"SELECT {_PIPELINE} FROM pipelines{where} ORDER BY dataset, name")
        return [self._pipeline(row) for row in self._reader().execute(sql, args).fetchall()]

    def delete_pipeline(self, name: str) -> bool:
        d = self._dialect
        with self._transaction() as conn:
            cursor = conn.execute(d.sql("DELETE FROM pipelines WHERE name = ?"), (name,))
            return bool(cursor.rowcount)

    def _pipeline(self, row: Any) -> PipelineRecord:
        name, dataset, machine, path, template, queue, quality, updated = row
        updated_at = self._dialect.times.back(updated)
        return PipelineRecord(name, dataset, machine, path, updated_at, template, queue, quality)

    def add_ledger_note(self, note: LedgerNote) -> None:
        d = self._dialect
        row = (
            note.id,
            note.dataset,
            note.partition,
            note.kind,
            d.times.out(note.at),
            note.execution_arn,
            note.source_arn,
            note.detail,
        )
        try:
            with self._transaction() as conn:
                sql = f"INSERT INTO ledger_notes ({_NOTE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                conn.execute(d.sql(sql), row)
        except d.unique_violation:
            raise AlreadyExists(f"a ledger note {note.id!r} exists") from None

    def ledger_notes(self, dataset: str, partition: str | None = None) -> list[LedgerNote]:
        d = self._dialect
        where, args = "dataset = ?", [dataset]
        if partition is not None:
            where += " AND partition_key = ?"
            args.append(partition)
        sql = d.sql(
            f"SELECT {_NOTE} FROM ledger_notes WHERE {where} ORDER BY partition_key, at, id"
        )
        rows = self._reader().execute(sql, tuple(args)).fetchall()
        return [
            LedgerNote(
                id=row[0],
                dataset=row[1],
                partition=row[2],
                kind=row[3],
                at=d.times.back(row[4]),
                execution_arn=row[5],
                source_arn=row[6],
                detail=row[7],
            )
            for row in rows
        ]
