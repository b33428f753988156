"""The records as AWS API shapes, and Glue's inputs as records: for the HTTP API (Athena's
GetQueryExecution, GetWorkGroup; Glue's GetDatabase, GetTable, GetPartitions, CreateTable,
BatchCreatePartition...). Pure. Times stay ``datetime``s: the wire layer encodes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stepline.athena.catalog import LakeCatalog
from stepline.athena.ddl import child_location, partition_segments
from stepline.athena.errors import InvalidInput
from stepline.store.lake_records import (
    LakeColumn,
    LakeDatabase,
    LakePartition,
    LakeTable,
    QueryExecutionRecord,
    SerDeInfo,
    StorageDescriptor,
    WorkGroupRecord,
)

ENGINE_VERSION = {
    "SelectedEngineVersion": "AUTO",
    "EffectiveEngineVersion": "Athena engine version 3",
}


def _some(**members: Any) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}


# ---- Athena -----------------------------------------------------------------------------------


def query_execution(q: QueryExecutionRecord) -> dict[str, Any]:
    """Athena's ``QueryExecution``."""
    error = None
    if q.state == "FAILED":
        error = _some(
            ErrorCategory=q.error_category,
            ErrorType=q.error_type,
            Retryable=False,
            ErrorMessage=q.error_message,
        )
    status = _some(
        State=q.state,
        StateChangeReason=q.state_change_reason,
        SubmissionDateTime=q.submitted_at,
        CompletionDateTime=q.completed_at,
        AthenaError=error,
    )
    statistics = _some(
        EngineExecutionTimeInMillis=q.engine_ms or 0,
        DataScannedInBytes=q.scanned_bytes or 0,
        TotalExecutionTimeInMillis=q.total_ms or 0,
        QueryQueueTimeInMillis=q.queue_ms or 0,
        QueryPlanningTimeInMillis=q.planning_ms,
        ResultReuseInformation={"ReusedPreviousResult": False},
    )
    return _some(
        QueryExecutionId=q.id,
        Query=q.query,
        StatementType=q.statement_type,
        SubstatementType=q.substatement_type,
        ResultConfiguration=_some(OutputLocation=q.output_location),
        ResultReuseConfiguration={"ResultReuseByAgeConfiguration": {"Enabled": False}},
        QueryExecutionContext=_some(Database=q.database, Catalog=q.catalog),
        Status=status,
        Statistics=statistics,
        WorkGroup=q.workgroup,
        EngineVersion=ENGINE_VERSION,
        ExecutionParameters=list(q.execution_parameters) or None,
    )


def workgroup(w: WorkGroupRecord) -> dict[str, Any]:
    """Athena's ``WorkGroup``."""
    configuration = {
        "EnforceWorkGroupConfiguration": True,
        "PublishCloudWatchMetricsEnabled": False,
        "RequesterPaysEnabled": False,
        "EngineVersion": ENGINE_VERSION,
        **json.loads(w.configuration),
    }
    return _some(
        Name=w.name,
        State=w.state,
        Configuration=configuration,
        Description=w.description,
        CreationTime=w.created_at,
    )


def workgroup_summary(w: WorkGroupRecord) -> dict[str, Any]:
    return _some(
        Name=w.name,
        State=w.state,
        Description=w.description,
        CreationTime=w.created_at,
        EngineVersion=ENGINE_VERSION,
    )


# ---- Glue: records -> shapes ------------------------------------------------------------------


def columns(cols: tuple[LakeColumn, ...]) -> list[dict[str, Any]]:
    return [_some(Name=c.name, Type=c.type, Comment=c.comment) for c in cols]


def storage_descriptor(sd: StorageDescriptor) -> dict[str, Any]:
    return {
        "Columns": columns(sd.columns),
        "Location": sd.location,
        **_some(InputFormat=sd.input_format, OutputFormat=sd.output_format),
        "Compressed": sd.compressed,
        "NumberOfBuckets": -1,
        "SerdeInfo": _some(
            Name=sd.serde_info.name,
            SerializationLibrary=sd.serde_info.serialization_library,
            Parameters=dict(sd.serde_info.parameters),
        ),
        "BucketColumns": [],
        "SortColumns": [],
        "Parameters": dict(sd.parameters),
        "StoredAsSubDirectories": False,
    }


def database(d: LakeDatabase, catalog_id: str | None = None) -> dict[str, Any]:
    return _some(
        Name=d.name,
        Description=d.description,
        LocationUri=d.location_uri,
        Parameters=dict(d.parameters),
        CreateTime=d.created_at,
        CatalogId=catalog_id,
    )


