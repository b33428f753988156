"""What a project declares, resolved: one frozen record per resource to deploy. Paths are
absolute; variables are substituted; definitions are canonical JSON text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepline.store.records import MachineType


@dataclass(frozen=True)
class MachineSpec:
    """A state machine to deploy (a template's instance is one of these too)."""

    name: str  # the deployed name
    declared: str  # the [state_machines.<declared>] it comes from
    source: str  # the definition or template file, as the configuration names it
    definition: str  # canonical JSON text, variables substituted
    type: MachineType = "STANDARD"
    alias: str | None = None
    role_arn: str | None = None
    logging: str | None = None  # loggingConfiguration, JSON text of the API's shape
    tags: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)  # a template instance's


@dataclass(frozen=True)
class JobSpec:
    name: str
    script: str  # absolute path or s3:// URL
    members: Mapping[str, Any]  # CreateJob's members (Glue's shapes), before Glue's defaults
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # the Lambda function name the state machines call
    target: str  # module:attr, imported with the project root on sys.path


@dataclass(frozen=True)
class QueueSpec:
    name: str
    attributes: Mapping[str, str]  # SQS attributes as SQS keeps them (no RedrivePolicy)
    dead_letter: str | None = None  # the name of another declared queue
    max_receive_count: int = 10
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Subscription:
    protocol: str  # stepline.notifications' protocols: log, file, http, https, slack, email
    endpoint: str  # as the store keeps it


@dataclass(frozen=True)
class TopicSpec:
    name: str
    subscriptions: tuple[Subscription, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    database: str
    name: str
    location: str  # s3:// URL or absolute path
    format: str  # parquet | csv | json
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...] = ()
    header: bool = False  # csv: the first line of each file is a header
    delimiter: str = ","  # csv
    description: str | None = None

    @property
    def key(self) -> str:
        return f"{self.database}.{self.name}"


@dataclass(frozen=True)
class QualitySpec:
    name: str
    kind: str  # "ruleset" (DQDL) | "checks" (SQL)
    source: str  # the file as the configuration names it
    text: str  # its content
    table: str | None = None  # database.table the rules run on
    profile: str | None = None


@dataclass(frozen=True)
class QualityProfileSpec:
    name: str
    min_score: float = 1.0
    description: str | None = None


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    dataset: str
    state_machine: str  # a deployed machine's name
    partition: str  # JSONPath into the execution input, e.g. $.process_date
    replay_queue: str | None = None
    quality: str | None = None
    alias: str | None = None  # the machine's alias: executions start through it
    input: str | None = None  # JSON text with ${partition}: a backfilled partition's input


@dataclass(frozen=True)
class Project:
    name: str
    root: Path
    file: str  # the configuration file's name as messages show it
    env: str | None
    variables: Mapping[str, Any]
    machines: tuple[MachineSpec, ...] = ()
    jobs: tuple[JobSpec, ...] = ()
    functions: tuple[FunctionSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    quality: tuple[QualitySpec, ...] = ()
    quality_profiles: tuple[QualityProfileSpec, ...] = ()
    pipelines: tuple[PipelineSpec, ...] = ()
