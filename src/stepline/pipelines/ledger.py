"""The partition ledger, read off a pipeline's executions (pure: records in, states out).

A partition's runs are the executions whose input names it (the pipeline's partition path,
e.g. ``$.process_date``); its status is its latest run's — RUNNING, SUCCEEDED, or FAILED
(for FAILED, TIMED_OUT and ABORTED alike) — unless it was quarantined since that run began
and not released: QUARANTINED. Nothing here is stored, so the ledger is right whoever
started the executions (CLI, API, schedule, replay) and whatever crashed when.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, TypeAlias

from stepline.asl.paths import Path, PathNotFound
from stepline.store.ledger_records import LedgerNote
from stepline.store.records import ExecutionRecord

PartitionStatus: TypeAlias = Literal["RUNNING", "SUCCEEDED", "FAILED", "QUARANTINED"]
STATUSES: Final = ("RUNNING", "SUCCEEDED", "FAILED", "QUARANTINED")
REPLAYABLE: Final = frozenset({"FAILED", "QUARANTINED"})


@dataclass(frozen=True, slots=True)
class PartitionState:
    dataset: str
    partition: str
    status: PartitionStatus
    runs: tuple[ExecutionRecord, ...]  # oldest first
    notes: tuple[LedgerNote, ...] = ()  # oldest first
    quality_score: float | None = None
    first_started: datetime | None = field(default=None)
    last_changed: datetime | None = field(default=None)

    @property
    def attempts(self) -> int:
        return len(self.runs)

    @property
    def latest(self) -> ExecutionRecord:
        return self.runs[-1]


def partition_of(path: Path, input_text: str) -> str | None:
    """The partition an execution input names: a string or a number at ``path``; None when
    the input has none (not JSON, the path missing, or another kind of value)."""
    try:
        value = path.get(json.loads(input_text), None)
    except (ValueError, PathNotFound):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value)


def partition_value(partition: str) -> str:
    """``process_date=2025-01-20`` -> ``2025-01-20``, as a pipeline's partition path reads
    it from an execution input; a partition of several keys stays as it is."""
    _, equals, value = partition.partition("=")
    return value if equals and "/" not in partition else partition


def status_of(latest: ExecutionRecord, notes: Iterable[LedgerNote]) -> PartitionStatus:
    held = False
    for note in notes:  # oldest first: the last quarantine or release decides
        if note.at < latest.start_date:
            continue
        if note.kind == "quarantine":
            held = True
        elif note.kind == "release":
            held = False
    if held:
        return "QUARANTINED"
    if latest.status in ("RUNNING", "SUCCEEDED"):
        return latest.status
    return "FAILED"


def ledger(
    dataset: str,
    runs: Mapping[str, Iterable[ExecutionRecord]],
    notes: Iterable[LedgerNote] = (),
    scores: Mapping[str, float] | None = None,
) -> list[PartitionState]:
    """Each partition's state, by partition; ``runs``: partition -> its executions."""
    by_partition: dict[str, list[LedgerNote]] = {}
    for note in sorted(notes, key=lambda n: (n.at, n.id)):
        by_partition.setdefault(note.partition, []).append(note)
    states = []
    for partition in sorted(runs):
        ordered = tuple(sorted(runs[partition], key=lambda r: (r.start_date, r.arn)))
        if not ordered:
            continue
        kept = tuple(by_partition.get(partition, ()))
        latest = ordered[-1]
        changes = [latest.stop_date or latest.start_date, *(n.at for n in kept)]
        states.append(
            PartitionState(
                dataset=dataset,
                partition=partition,
                status=status_of(latest, kept),
                runs=ordered,
                notes=kept,
                quality_score=(scores or {}).get(partition),
                first_started=ordered[0].start_date,
                last_changed=max(changes),
            )
        )
    return states


def in_range(partition: str, first: str | None, last: str | None) -> bool:
    """``first <= partition <= last`` as text (ISO dates compare so)."""
    return (first is None or partition >= first) and (last is None or partition <= last)
