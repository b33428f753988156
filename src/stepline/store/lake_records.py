"""What the store keeps for SQL over the lake: the table catalog (shaped after the Glue Data
Catalog), Athena query executions and work groups. Plain frozen records.

The catalog records mirror Glue's shapes field for field (snake_case here, PascalCase on the
wire): ``LakeDatabase`` is Glue's ``Database``; ``LakeTable`` its ``Table`` (``StorageDescriptor``
with ``Columns``, ``Location``, ``InputFormat``, ``OutputFormat``, ``SerdeInfo``;
``PartitionKeys``; ``TableType``; ``Parameters``); ``LakePartition`` its ``Partition``. Names of
databases, tables and columns are kept lower case, as Glue and Athena keep them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, TypeAlias

QueryState: TypeAlias = Literal["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]
StatementType: TypeAlias = Literal["DDL", "DML", "UTILITY"]
WorkGroupState: TypeAlias = Literal["ENABLED", "DISABLED"]
QUERY_ENDED: Final = ("SUCCEEDED", "FAILED", "CANCELLED")
QUERY_OPEN: Final = ("QUEUED", "RUNNING")
EXTERNAL_TABLE: Final = "EXTERNAL_TABLE"


@dataclass(frozen=True, slots=True)
class LakeColumn:
    """Glue's ``Column``: a name and a Hive type (``bigint``, ``array<string>``...)."""

    name: str
    type: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class SerDeInfo:
    """Glue's ``SerDeInfo``: the serialization library and its parameters
    (``field.delim``, ``serialization.format``...)."""

    serialization_library: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StorageDescriptor:
    """Glue's ``StorageDescriptor``: where the files are and how they are read."""

    location: str  # s3://bucket/prefix/ or a local directory
    columns: tuple[LakeColumn, ...] = ()
    input_format: str | None = None
    output_format: str | None = None
    serde_info: SerDeInfo = field(default_factory=SerDeInfo)
    compressed: bool = False
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LakeDatabase:
    """Glue's ``Database``."""

    name: str
    created_at: datetime
    description: str | None = None
    location_uri: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LakeTable:
    """Glue's ``Table``. ``created_at``/``updated_at`` are Glue's CreateTime/UpdateTime."""

    database: str
    name: str
    storage_descriptor: StorageDescriptor
    created_at: datetime
    updated_at: datetime
    partition_keys: tuple[LakeColumn, ...] = ()
    table_type: str = EXTERNAL_TABLE
    parameters: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    owner: str | None = None

    @property
    def location(self) -> str:
        return self.storage_descriptor.location


@dataclass(frozen=True, slots=True)
class LakePartition:
    """Glue's ``Partition``: the values of the table's partition keys, in order, and where
    its files are."""

    database: str
    table: str
    values: tuple[str, ...]
    storage_descriptor: StorageDescriptor
    created_at: datetime
    parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.storage_descriptor.location


@dataclass(frozen=True, slots=True)
class QueryExecutionRecord:
    """One Athena query execution (Athena's ``QueryExecution``).

    ``output_location`` is the result file's URL (``<OutputLocation>/<id>.csv``), as
    GetQueryExecution's ResultConfiguration.OutputLocation gives it. ``result_columns`` is the
    JSON text of the result's columns (``[{"name", "type", "precision", "scale"}]``);
    ``result_header``: whether GetQueryResults returns the header row first (SELECT-like
    statements). ``owner`` names the engine running it (``host:pid:id``).
    """

    id: str
    query: str
    statement_type: StatementType
    state: QueryState
    submitted_at: datetime
    workgroup: str = "primary"
    database: str | None = None
    catalog: str | None = None
    output_location: str | None = None
    execution_parameters: tuple[str, ...] = ()
    client_request_token: str | None = None
    substatement_type: str | None = None
    state_change_reason: str | None = None
    completed_at: datetime | None = None
    error_category: int | None = None
    error_type: int | None = None
    error_message: str | None = None
    engine_ms: int | None = None
    total_ms: int | None = None
    queue_ms: int | None = None
    planning_ms: int | None = None
    scanned_bytes: int | None = None
    result_columns: str | None = None
    result_header: bool = False
    result_rows: int | None = None
    update_count: int | None = None
    owner: str | None = None

    @property
    def ended(self) -> bool:
        return self.state in QUERY_ENDED


@dataclass(frozen=True, slots=True)
class WorkGroupRecord:
    """An Athena work group. ``configuration`` is the JSON text of Athena's
    ``WorkGroupConfiguration`` as given (ResultConfiguration.OutputLocation...)."""

    name: str
    created_at: datetime
    state: WorkGroupState = "ENABLED"
    description: str | None = None
    configuration: str = "{}"
    tags: str = "{}"

    @property
    def output_location(self) -> str | None:
        result = json.loads(self.configuration).get("ResultConfiguration") or {}
        location = result.get("OutputLocation")
        return str(location) if location else None

    @property
    def enforced(self) -> bool:
        """EnforceWorkGroupConfiguration: the work group's settings override the client's."""
        return bool(json.loads(self.configuration).get("EnforceWorkGroupConfiguration", True))


# ---- JSON text of the nested parts (the SQL backends keep them in text columns) ----------


def partition_key(values: tuple[str, ...] | list[str]) -> str:
    """A partition's values as one text that sorts as the tuple does (byte order)."""
    return "\x1f".join(values)


def columns_json(columns: tuple[LakeColumn, ...]) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "type": c.type, **({"comment": c.comment} if c.comment else {})}
        for c in columns
    ]


def columns_from_json(raw: list[dict[str, Any]]) -> tuple[LakeColumn, ...]:
    return tuple(LakeColumn(c["name"], c["type"], c.get("comment")) for c in raw)


def storage_json(sd: StorageDescriptor) -> str:
    return json.dumps(
        {
            "location": sd.location,
            "columns": columns_json(sd.columns),
            "input_format": sd.input_format,
            "output_format": sd.output_format,
            "serde": {
                "library": sd.serde_info.serialization_library,
                "parameters": dict(sd.serde_info.parameters),
                "name": sd.serde_info.name,
            },
            "compressed": sd.compressed,
            "parameters": dict(sd.parameters),
        },
        sort_keys=True,
    )


def storage_from_json(text: str) -> StorageDescriptor:
    raw = json.loads(text)
    serde = raw.get("serde") or {}
    return StorageDescriptor(
        location=raw["location"],
        columns=columns_from_json(raw.get("columns") or []),
        input_format=raw.get("input_format"),
        output_format=raw.get("output_format"),
        serde_info=SerDeInfo(
            serde.get("library"), dict(serde.get("parameters") or {}), serde.get("name")
        ),
        compressed=bool(raw.get("compressed", False)),
        parameters=dict(raw.get("parameters") or {}),
    )


@dataclass(frozen=True, slots=True)
class NamedQueryRecord:
    """An Athena named query (a saved query of a work group)."""

    id: str
    name: str
    database: str
    query: str
    workgroup: str
    created_at: datetime
    description: str | None = None
