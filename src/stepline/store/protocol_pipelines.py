"""The part of the ``Store`` protocol that keeps pipelines, the partition ledger's notes
and quality runs (tests/store/test_contract_ledger.py, test_contract_quality.py)."""

from __future__ import annotations

from typing import Protocol

from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.quality_records import QualityResultRecord


class PipelineStore(Protocol):
    # ---- pipelines and the partition ledger (stepline.pipelines) ------------------------
    def put_pipeline(self, record: PipelineRecord) -> None:
        """Create or replace the pipeline of that name."""
        ...

    def get_pipeline(self, name: str) -> PipelineRecord | None: ...

    def list_pipelines(self, dataset: str | None = None) -> list[PipelineRecord]:
        """By dataset, then name."""
        ...

    def delete_pipeline(self, name: str) -> bool: ...

    def add_ledger_note(self, note: LedgerNote) -> None:
        """Raises AlreadyExists (its id is taken)."""
        ...

    def ledger_notes(self, dataset: str, partition: str | None = None) -> list[LedgerNote]:
        """A dataset's notes (of one partition), by partition, then time."""
        ...

    # ---- quality runs (stepline.quality; tests/store/test_contract_quality.py) -------------
    def put_quality_result(self, record: QualityResultRecord) -> None:
        """Raises AlreadyExists (its run_id is taken)."""
        ...

    def get_quality_result(self, run_id: str) -> QualityResultRecord | None: ...

    def list_quality_results(
        self, dataset: str, partition: str | None = None, limit: int = 100
    ) -> list[QualityResultRecord]:
        """A dataset's runs (of one partition, when given; "" is the whole dataset), newest
        first."""
        ...
