"""What the store has now of the resources a project declares (``read_current``): the input
of ``plan`` beside the project. Reads only; the rest of the package is pure."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from stepline.arns import Account
from stepline.project.appliers import Appliers
from stepline.project.specs import Project
from stepline.store.lake_records import LakeTable
from stepline.store.protocol import Store
from stepline.store.records import Route, StateMachineRecord, VersionRecord

T = TypeVar("T")


@dataclass(frozen=True)
class MachineState:
    record: StateMachineRecord
    tags: Mapping[str, str]
    versions: tuple[VersionRecord, ...]  # newest first
    alias_routes: tuple[Route, ...] | None  # the declared alias's routes (None: no alias)


@dataclass(frozen=True)
class QueueState:
    attributes: Mapping[str, str]
    tags: Mapping[str, str]


@dataclass(frozen=True)
class Current:
    """The deployed state of a project's resources, by name; a name missing: not there.
    ``topics``/``quality``/``profiles``/``pipelines`` are None without their applier."""

    account: Account
    machines: Mapping[str, MachineState] = field(default_factory=dict)
    jobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # Glue Job members
    queues: Mapping[str, QueueState] = field(default_factory=dict)
    databases: frozenset[str] = frozenset()
    tables: Mapping[str, LakeTable] = field(default_factory=dict)  # by "database.name"
    topics: Mapping[str, Any] | None = None
    quality: Mapping[str, Any] | None = None
    profiles: Mapping[str, Any] | None = None
    pipelines: Mapping[str, Any] | None = None


def read_current(store: Store, account: Account, project: Project, appliers: Appliers) -> Current:
    machines: dict[str, MachineState] = {}
    for spec in project.machines:
        record = store.get_state_machine(account.state_machine_arn(spec.name))
        if record is None:
            continue
        alias = store.get_alias(record.arn, spec.alias) if spec.alias else None
        machines[spec.name] = MachineState(
            record,
            {t.key: t.value for t in store.list_tags(record.arn)},
            tuple(store.list_versions(record.arn)),
            alias.routes if alias is not None else None,
        )
    jobs = {
        spec.name: json.loads(job.definition)
        for spec in project.jobs
        if (job := store.get_job(spec.name)) is not None
    }
    queues = {
        spec.name: QueueState(json.loads(queue.attributes), json.loads(queue.tags))
        for spec in project.queues
        if (queue := store.get_queue(spec.name)) is not None
    }
    databases = frozenset(
        t.database for t in project.tables if store.get_lake_database(t.database) is not None
    )
    tables = {
        t.key: table
        for t in project.tables
        if (table := store.get_lake_table(t.database, t.name)) is not None
    }
    topics, quality, pipelines = appliers.topics, appliers.quality, appliers.pipelines
    return Current(
        account=account,
        machines=machines,
        jobs=jobs,
        queues=queues,
        databases=databases,
        tables=tables,
        topics=_read(topics.current_topic, project.topics) if topics else None,
        quality=_read(quality.current_quality, project.quality) if quality else None,
        profiles=_read(quality.current_profile, project.quality_profiles) if quality else None,
        pipelines=_read(pipelines.current_pipeline, project.pipelines) if pipelines else None,
    )


def _read(current: Callable[[str], T | None] | None, specs: tuple[Any, ...]) -> dict[str, T] | None:
    if current is None:
        return None
    return {spec.name: found for spec in specs if (found := current(spec.name)) is not None}
