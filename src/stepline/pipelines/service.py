"""Pipelines and their partitions: register a dataset's state machine, read the ledger,
replay the failed partitions, backfill a date range, drain a replay queue.

    pipelines = Pipelines(service)
    pipelines.register("orders_daily", "orders", "orders_daily:live", "$.process_date",
                       input_template='{"process_date": "${partition}"}')
    pipelines.partitions("orders")                 # the ledger
    pipelines.replay("orders")                     # new executions for FAILED/QUARANTINED ones
    for item in pipelines.backfill_plan("orders", date(2025, 1, 1), date(2025, 1, 7)): ...

Every execution started here is an ordinary execution (any worker runs it); a replay or a
backfill also leaves a ledger note naming it (and, for a replay, the execution it repeats).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

from stepline.arns import machine_ref
from stepline.asl.paths import compile_path
from stepline.pipelines.ledger import (
    REPLAYABLE,
    PartitionState,
    in_range,
    ledger,
    partition_of,
    partition_value,
)
from stepline.queues.service import Queues, ReceiveOptions
from stepline.service import Service
from stepline.store.ledger_records import LedgerNote, NoteKind, PipelineRecord
from stepline.store.protocol import NotFound, StoreError
from stepline.store.records import ExecutionRecord

_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]")
_PLACEHOLDER: Final = "${partition}"
_PAGE: Final = 1000


class PipelineError(ValueError):
    """Bad input to a pipeline operation; the message names what and where."""


@dataclass(frozen=True, slots=True)
class Started:
    partition: str
    execution: ExecutionRecord
    source_arn: str | None = None  # the execution a replay repeats


@dataclass(frozen=True, slots=True)
class BackfillItem:
    partition: str
    action: Literal["run", "skip"]
    reason: str


def base_machine_arn(arn: str) -> str:
    """A state machine ARN without its version or alias qualifier."""
    return machine_ref(arn, lambda name: name).arn


def execution_name(kind: str, partition: str) -> str:
    """``<kind>-<partition>-<8 hex>``: a valid, unique execution name (80 characters)."""
    safe = _UNSAFE.sub("_", partition)[: 80 - len(kind) - 10]
    return f"{kind}-{safe}-{uuid.uuid4().hex[:8]}"


def fill_template(template: str, partition: str) -> str:
    """The input of a backfilled partition: ``${partition}`` replaced in the JSON text's
    strings (so a partition never changes the JSON's structure)."""
    document = json.loads(template)

    def fill(value: object) -> object:
        if isinstance(value, str):
            return value.replace(_PLACEHOLDER, partition)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        return value

    return json.dumps(fill(document))


def default_template(partition_path: str) -> str | None:
    """``{"<key>": "${partition}"}`` for a path ``$.<key>``; None for other paths."""
    match = re.fullmatch(r"\$\.([A-Za-z_][A-Za-z0-9_]*)", partition_path)
    return json.dumps({match[1]: _PLACEHOLDER}) if match else None


def dates(first: date, last: date) -> list[str]:
    if last < first:
        raise PipelineError(f"--to {last} is before --from {first}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


class Pipelines:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store

    # ---- the registry ------------------------------------------------------------------
    def register(
        self,
        name: str,
        dataset: str,
        state_machine: str,
        partition_path: str,
        *,
        input_template: str | None = None,
        replay_queue: str | None = None,
        quality: str | None = None,
    ) -> PipelineRecord:
        """Create or replace a pipeline. ``state_machine``: a name or ARN, with a version or
        alias qualifier if executions should start through it."""
        for what, value in (("pipeline name", name), ("dataset", dataset)):
            if not _NAME.match(value):
                raise PipelineError(
                    f"{what} {value!r} must be 1 to 80 letters, digits, '.', '_' or '-'"
                )
        try:
            compile_path(partition_path)
        except ValueError as exc:
            raise PipelineError(f"partition path {partition_path!r}: {exc}") from None
        try:
            target = self.service.versions.resolve(state_machine)
        except (NotFound, ValueError, StoreError) as exc:
            raise PipelineError(f"state machine {state_machine!r}: {exc}") from None
        if input_template is not None:
            try:
                fill_template(input_template, "x")
            except ValueError as exc:
                raise PipelineError(f"input template is not valid JSON: {exc}") from None
        arn = target.alias_arn or target.version_arn or target.machine.arn
        record = PipelineRecord(
            name, dataset, arn, partition_path, self.service.clock.now(), input_template,
            replay_queue, quality,
        )  # fmt: skip
        self.store.put_pipeline(record)
        return record

    def get(self, name: str) -> PipelineRecord:
        record = self.store.get_pipeline(name)
        if record is None:
            raise PipelineError(f"no pipeline named {name!r}")
        return record

    def of_dataset(self, dataset: str) -> list[PipelineRecord]:
        found = self.store.list_pipelines(dataset)
        if not found:
            raise PipelineError(f"no pipeline processes the dataset {dataset!r}")
        return found

    # ---- the ledger --------------------------------------------------------------------
    def partitions(
        self,
        dataset: str,
        first: str | None = None,
        last: str | None = None,
        scores: dict[str, float] | None = None,
    ) -> list[PartitionState]:
        """The dataset's partitions (between ``first`` and ``last``), by partition."""
        runs: dict[str, list[ExecutionRecord]] = {}
        for pipeline in self.of_dataset(dataset):
            path = compile_path(pipeline.partition_path)
            for record in self._executions(base_machine_arn(pipeline.state_machine_arn)):
                partition = partition_of(path, record.input)
                if partition is not None and in_range(partition, first, last):
                    runs.setdefault(partition, []).append(record)
        if scores is None:
            scores = self.quality_scores(dataset)
        return ledger(dataset, runs, self.store.ledger_notes(dataset), scores)

    def quality_scores(self, dataset: str) -> dict[str, float]:
        """Each partition's latest quality score (runs stored under the dataset's name,
        their ``k=v`` partition read as its value)."""
        scores: dict[str, float] = {}
        for result in self.store.list_quality_results(dataset, limit=100_000):  # newest first
            scores.setdefault(partition_value(result.partition), result.score)
        return scores

    def _executions(self, machine_arn: str) -> Iterable[ExecutionRecord]:
        after: str | None = None
        while True:
            page = self.store.list_executions(machine_arn, limit=_PAGE, after_arn=after)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1].arn

    def note(
        self,
        dataset: str,
        partition: str,
        kind: NoteKind,
        *,
        execution_arn: str | None = None,
        source_arn: str | None = None,
        detail: str = "",
    ) -> LedgerNote:
        note = LedgerNote(
            str(uuid.uuid4()), dataset, partition, kind, self.service.clock.now(),
            execution_arn, source_arn, detail,
        )  # fmt: skip
        self.store.add_ledger_note(note)
        return note

    # ---- replay ------------------------------------------------------------------------
    def replay(
        self,
        dataset: str,
        first: str | None = None,
        last: str | None = None,
        only: Sequence[str] = (),
    ) -> list[Started]:
        """A new execution for each FAILED or QUARANTINED partition (between ``first`` and
        ``last``; of ``only``, when given), with its latest run's input, through the pipeline
        that ran it. Other partitions are not touched."""
        states = {s.partition: s for s in self.partitions(dataset, first, last, scores={})}
        unknown = sorted(set(only) - set(states))
        if unknown:
            raise PipelineError(f"dataset {dataset!r} has no runs of partition(s) {unknown}")
        chosen = [states[p] for p in only] if only else list(states.values())
        pipelines = self.of_dataset(dataset)
        started = []
        for state in chosen:
            if state.status not in REPLAYABLE:
                continue
            latest = state.latest
            pipeline = _pipeline_for(pipelines, latest)
            started.append(
                self.start(pipeline, state.partition, latest.input, "replay", latest.arn)
            )
        return started

    def start(
        self,
        pipeline: PipelineRecord,
        partition: str,
        input_text: str,
        kind: Literal["replay", "backfill"],
        source_arn: str | None = None,
        detail: str = "",
    ) -> Started:
        name = execution_name(kind, partition)
        record = self.service.start_execution(pipeline.state_machine_arn, input_text, name)
        self.note(
            pipeline.dataset, partition, kind,
            execution_arn=record.arn, source_arn=source_arn, detail=detail,
        )  # fmt: skip
        return Started(partition, record, source_arn)

    def drain(self, queues: Queues, queue: str, limit: int = 100) -> list[Drained]:
        """Start an execution per message of a replay queue (up to ``limit``), deleting each
        message once its execution has started."""
        url = queues.queue_url(queue)
        pipelines = self.store.list_pipelines()
        ledgers: dict[str, dict[str, PartitionState]] = {}  # read once per dataset
        drained: list[Drained] = []
        while len(drained) < limit:
            size = min(10, limit - len(drained))
            messages = queues.receive(url, ReceiveOptions(max_messages=size, wait_seconds=0))
            if not messages:
                break
            for message in messages:
                drained.append(
                    self._replay_message(queues, url, queue, pipelines, ledgers, message)
                )
        return drained

    def _replay_message(
        self,
        queues: Queues,
        url: str,
        queue: str,
        pipelines: Sequence[PipelineRecord],
        ledgers: dict[str, dict[str, PartitionState]],
        message: dict[str, Any],
    ) -> Drained:
        message_id = message["MessageId"]
        try:
            pipeline, partition, input_text = read_replay_message(message["Body"], queue, pipelines)
            source = None
            if input_text is None:
                if pipeline.dataset not in ledgers:
                    states = self.partitions(pipeline.dataset, scores={})
                    ledgers[pipeline.dataset] = {s.partition: s for s in states}
                known = ledgers[pipeline.dataset].get(partition)
                if known is not None:
                    input_text, source = known.latest.input, known.latest.arn
                else:
                    input_text = self.backfill_input(pipeline, partition)
        except PipelineError as exc:
            return Drained(message_id, problem=str(exc))
        detail = f"from queue {queue} (message {message_id})"
        started = self.start(pipeline, partition, input_text, "replay", source, detail)
        queues.delete_message(url, message["ReceiptHandle"])
        return Drained(message_id, started)

    # ---- backfill ----------------------------------------------------------------------
    def backfill_pipeline(self, dataset: str, name: str | None = None) -> PipelineRecord:
        pipelines = self.of_dataset(dataset)
        if name is not None:
            chosen = [p for p in pipelines if p.name == name]
            if not chosen:
                raise PipelineError(f"pipeline {name!r} does not process dataset {dataset!r}")
            return chosen[0]
        if len(pipelines) > 1:
            names = ", ".join(p.name for p in pipelines)
            raise PipelineError(f"dataset {dataset!r} has several pipelines ({names}): name one")
        return pipelines[0]

    def backfill_plan(
        self, dataset: str, first: date, last: date, *, force: bool = False
    ) -> list[BackfillItem]:
        """Each date's partition: run it, or skip it (already SUCCEEDED, or RUNNING)."""
        wanted = dates(first, last)
        known = self.partitions(dataset, wanted[0], wanted[-1], scores={})
        states = {s.partition: s for s in known}
        plan = []
        for partition in wanted:
            state = states.get(partition)
            if state is None:
                plan.append(BackfillItem(partition, "run", "never run"))
            elif state.status == "RUNNING":
                plan.append(BackfillItem(partition, "skip", "running now"))
            elif state.status == "SUCCEEDED" and not force:
                plan.append(BackfillItem(partition, "skip", "already SUCCEEDED"))
            else:
                plan.append(BackfillItem(partition, "run", f"was {state.status}"))
        return plan

    def backfill_input(self, pipeline: PipelineRecord, partition: str) -> str:
        template = pipeline.input_template or default_template(pipeline.partition_path)
        if template is None:
            raise PipelineError(
                f"pipeline {pipeline.name!r} has no input template, and its partition path"
                f" {pipeline.partition_path!r} is not of the form $.<key>: give it one"
            )
        return fill_template(template, partition)


@dataclass(frozen=True, slots=True)
class Drained:
    """One message of a replay queue: the execution it started, or why it was left on the
    queue (it then comes back after its visibility timeout, and goes to the queue's
    dead-letter queue after maxReceiveCount receives, as any SQS message)."""

    message_id: str
    started: Started | None = None
    problem: str | None = None


def read_replay_message(
    body: str, queue: str, pipelines: Sequence[PipelineRecord]
) -> tuple[PipelineRecord, str, str | None]:
    """(pipeline, partition, input or None) of a replay-queue message. The body is JSON:
    ``{"dataset", "partition", "input"}`` (each optional) or an execution input itself. The
    pipeline is the dataset's (or the one whose replay queue this is); the partition is
    given, or read from the input by the pipeline's partition path."""
    try:
        document = json.loads(body)
    except ValueError:
        raise PipelineError("the message body is not JSON") from None
    if not isinstance(document, dict):
        raise PipelineError("the message body is not a JSON object")
    dataset = document.get("dataset")
    if dataset is not None:
        chosen = [p for p in pipelines if p.dataset == dataset]
    else:
        chosen = [p for p in pipelines if p.replay_queue == queue]
    if len(chosen) != 1:
        whose = f"dataset {dataset!r}" if dataset else f"replay queue {queue!r}"
        count = "no pipeline" if not chosen else "several pipelines"
        raise PipelineError(f"{count} for the {whose}: name the dataset in the message")
    pipeline = chosen[0]
    given = document.get("input")
    input_text = None if given is None else json.dumps(given)
    partition = document.get("partition")
    if partition is None:
        source = input_text if input_text is not None else body
        partition = partition_of(compile_path(pipeline.partition_path), source)
        if partition is None:
            raise PipelineError(
                f"the message names no partition, and {pipeline.partition_path} finds none in"
                " its input"
            )
        if given is None and "dataset" not in document:
            input_text = body  # the message is the execution input itself
    return pipeline, str(partition), input_text


def _pipeline_for(pipelines: list[PipelineRecord], execution: ExecutionRecord) -> PipelineRecord:
    for pipeline in pipelines:
        if base_machine_arn(pipeline.state_machine_arn) == execution.state_machine_arn:
            return pipeline
    return pipelines[0]
