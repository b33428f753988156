"""Pipelines and the ledger's notes in memory (a base class of ``MemoryStore``)."""

from __future__ import annotations

import dataclasses
import threading

from stepline.store import _common as c
from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.protocol import AlreadyExists


class MemoryLedger:
    def __init__(self) -> None:
        self._ledger_lock = threading.Lock()
        self._pipelines: dict[str, PipelineRecord] = {}
        self._notes: dict[str, LedgerNote] = {}

    def put_pipeline(self, record: PipelineRecord) -> None:
        record = dataclasses.replace(record, updated_at=c.utc(record.updated_at))
        with self._ledger_lock:
            self._pipelines[record.name] = record

    def get_pipeline(self, name: str) -> PipelineRecord | None:
        with self._ledger_lock:
            return self._pipelines.get(name)

    def list_pipelines(self, dataset: str | None = None) -> list[PipelineRecord]:
        with self._ledger_lock:
            found = [p for p in self._pipelines.values() if dataset in (None, p.dataset)]
        return sorted(found, key=lambda p: (p.dataset, p.name))

    def delete_pipeline(self, name: str) -> bool:
        with self._ledger_lock:
            return self._pipelines.pop(name, None) is not None

    def add_ledger_note(self, note: LedgerNote) -> None:
        note = dataclasses.replace(note, at=c.utc(note.at))
        with self._ledger_lock:
            if note.id in self._notes:
                raise AlreadyExists(f"a ledger note {note.id!r} exists")
            self._notes[note.id] = note

    def ledger_notes(self, dataset: str, partition: str | None = None) -> list[LedgerNote]:
        with self._ledger_lock:
            found = [
                n
                for n in self._notes.values()
                if n.dataset == dataset and partition in (None, n.partition)
            ]
        return sorted(found, key=lambda n: (n.partition, n.at, n.id))
