"""Quality run results in memory (a base class of ``MemoryStore``)."""

from __future__ import annotations

import dataclasses
import threading

from stepline.store import _common as c
from stepline.store.protocol import AlreadyExists
from stepline.store.quality_records import QualityResultRecord


class MemoryQuality:
    def __init__(self) -> None:
        self._quality_lock = threading.Lock()
        self._quality: dict[str, tuple[int, QualityResultRecord]] = {}

    def put_quality_result(self, record: QualityResultRecord) -> None:
        record = dataclasses.replace(record, created_at=c.utc(record.created_at))
        with self._quality_lock:
            if record.run_id in self._quality:
                raise AlreadyExists(f"a quality run {record.run_id!r} exists")
            self._quality[record.run_id] = (len(self._quality), record)

    def get_quality_result(self, run_id: str) -> QualityResultRecord | None:
        with self._quality_lock:
            found = self._quality.get(run_id)
        return found[1] if found else None

    def list_quality_results(
        self, dataset: str, partition: str | None = None, limit: int = 100
    ) -> list[QualityResultRecord]:
        with self._quality_lock:
            found = [
                (seq, r)
                for seq, r in self._quality.values()
                if r.dataset == dataset and (partition is None or r.partition == partition)
            ]
        found.sort(key=lambda item: (item[1].created_at, item[0]), reverse=True)
        return [r for _, r in found[: max(limit, 0)]]
