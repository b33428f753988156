"""What the store keeps for pipelines: which state machine runs which dataset (and how an
execution's input names its partition), and the notes of the partition ledger (replays,
backfills, quarantines). Plain frozen records.

The ledger itself is not stored: a partition's status, executions and attempts are read off
the pipeline's executions (see :mod:`stepline.pipelines.ledger`), so it can never disagree
with them, whoever started them (CLI, API, a schedule) and whatever crashed when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, TypeAlias

NoteKind: TypeAlias = Literal["replay", "backfill", "quarantine", "release"]
NOTE_KINDS: Final = ("replay", "backfill", "quarantine", "release")


@dataclass(frozen=True, slots=True)
class PipelineRecord:
    """A deployed pipeline: executions of ``state_machine_arn`` process partitions of
    ``dataset``; ``partition_path`` (a JSONPath such as ``$.process_date``) reads an
    execution's partition from its input; ``input_template`` (JSON text, ``${partition}``
    placeholders) is the input of a backfilled partition."""

    name: str
    dataset: str
    state_machine_arn: str
    partition_path: str
    updated_at: datetime
    input_template: str | None = None
    replay_queue: str | None = None
    quality: str | None = None  # the name of its quality rules (a project's [quality.<name>])


@dataclass(frozen=True, slots=True)
class LedgerNote:
    """Something done to a partition besides running it: a replay or backfill execution
    started (``execution_arn``; a replay's ``source_arn`` is the execution it repeats), a
    quarantine or its release."""

    id: str
    dataset: str
    partition: str
    kind: NoteKind
    at: datetime
    execution_arn: str | None = None
    source_arn: str | None = None
    detail: str = ""