def table(t: LakeTable, catalog_id: str | None = None) -> dict[str, Any]:
    return _some(
        Name=t.name,
        DatabaseName=t.database,
        Description=t.description,
        Owner=t.owner,
        CreateTime=t.created_at,
        UpdateTime=t.updated_at,
        Retention=0,
        StorageDescriptor=storage_descriptor(t.storage_descriptor),
        PartitionKeys=columns(t.partition_keys),
        TableType=t.table_type,
        Parameters=dict(t.parameters),
        IsRegisteredWithLakeFormation=False,
        CatalogId=catalog_id,
    )


def partition(p: LakePartition, catalog_id: str | None = None) -> dict[str, Any]:
    return _some(
        Values=list(p.values),
        DatabaseName=p.database,
        TableName=p.table,
        CreationTime=p.created_at,
        StorageDescriptor=storage_descriptor(p.storage_descriptor),
        Parameters=dict(p.parameters),
        CatalogId=catalog_id,
    )


# ---- Glue: inputs -> records ------------------------------------------------------------------


def _strings(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        raise InvalidInput(f"{where} must be a map of strings")
    return dict(raw)


def _columns(raw: Any, where: str) -> tuple[LakeColumn, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput(f"{where} must be a list of columns")
    found = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            raise InvalidInput(f"{where}[{index}] needs a Name")
        found.append(
            LakeColumn(item["Name"].lower(), str(item.get("Type", "string")), item.get("Comment"))
        )
    return tuple(found)


def storage_from_input(raw: Any, where: str = "StorageDescriptor") -> StorageDescriptor:
    raw = raw or {}
    serde = raw.get("SerdeInfo") or {}
    return StorageDescriptor(
        location=str(raw.get("Location") or ""),
        columns=_columns(raw.get("Columns"), f"{where}.Columns"),
        input_format=raw.get("InputFormat"),
        output_format=raw.get("OutputFormat"),
        serde_info=SerDeInfo(
            serde.get("SerializationLibrary"),
            _strings(serde.get("Parameters"), f"{where}.SerdeInfo.Parameters"),
            serde.get("Name"),
        ),
        compressed=bool(raw.get("Compressed", False)),
        parameters=_strings(raw.get("Parameters"), f"{where}.Parameters"),
    )


def table_from_input(catalog: LakeCatalog, database: str, raw: Mapping[str, Any]) -> LakeTable:
    """A ``TableInput`` (CreateTable, UpdateTable) as a table record (not stored)."""
    return catalog.new_table(
        database,
        str(raw.get("Name") or ""),
        storage_from_input(raw.get("StorageDescriptor")),
        _columns(raw.get("PartitionKeys"), "TableInput.PartitionKeys"),
        _strings(raw.get("Parameters"), "TableInput.Parameters"),
        raw.get("Description"),
        str(raw.get("TableType") or "EXTERNAL_TABLE"),
        raw.get("Owner"),
    )


def partition_from_input(
    catalog: LakeCatalog, table_record: LakeTable, raw: Mapping[str, Any]
) -> LakePartition:
    """A ``PartitionInput`` (BatchCreatePartition, CreatePartition) as a partition record;
    without a Location, it is the table's ``k=v`` folder."""
    values = raw.get("Values")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidInput("PartitionInput.Values must be a list of strings")
    sd_raw = raw.get("StorageDescriptor")
    location = (sd_raw or {}).get("Location")
    if not location and len(values) == len(table_record.partition_keys):
        segments = partition_segments(table_record.partition_keys, values)
        location = child_location(table_record.location, segments)
    found = catalog.new_partition(table_record, values, str(location or ""))
    if sd_raw:
        sd = storage_from_input(sd_raw, "PartitionInput.StorageDescriptor")
        found = LakePartition(
            found.database,
            found.table,
            found.values,
            StorageDescriptor(
                location=found.location,
                columns=sd.columns,
                input_format=sd.input_format or table_record.storage_descriptor.input_format,
                output_format=sd.output_format or table_record.storage_descriptor.output_format,
                serde_info=sd.serde_info
                if sd.serde_info.serialization_library
                else table_record.storage_descriptor.serde_info,
                parameters=sd.parameters,
            ),
            found.created_at,
            _strings(raw.get("Parameters"), "PartitionInput.Parameters"),
        )
    return found
