"""The store contract for quality run results: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from factories import AnyStore, at

from stepline.store.protocol import AlreadyExists
from stepline.store.quality_records import QualityResultRecord


def result(
    n: int, dataset: str = "orders", partition: str = "", seconds: float = 0
) -> QualityResultRecord:
    return QualityResultRecord(
        run_id=f"00000000-0000-0000-0000-{n:012d}",
        dataset=dataset,
        partition=partition,
        status="PASS" if n % 2 else "FAIL",
        score=n / 10,
        target=f"lake.{dataset} [{partition}]",
        profile="default",
        results='[{"rule": "RowCount > 0", "status": "PASS", "actual": 3.0, "message": ""}]',
        created_at=at(seconds),
    )


def test_results_are_kept_by_dataset_and_partition_newest_first(store: AnyStore) -> None:
    store.put_quality_result(result(1, partition="d=1", seconds=0))
    store.put_quality_result(result(2, partition="d=2", seconds=10))
    store.put_quality_result(result(3, partition="d=1", seconds=20))
    store.put_quality_result(result(4, dataset="other", seconds=30))
    store.put_quality_result(result(5, partition="d=1", seconds=20))  # same time: later first
    runs = store.list_quality_results("orders")
    assert [r.run_id[-1] for r in runs] == ["5", "3", "2", "1"]
    assert [r.run_id[-1] for r in store.list_quality_results("orders", "d=1")] == ["5", "3", "1"]
    assert [r.run_id[-1] for r in store.list_quality_results("orders", "d=1", limit=1)] == ["5"]
    assert store.list_quality_results("orders", "") == []
    assert [r.partition for r in store.list_quality_results("other", "")] == [""]
    assert store.list_quality_results("nothing") == []


def test_a_result_reads_back_as_written(store: AnyStore) -> None:
    written = result(7, partition="d=2026-01-01", seconds=1.5)
    store.put_quality_result(written)
    assert store.get_quality_result(written.run_id) == written
    assert store.get_quality_result("missing") is None
    with pytest.raises(AlreadyExists):
        store.put_quality_result(written)
