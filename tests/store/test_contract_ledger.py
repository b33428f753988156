"""The store contract for pipelines and the partition ledger's notes: memory, SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from factories import T0, AnyStore, at

from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.protocol import AlreadyExists

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:orders_daily"


def pipeline(name: str, dataset: str = "orders", **kw: object) -> PipelineRecord:
    return PipelineRecord(name, dataset, MACHINE, "$.process_date", T0, **kw)  # type: ignore[arg-type]


def test_pipelines_are_put_replaced_listed_and_deleted(store: AnyStore) -> None:
    store.put_pipeline(pipeline("b"))
    store.put_pipeline(pipeline("a", "customers", input_template='{"d": "${partition}"}'))
    store.put_pipeline(pipeline("c"))
    assert store.get_pipeline("a") == pipeline(
        "a", "customers", input_template='{"d": "${partition}"}'
    )
    assert store.get_pipeline("zz") is None
    assert [p.name for p in store.list_pipelines()] == ["a", "b", "c"]
    assert [p.name for p in store.list_pipelines("orders")] == ["b", "c"]
    changed = PipelineRecord("b", "orders", "arn:x", "$.day", at(5), None, "replay", "orders_dq")
    store.put_pipeline(changed)
    assert store.get_pipeline("b") == changed
    assert len(store.list_pipelines()) == 3
    assert store.delete_pipeline("b") is True
    assert store.delete_pipeline("b") is False
    assert [p.name for p in store.list_pipelines()] == ["a", "c"]


def test_ledger_notes_are_kept_per_partition_in_time_order(store: AnyStore) -> None:
    notes = [
        LedgerNote("n3", "orders", "2025-01-02", "replay", at(9), "arn:new", "arn:old", "fixed"),
        LedgerNote("n1", "orders", "2025-01-02", "quarantine", at(1), detail="score 0.5"),
        LedgerNote("n2", "orders", "2025-01-01", "backfill", at(2), "arn:b"),
        LedgerNote("n4", "customers", "2025-01-01", "release", at(3)),
    ]
    for note in notes:
        store.add_ledger_note(note)
    with pytest.raises(AlreadyExists):
        store.add_ledger_note(notes[0])
    assert [n.id for n in store.ledger_notes("orders")] == ["n2", "n1", "n3"]
    assert store.ledger_notes("orders", "2025-01-02") == [notes[1], notes[0]]
    assert store.ledger_notes("customers") == [notes[3]]
    assert store.ledger_notes("nothing") == []
