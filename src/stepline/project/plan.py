"""Desired (a ``Project``) against deployed (a ``Current``): one ``Change`` per resource,
create / update / unchanged / conflict / not applied / local, with short reasons. Pure.

# AWS: UpdateStateMachine cannot change a machine's type (STANDARD/EXPRESS): a conflict.
# AWS: SetQueueAttributes cannot change FifoQueue: a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from stepline.athena.formats import classification, storage_descriptor
from stepline.jobs.definition import normalized
from stepline.project.specs import MachineSpec, Project, QueueSpec, TableSpec
from stepline.project.state import Current, MachineState
from stepline.queues import attributes as queue_attributes
from stepline.store.lake_records import LakeColumn, LakeTable, StorageDescriptor
from stepline.store.records import Route

Action = Literal["create", "update", "unchanged", "conflict", "not applied", "local"]


@dataclass(frozen=True)
class MachineDiff:
    """What deploying one state machine does, step by step."""

    create: bool = False
    definition: bool = False  # the definition or the role changed: a new revision
    logging: bool = False
    tags_add: Mapping[str, str] = field(default_factory=dict)
    tags_remove: tuple[str, ...] = ()
    publish: bool = False  # publish the (new) current revision as a version
    alias: Literal["create", "update"] | None = None
    alias_version: int | None = None  # an existing version the alias moves to (None: new)


@dataclass(frozen=True)
class Change:
    kind: str  # "state machine", "job", "queue", "table", "topic", ...
    name: str
    action: Action
    reasons: tuple[str, ...] = ()
    spec: Any = field(default=None, compare=False, repr=False)
    diff: MachineDiff | None = None

    def line(self) -> str:
        mark = {"create": "+", "update": "~", "conflict": "!", "unchanged": "=", "local": " "}
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        return f"{mark.get(self.action, '-')} {self.kind} {self.name}: {self.action}{why}"


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    @property
    def conflicts(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action == "conflict")

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action in ("create", "update"))

    def summary(self) -> str:
        counts = {a: sum(c.action == a for c in self.changes) for a in _ORDER}
        return ", ".join(f"{n} {a}" for a, n in counts.items() if n) or "nothing declared"


_ORDER: tuple[Action, ...] = ("create", "update", "unchanged", "conflict", "not applied", "local")


def plan(project: Project, current: Current) -> Plan:
    changes: list[Change] = []
    changes += [
        Change("function", f.name, "local", (f"{f.target}, loaded with --project",), f)
        for f in project.functions
    ]
    changes += [_queue(q, current) for q in project.queues]
    changes += [_job(j.name, j.members, current.jobs.get(j.name), j) for j in project.jobs]
    changes += [_table(t, current) for t in project.tables]
    changes += [_machine(m, current.machines.get(m.name)) for m in project.machines]
    changes += _applied("topic", project.topics, current.topics, "topics")
    # Quality rules stay files of the project: the quality tasks read them when they run.
    changes += [
        Change("quality", q.name, "local", (f"{q.source}, read by quality tasks",), q)
        for q in project.quality
    ]
    changes += [
        Change("quality profile", p.name, "local", (f"min_score {p.min_score:g}",), p)
        for p in project.quality_profiles
    ]
    changes += _applied("pipeline", project.pipelines, current.pipelines, "pipelines")
    return Plan(tuple(changes))


# ---- state machines -----------------------------------------------------------------------
def _machine(spec: MachineSpec, state: MachineState | None) -> Change:
    if state is None:
        new = ("new", f"type {spec.type}")
        if not spec.alias:
            return Change("state machine", spec.name, "create", new, spec, MachineDiff(True))
        diff = MachineDiff(create=True, publish=True, alias="create")
        aliased = (*new, f"version 1, alias {spec.alias} -> version 1")
        return Change("state machine", spec.name, "create", aliased, spec, diff)
    record = state.record
    if record.type != spec.type:
        return Change(
            "state machine",
            spec.name,
            "conflict",
            (
                f"type {record.type} -> {spec.type}: a machine's type cannot change; delete it"
                " first",
            ),
            spec,
        )
    reasons: list[str] = []
    definition = json.loads(spec.definition) != json.loads(record.definition)
    if definition:
        reasons.append("definition changed")
    if spec.role_arn is not None and spec.role_arn != record.role_arn:
        reasons.append("role changed")
        definition = True
    logging = spec.logging is not None and _logging(spec.logging) != _logging(record.logging)
    if logging:
        reasons.append("logging changed")
    add = {k: v for k, v in spec.tags.items() if state.tags.get(k) != v}
    remove = tuple(sorted(k for k in state.tags if k not in spec.tags))
    if add or remove:
        reasons.append("tags changed")
    publish, alias, alias_version = False, None, None
    if spec.alias is not None:
        publish, alias, alias_version = _alias(spec.alias, state, definition, reasons)
    diff = MachineDiff(False, definition, logging, add, remove, publish, alias, alias_version)
    action: Action = "update" if reasons else "unchanged"
    return Change("state machine", spec.name, action, tuple(reasons), spec, diff)


def _alias(
    name: str, state: MachineState, new_revision: bool, reasons: list[str]
) -> tuple[bool, Literal["create", "update"] | None, int | None]:
    """(publish a version?, what to do with the alias, the existing version it points to)."""
    revision = state.record.revision_id
    version = (
        None
        if new_revision
        else next((v.number for v in state.versions if v.revision_id == revision), None)
    )
    if version is None:
        reasons.append("publish a new version")
    wanted = None if version is None else (Route(version, 100),)
    if wanted is not None and state.alias_routes == wanted:
        return False, None, None
    target = "the new version" if version is None else f"version {version}"
    if state.alias_routes is None:
        reasons.append(f"alias {name} (new) -> {target}")
        return version is None, "create", version
    was = ", ".join(
        f"version {r.version}" + (f" {r.weight}%" if r.weight != 100 else "")
        for r in state.alias_routes
    )
    reasons.append(f"alias {name} {was} -> {target}")
    return version is None, "update", version


def _logging(text: str | None) -> Any:
    # AWS: a machine created without a logging configuration has level OFF.
    return json.loads(text) if text else {"level": "OFF", "includeExecutionData": False}


# ---- jobs, queues, tables -----------------------------------------------------------------
def _job(
    name: str, members: Mapping[str, Any], kept: Mapping[str, Any] | None, spec: Any
) -> Change:
    if kept is None:
        return Change("job", name, "create", ("new",), spec)
    wanted = normalized(members, "CreateJob")
    changed = sorted(k for k in {*wanted, *kept} if wanted.get(k) != kept.get(k))
    if not changed:
        return Change("job", name, "unchanged", (), spec)
    return Change("job", name, "update", (f"{', '.join(changed)} changed",), spec)


def queue_attributes_wanted(spec: QueueSpec, current: Current) -> dict[str, str]:
    """Every settable attribute the queue should have (defaults included)."""
    wanted = {**queue_attributes.DEFAULTS, **spec.attributes, "RedrivePolicy": ""}
    if spec.dead_letter is not None:
        arn = f"arn:aws:sqs:{current.account.region}:{current.account.account}:{spec.dead_letter}"
        wanted["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": spec.max_receive_count}
        )
    return wanted


def _queue(spec: QueueSpec, current: Current) -> Change:
    state = current.queues.get(spec.name)
    if state is None:
        return Change("queue", spec.name, "create", ("new",), spec)
    wanted = queue_attributes_wanted(spec, current)
    kept = {**queue_attributes.DEFAULTS, "RedrivePolicy": "", **state.attributes}
    if kept.get("FifoQueue", "false") != wanted.get("FifoQueue", "false"):
        return Change(
            "queue",
            spec.name,
            "conflict",
            ("FifoQueue cannot change; delete the queue first",),
            spec,
        )
    changed = sorted(
        k for k, v in wanted.items() if _same_attribute(k, kept.get(k)) != _same_attribute(k, v)
    )
    reasons = [f"{name} changed" for name in changed]
    if dict(state.tags) != dict(spec.tags):
        reasons.append("tags changed")
    return Change("queue", spec.name, "update" if reasons else "unchanged", tuple(reasons), spec)


def _same_attribute(name: str, value: str | None) -> Any:
    if name == "RedrivePolicy" and value:
        return json.loads(value)
    return value or ""


def table_shape(
    spec: TableSpec,
) -> tuple[StorageDescriptor, tuple[LakeColumn, ...], dict[str, str]]:
    """The StorageDescriptor, partition keys and parameters Athena's CREATE EXTERNAL TABLE
    would keep for the declared table."""
    columns = tuple(LakeColumn(n, t) for n, t in spec.columns)
    stored_as = {"parquet": "PARQUET", "csv": "TEXTFILE", "json": "JSON"}[spec.format]
    serde = {"field.delim": spec.delimiter} if spec.format == "csv" else None
    sd = storage_descriptor(stored_as, spec.location, columns, serde_parameters=serde)
    parameters = {"EXTERNAL": "TRUE", "classification": classification(sd)}
    if spec.header:
        parameters["skip.header.line.count"] = "1"
    return sd, tuple(LakeColumn(n, t) for n, t in spec.partition_keys), parameters


def _table(spec: TableSpec, current: Current) -> Change:
    kept: LakeTable | None = current.tables.get(spec.key)
    if kept is None:
        known = spec.database in current.databases
        new = ("new",) if known else ("new", f"database {spec.database} (new)")
        return Change("table", spec.key, "create", new, spec)
    sd, keys, parameters = table_shape(spec)
    reasons: list[str] = []
    if kept.storage_descriptor.columns != sd.columns:
        reasons.append("columns changed")
    if kept.partition_keys != keys:
        reasons.append("partition keys changed")
    if kept.location != sd.location:
        reasons.append(f"location {kept.location} -> {sd.location}")
    if (kept.storage_descriptor.serde_info, kept.parameters) != (sd.serde_info, parameters):
        reasons.append("format changed")
    if kept.description != spec.description:
        reasons.append("description changed")
    return Change("table", spec.key, "update" if reasons else "unchanged", tuple(reasons), spec)


# ---- through appliers ---------------------------------------------------------------------
def _applied(
    kind: str, specs: Sequence[Any], kept: Mapping[str, Any] | None, applier: str
) -> list[Change]:
    if kept is None:
        return [Change(kind, s.name, "not applied", (f"no {applier} applier",), s) for s in specs]
    changes: list[Change] = []
    for spec in specs:
        found = kept.get(spec.name)
        if found is None:
            changes.append(Change(kind, spec.name, "create", ("new",), spec))
        elif found != spec:
            changes.append(Change(kind, spec.name, "update", ("changed",), spec))
        else:
            changes.append(Change(kind, spec.name, "unchanged", (), spec))
    return changes
