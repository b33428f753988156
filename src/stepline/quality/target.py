"""What a quality run reads: a catalog table, one partition of it, or a path (local or
s3://) of Parquet, CSV or JSON files, as a DuckDB view.

A table is read as Athena reads it (stepline.athena.views: its columns and partition keys,
typed as the catalog says). A partition (``k=v``, ``k1=v1/k2=v2``) is the registered one, or,
when it is not registered yet (checked before it is published), the folder
``<table location>/k=v`` written the Hive way. Files and folders named "_..." or "..." are
not read (so a quarantined partition is invisible).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from stepline.athena.catalog import DEFAULT_DATABASE, LakeCatalog
from stepline.athena.formats import FormatError
from stepline.athena.types import quote_literal
from stepline.athena.views import gather, list_files, local_dir, view_sql
from stepline.lake.paths import LakePathError, LakePaths
from stepline.store.lake_records import LakePartition, LakeTable

Probe = Callable[[str], Sequence[str]]
_READERS: Final = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}


class TargetError(Exception):
    """A target that cannot be read: ``code`` is the task's error name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Target:
    table: str | None = None  # "database.table" or "table" (the default database)
    path: str | None = None  # a folder or file, local or s3://
    partition: str | None = None  # "k=v" or "k1=v1/k2=v2"

    def describe(self) -> str:
        where = self.table or self.path or "?"
        return f"{where} [{self.partition}]" if self.partition else where


def parse_partition(text: str) -> tuple[tuple[str, str], ...]:
    """``k1=v1/k2=v2`` (or comma-separated) -> ((k1, v1), (k2, v2))."""
    pairs = []
    for part in text.replace(",", "/").split("/"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TargetError(
                "Quality.InvalidTarget", f"partition {text!r}: expected key=value[/key=value]"
            )
        pairs.append((key.strip(), value.strip()))
    if not pairs:
        raise TargetError("Quality.InvalidTarget", f"partition {text!r} is empty")
    return tuple(pairs)


def partition_dir(pairs: Sequence[tuple[str, str]]) -> str:
    return "/".join(f"{key}={value}" for key, value in pairs)


def table_name(text: str) -> tuple[str, str]:
    database, dot, name = text.strip().lower().rpartition(".")
    if not name:
        raise TargetError("Quality.InvalidTarget", f"table {text!r}: expected [database.]table")
    return (database if dot else DEFAULT_DATABASE), name


def find_table(catalog: LakeCatalog, text: str) -> LakeTable:
    database, name = table_name(text)
    table = catalog.find_table(database, name)
    if table is None:
        raise TargetError(
            "Quality.TableNotFound", f"table {database}.{name} is not in the lake catalog"
        )
    return table


def partition_values(table: LakeTable, text: str) -> tuple[str, ...]:
    pairs = parse_partition(text)
    keys = [k.name.lower() for k in table.partition_keys]
    if [k.lower() for k, _ in pairs] != keys:
        raise TargetError(
            "Quality.InvalidTarget",
            f"partition {text!r} of table {table.database}.{table.name}: its keys are "
            f"{keys or 'none (the table is not partitioned)'}",
        )
    return tuple(v for _, v in pairs)


def table_partition(
    catalog: LakeCatalog, lake: LakePaths, table: LakeTable, text: str
) -> tuple[LakePartition, bool]:
    """The partition ``text`` names and whether it is registered in the catalog."""
    values = partition_values(table, text)
    for partition in catalog.all_partitions(table):
        if partition.values == values:
            return partition, True
    relative = partition_dir(parse_partition(text))
    location = table.location.rstrip("/") + "/" + relative
    folder = local_dir(lake, location, f"partition {text}")
    if not folder.is_dir():
        raise TargetError(
            "Quality.PartitionNotFound",
            f"partition {text} of table {table.database}.{table.name} is not registered "
            f"and its folder {folder} does not exist",
        )
    return catalog.new_partition(table, values, location), False


def _table_sql(target: Target, catalog: LakeCatalog, lake: LakePaths, probe: Probe) -> str:
    table = find_table(catalog, target.table or "")
    if target.partition:
        partitions = [table_partition(catalog, lake, table, target.partition)[0]]
    else:
        partitions = catalog.all_partitions(table) if table.partition_keys else []
    try:
        source = gather(table, partitions, lake)
    except FormatError as error:
        raise TargetError("Quality.InvalidTarget", str(error)) from None
    return view_sql(source, probe)


def _path_sql(target: Target, lake: LakePaths) -> str:
    root = Path(lake.resolve(target.path or "", where="the quality target path"))
    if target.partition:
        root = root / partition_dir(parse_partition(target.partition))
    if not root.exists():
        raise TargetError("Quality.PathNotFound", f"{target.describe()}: {root} does not exist")
    files = [f.path for f in list_files(root)]
    kinds = {_READERS.get(os.path.splitext(f)[1].lower()) for f in files}
    if not files:
        raise TargetError("Quality.PathNotFound", f"{target.describe()}: no data files in {root}")
    if None in kinds or len(kinds) != 1:
        raise TargetError(
            "Quality.InvalidTarget",
            f"{target.describe()}: expected files of one kind (.parquet, .csv, .json), "
            f"found {sorted({os.path.splitext(f)[1] or f for f in files})}",
        )
    paths = "[" + ", ".join(quote_literal(f) for f in files) + "]"
    hive = "true" if root.is_dir() and any("=" in p for p in Path(files[0]).parts) else "false"
    kind = kinds.pop()
    if kind == "parquet":
        return (
            f"SELECT * FROM read_parquet({paths}, union_by_name = true, hive_partitioning = {hive})"
        )
    if kind == "csv":
        return (
            f"SELECT * FROM read_csv({paths}, header = true, union_by_name = true, "
            f"hive_partitioning = {hive})"
        )
    return (
        f"SELECT * FROM read_json_auto({paths}, union_by_name = true, hive_partitioning = {hive})"
    )


def source_sql(target: Target, catalog: LakeCatalog, lake: LakePaths, probe: Probe) -> str:
    """The SELECT that reads ``target``."""
    if bool(target.table) == bool(target.path):
        raise TargetError("Quality.InvalidTarget", "give either a table or a path to check")
    try:
        if target.table:
            return _table_sql(target, catalog, lake, probe)
        return _path_sql(target, lake)
    except LakePathError as error:
        raise TargetError("Quality.InvalidTarget", str(error)) from None


def reference_target(spec: str) -> Target:
    """A reference dataset given as a table name or a path (``s3://...``, ``/...``, ``./...``)."""
    if "/" in spec or spec.startswith(("s3://", ".")):
        return Target(path=spec)
    return Target(table=spec)
