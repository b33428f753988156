"""Athena's DDL and utility statements over the catalog: CREATE DATABASE, CREATE EXTERNAL
TABLE, DROP, MSCK REPAIR TABLE, ALTER TABLE ADD/DROP PARTITION, SHOW..., DESCRIBE.

Each returns its result rows (``Rows``); failures are ``QueryFailure``s. Files are never
deleted: dropping an external table forgets it, as Athena does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from stepline.athena import statements as s
from stepline.athena.catalog import LakeCatalog
from stepline.athena.errors import ApiError, QueryFailure, ddl_failure
from stepline.athena.formats import FormatError, classification, storage_descriptor
from stepline.athena.views import local_dir
from stepline.lake.paths import LakePathError, LakePaths, is_s3_url, parse_s3_url
from stepline.store.lake_records import LakeColumn, LakePartition, LakeTable


@dataclass(frozen=True, slots=True)
class Rows:
    """A statement's result: column names and rows of text (None: NULL)."""

    names: tuple[str, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()


def column(name: str, values: Sequence[str]) -> Rows:
    return Rows((name,), tuple((v,) for v in values))


def hive_pattern(pattern: str | None) -> Callable[[str], bool]:
    """SHOW TABLES/DATABASES patterns: ``*`` any characters, ``|`` alternatives."""
    if pattern is None:
        return lambda _: True
    alternatives = [
        ".*".join(re.escape(part) for part in alt.strip().split("*")) for alt in pattern.split("|")
    ]
    regex = re.compile(f"^(?:{'|'.join(alternatives)})$", re.IGNORECASE)
    return lambda name: regex.match(name) is not None


def location_text(raw: str, where: str) -> str:
    """A LOCATION as stored: an s3:// URL (checked) or an absolute local path."""
    text = raw.strip()
    if is_s3_url(text):
        try:
            parse_s3_url(text, where=where)
        except LakePathError as error:
            raise ddl_failure("INVALID_LOCATION", str(error)) from None
        return text
    if text.startswith("file://"):
        text = text[len("file://") :]
    if not text:
        raise ddl_failure("INVALID_LOCATION", f"{where} must not be empty")
    return os.path.abspath(text)


def child_location(base: str, segments: Sequence[str]) -> str:
    """``base`` + ``k=v`` folders: an s3:// URL ending in "/", or a local path."""
    if is_s3_url(base):
        return base.rstrip("/") + "/" + "/".join(segments) + "/"
    return os.path.join(base, *segments)


def partition_segments(keys: Sequence[LakeColumn], values: Sequence[str]) -> list[str]:
    """Hive's folder names: ``key=value`` with the characters Hive escapes escaped."""
    return [f"{k.name}={quote(v, safe='')}" for k, v in zip(keys, values, strict=True)]


class Ddl:
    """Runs one DDL or utility statement. ``database`` is the query's database."""

    def __init__(self, catalog: LakeCatalog, lake: LakePaths, database: str) -> None:
        self.catalog = catalog
        self.lake = lake
        self.database = database

    def run(self, statement: s.Statement) -> Rows:
        handler = getattr(self, f"_{type(statement).__name__}", None)
        if handler is None:
            raise ddl_failure("NOT_SUPPORTED", f"{type(statement).__name__} is not DDL")
        try:
            result: Rows = handler(statement)
        except ApiError as error:  # the catalog's own checks
            raise ddl_failure("INVALID_INPUT", error.message) from None
        except FormatError as error:
            raise ddl_failure("NOT_SUPPORTED", str(error)) from None
        return result

    # ---- helpers --------------------------------------------------------------------------
    def table(self, name: s.TableName) -> LakeTable:
        database, table_name = name.resolve(self.database)
        self.need_database(database)
        found = self.catalog.find_table(database, table_name)
        if found is None:
            raise ddl_failure("TABLE_NOT_FOUND", f"Table {database}.{table_name} does not exist")
        return found

    def need_database(self, name: str) -> None:
        if self.catalog.store.get_lake_database(name) is None:
            raise ddl_failure("SCHEMA_NOT_FOUND", f"Database {name} does not exist")

    # ---- databases ------------------------------------------------------------------------
    def _CreateDatabase(self, st: s.CreateDatabase) -> Rows:
        if self.catalog.store.get_lake_database(st.name) is not None:
            if st.if_not_exists:
                return Rows()
            raise ddl_failure("ALREADY_EXISTS", f"Database {st.name} already exists")
        location = location_text(st.location, "LOCATION") if st.location else None
        self.catalog.create_database(st.name, st.comment, location, st.properties)
        return Rows()

    def _DropDatabase(self, st: s.DropDatabase) -> Rows:
        if self.catalog.store.get_lake_database(st.name) is None:
            if st.if_exists:
                return Rows()
            raise ddl_failure("SCHEMA_NOT_FOUND", f"Database {st.name} does not exist")
        if not st.cascade and self.catalog.store.list_lake_tables(st.name, limit=1):
            # AWS: DROP DATABASE is RESTRICT unless CASCADE.
            raise ddl_failure(
                "INVALID_OPERATION", f"Database {st.name} is not empty. One or more tables exist."
            )
        self.catalog.delete_database(st.name)
        return Rows()

    def _ShowDatabases(self, st: s.ShowDatabases) -> Rows:
        match = hive_pattern(st.pattern)
        names = [d.name for d in self.catalog.store.list_lake_databases(limit=1_000_000)]
        return column("database_name", [n for n in names if match(n)])

    # ---- tables ---------------------------------------------------------------------------
    def _CreateExternalTable(self, st: s.CreateExternalTable) -> Rows:
        database, name = st.table.resolve(self.database)
        self.need_database(database)
        if self.catalog.find_table(database, name) is not None:
            if st.if_not_exists:
                return Rows()
            raise ddl_failure("ALREADY_EXISTS", f"Table {database}.{name} already exists")
        names = [c.name for c in (*st.columns, *st.partition_keys)]
        for repeated in sorted({n for n in names if names.count(n) > 1}):
            raise ddl_failure("DUPLICATE_COLUMN_NAME", f"Column {repeated!r} is defined twice")
        columns = tuple(LakeColumn(c.name, c.type, c.comment) for c in st.columns)
        keys = tuple(LakeColumn(c.name, c.type, c.comment) for c in st.partition_keys)
        stored_as = st.stored_as or _stored_as(st.input_format, st.serde)
        sd = storage_descriptor(
            stored_as,
            location_text(st.location, "LOCATION"),
            columns,
            serde=st.serde,
            serde_parameters=st.serde_properties,
            input_format=st.input_format,
            output_format=st.output_format,
        )
        parameters = {"EXTERNAL": "TRUE", "classification": classification(sd), **st.properties}
        table = self.catalog.new_table(database, name, sd, keys, parameters, st.comment)
        self.catalog.create_table(table)
        return Rows()

    def _DropTable(self, st: s.DropTable) -> Rows:
        database, name = st.table.resolve(self.database)
        if self.catalog.find_table(database, name) is None:
            if st.if_exists:
                return Rows()
            raise ddl_failure("TABLE_NOT_FOUND", f"Table {database}.{name} does not exist")
        self.catalog.delete_table(database, name)
        return Rows()

    def _ShowTables(self, st: s.ShowTables) -> Rows:
        database = st.database or self.database
        self.need_database(database)
        match = hive_pattern(st.pattern)
        names = [t.name for t in self.catalog.store.list_lake_tables(database, limit=1_000_000)]
        return column("tab_name", [n for n in names if match(n)])

    def _ShowColumns(self, st: s.ShowColumns) -> Rows:
        table = self.table(st.table)
        columns = (*table.storage_descriptor.columns, *table.partition_keys)
        return column("field", [c.name for c in columns])

    def _Describe(self, st: s.Describe) -> Rows:
        table = self.table(st.table)
        rows: list[tuple[str | None, ...]] = [
            (c.name, c.type, c.comment or "")
            for c in (*table.storage_descriptor.columns, *table.partition_keys)
        ]
        if table.partition_keys:
            rows += [("", None, None), ("# Partition Information", None, None)]
            rows += [("# col_name", "data_type", "comment"), ("", None, None)]
            rows += [(k.name, k.type, k.comment or "") for k in table.partition_keys]
        return Rows(("col_name", "data_type", "comment"), tuple(rows))

    def _ShowTableProperties(self, st: s.ShowTableProperties) -> Rows:
        table = self.table(st.table)
        items = sorted(table.parameters.items())
        if st.name is not None:
            items = [(k, v) for k, v in items if k == st.name]
        return Rows(("prpt_name", "prpt_value"), tuple(items))

    def _ShowCreateTable(self, st: s.ShowCreateTable) -> Rows:
        return column("createtab_stmt", create_table_text(self.table(st.table)).splitlines())

    # ---- partitions -----------------------------------------------------------------------
    def _ShowPartitions(self, st: s.ShowPartitions) -> Rows:
        table = self.table(st.table)
        self.need_partitioned(table)
        names = [
            "/".join(f"{k.name}={v}" for k, v in zip(table.partition_keys, p.values, strict=True))
            for p in self.catalog.all_partitions(table)
        ]
        return column("partition", names)

    def need_partitioned(self, table: LakeTable) -> None:
        if not table.partition_keys:
            raise ddl_failure("NOT_PARTITIONED", f"Table {table.name} is not partitioned")

    def _RepairTable(self, st: s.RepairTable) -> Rows:
        table = self.table(st.table)
        if not table.partition_keys:
            return Rows()
        root = local_dir(self.lake, table.location, f"the location of table {table.name}")
        found = discover_partitions(root, [k.name for k in table.partition_keys])
        known = {p.values for p in self.catalog.all_partitions(table)}
        missing = [values for values in found if values not in known]
        if not missing:
            return Rows()
        labels = [_label(table, values) for values in missing]
        new = [
            self.catalog.new_partition(
                table, values, child_location(table.location, _folders(table, values, found))
            )
            for values in missing
        ]
        self.catalog.create_partitions(table, new)
        # AWS: MSCK REPAIR TABLE reports the partitions it added, as Hive does.
        return column("result", [f"Repair: Added partition to metastore {x}" for x in labels])

    def _AddPartitions(self, st: s.AddPartitions) -> Rows:
        table = self.table(st.table)
        self.need_partitioned(table)
        new: list[LakePartition] = []
        for spec in st.partitions:
            values = _spec_values(table, spec)
            if self.catalog.store.get_lake_partition(table.database, table.name, values):
                if st.if_not_exists:
                    continue
                raise ddl_failure(
                    "ALREADY_EXISTS", f"Partition already exists: {_label(table, values)}"
                )
            location = (
                location_text(spec.location, "the partition LOCATION")
                if spec.location
                else child_location(
                    table.location, partition_segments(table.partition_keys, values)
                )
            )
            new.append(self.catalog.new_partition(table, values, location))
        self.catalog.create_partitions(table, new)
        return Rows()

    def _DropPartitions(self, st: s.DropPartitions) -> Rows:
        table = self.table(st.table)
        self.need_partitioned(table)
        values = [_spec_values(table, spec) for spec in st.partitions]
        missing = [
            v
            for v in values
            if not self.catalog.store.get_lake_partition(table.database, table.name, v)
        ]
        if missing and not st.if_exists:
            raise ddl_failure(
                "PARTITION_NOT_FOUND", f"Partition not found: {_label(table, missing[0])}"
            )
        self.catalog.delete_partitions(table, values)
        return Rows()


def _stored_as(input_format: str | None, serde: str | None) -> str:
    hint = f"{input_format or ''} {serde or ''}".lower()
    if "parquet" in hint:
        return "PARQUET"
    if "json" in hint:
        return "JSON"
    return "TEXTFILE"  # Hive's default


def _label(table: LakeTable, values: Sequence[str]) -> str:
    pairs = zip(table.partition_keys, values, strict=True)
    return f"{table.name}:" + "/".join(f"{k.name}={v}" for k, v in pairs)


def _spec_values(table: LakeTable, spec: s.PartitionSpec) -> tuple[str, ...]:
    given = {key.lower(): value for key, value in spec.values}
    keys = [k.name for k in table.partition_keys]
    if set(given) != set(keys) or len(spec.values) != len(keys):
        raise ddl_failure(
            "INVALID_PARTITION_SPEC",
            f"partition spec {dict(spec.values)} must give exactly the partition keys {keys}",
        )
    return tuple(given[k] for k in keys)


def discover_partitions(root: Path, keys: Sequence[str]) -> dict[tuple[str, ...], list[str]]:
    """The ``k1=v1/k2=v2`` folders under ``root`` (keys in order): values -> folder names."""
    found: dict[tuple[str, ...], list[str]] = {}

    def walk(folder: Path, depth: int, values: tuple[str, ...], names: list[str]) -> None:
        if depth == len(keys):
            found[values] = names
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            key, sep, value = entry.name.partition("=")
            if sep and entry.is_dir() and key.lower() == keys[depth] and value:
                walk(Path(entry.path), depth + 1, (*values, unquote(value)), [*names, entry.name])

    walk(root, 0, (), [])
    return found


def _folders(table: LakeTable, values: tuple[str, ...], found: dict[Any, list[str]]) -> list[str]:
    return found.get(values) or partition_segments(table.partition_keys, values)


def create_table_text(table: LakeTable) -> str:
    """SHOW CREATE TABLE: the DDL that makes ``table``."""
    sd = table.storage_descriptor

    def columns(cols: Sequence[LakeColumn]) -> str:
        return ",\n".join(
            f"  `{c.name}` {c.type}" + (f" COMMENT '{c.comment}'" if c.comment else "")
            for c in cols
        )

    lines = [f"CREATE EXTERNAL TABLE `{table.database}`.`{table.name}`(", columns(sd.columns), ")"]
    if table.partition_keys:
        lines += ["PARTITIONED BY (", columns(table.partition_keys), ")"]
    lines += ["ROW FORMAT SERDE", f"  '{sd.serde_info.serialization_library}'"]
    if sd.serde_info.parameters:
        props = ",\n".join(f"  '{k}'='{v}'" for k, v in sorted(sd.serde_info.parameters.items()))
        lines += ["WITH SERDEPROPERTIES (", props, ")"]
    lines += ["STORED AS INPUTFORMAT", f"  '{sd.input_format}'"]
    lines += ["OUTPUTFORMAT", f"  '{sd.output_format}'", "LOCATION", f"  '{sd.location}'"]
    if table.parameters:
        props = ",\n".join(f"  '{k}'='{v}'" for k, v in sorted(table.parameters.items()))
        lines += ["TBLPROPERTIES (", props, ")"]
    return "\n".join(lines)


__all__ = ["Ddl", "QueryFailure", "Rows", "create_table_text", "discover_partitions"]
