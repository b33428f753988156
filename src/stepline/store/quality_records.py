"""What the store keeps of quality runs (stepline.quality): one record per run, by dataset
and partition; the rule results as JSON text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QualityResultRecord:
    run_id: str  # a UUID
    dataset: str
    partition: str  # "k=v[/k2=v2]", "" for the whole dataset
    status: str  # PASS | FAIL
    score: float  # 0..1
    target: str  # what was read: a table [partition] or a path
    profile: str
    results: str  # JSON: [{"rule", "status", "actual", "message"}]
    created_at: datetime
