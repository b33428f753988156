"""INSERT INTO and CREATE TABLE AS SELECT: new files in a table's location, Hive-partitioned
by its partition keys, published atomically (stepline.lake.atomic), and the new partitions
registered in the catalog.

The files are written by DuckDB into a hidden staging folder next to the table's folder, then
moved into place (each file whole: readers see complete files or none). A cancelled query
publishes nothing. Partitions are registered after their files are in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import unquote

from stepline.athena import statements as s
from stepline.athena.ddl import child_location, location_text
from stepline.athena.errors import ApiError, QueryFailure, failure
from stepline.athena.formats import (
    FileFormat,
    FormatError,
    classification,
    ctas_storage,
    file_format,
)
from stepline.athena.query import Outcome, Run, bind, check_not_cancelled, prepared
from stepline.athena.results import ResultColumn, write_rows
from stepline.athena.translate import DEFAULT_CATALOG
from stepline.athena.types import (
    ResultType,
    duckdb_to_hive,
    hive_to_duckdb,
    quote_identifier,
    quote_literal,
    result_type,
)
from stepline.athena.views import list_files, local_dir
from stepline.lake import atomic
from stepline.store.lake_records import LakeColumn, LakeTable

_ROWS: Final = (ResultColumn("rows", ResultType("bigint", 19)),)
_CTAS_PROPERTIES: Final = {
    "format",
    "external_location",
    "partitioned_by",
    "field_delimiter",
    "write_compression",
    "parquet_compression",
    "is_external",
    "table_type",
}


def _copy_options(fmt: FileFormat, query_id: str, keys: Sequence[str]) -> str:
    if fmt.kind == "parquet":
        options = ["FORMAT PARQUET", f"COMPRESSION {fmt.compression or 'UNCOMPRESSED'}"]
    elif fmt.kind == "json":
        options = ["FORMAT JSON"]
    else:
        options = [
            "FORMAT CSV",
            f"DELIMITER {quote_literal(fmt.delimiter)}",
            "HEADER false",
            "QUOTE ''",
            f"NULLSTR {quote_literal(fmt.null_format)}",
        ]
    if keys:
        options.append(f"PARTITION_BY ({', '.join(quote_identifier(k) for k in keys)})")
        options.append(f"FILENAME_PATTERN {quote_literal(query_id + '_{i}')}")
    return ", ".join(options)


def _extension(fmt: FileFormat) -> str:
    return {"parquet": ".parquet", "json": ".json"}.get(fmt.kind, ".csv")


def write_files(
    run: Run,
    location: str,
    keys: Sequence[str],
    fmt: FileFormat,
    select_sql: str,
    *,
    replace: bool,
) -> tuple[int, list[tuple[str, ...]]]:
    """Write ``select_sql``'s rows under ``location``; the row count and the partitions
    written (their folder names). ``replace``: the folder becomes exactly what was written
    (CTAS) instead of getting these files added (INSERT INTO)."""
    root = local_dir(run.lake, location, "the table's location")
    atomic.sweep_leftovers(root)
    staging = atomic.staging_dir(root)
    try:
        target = staging if keys else staging / f"{run.query_id}_0{_extension(fmt)}"
        options = _copy_options(fmt, run.query_id, keys)
        sql = f"COPY ({select_sql}) TO {quote_literal(str(target))} ({options})"
        found = run.cursor.execute(sql).fetchone()
        count = int(found[0]) if found else 0
        folders = [tuple(p.parts) for p in atomic.partition_dirs(staging)] if keys else []
        if count == 0 and not keys:
            atomic.remove_path(target)  # no rows, no file
        check_not_cancelled(run)
        if replace:
            atomic.publish_directory(staging, root)
        elif count:
            atomic.publish_append(staging, root)
        return count, folders
    finally:
        atomic.remove_path(staging)


def _register(run: Run, table: LakeTable, folders: Sequence[tuple[str, ...]]) -> None:
    partitions = [
        run.catalog.new_partition(
            table,
            tuple(unquote(part.partition("=")[2]) for part in folder),
            child_location(table.location, folder),
        )
        for folder in folders
    ]
    if partitions:
        run.catalog.create_partitions(table, partitions)


def _rows_result(run: Run, count: int, scanned: int) -> Outcome:
    write_rows(run.output, ["rows"], [[str(count)]])
    return Outcome(_ROWS, 1, count, scanned)


def _not_found(database: str, name: str) -> QueryFailure:
    return failure("TABLE_NOT_FOUND", f"Table '{DEFAULT_CATALOG}.{database}.{name}' does not exist")


def run_insert(run: Run, st: s.Insert) -> Outcome:
    database, name = st.table.resolve(run.database)
    table = run.catalog.find_table(database, name)
    if table is None:
        raise _not_found(database, name)
    try:
        fmt = file_format(table)
    except FormatError as error:
        raise failure("NOT_SUPPORTED", str(error)) from None
    if fmt.kind == "parquet":
        codec = table.parameters.get("parquet.compression") or table.parameters.get(
            "write.compression", "SNAPPY"
        )
        fmt = FileFormat("parquet", compression=None if codec.upper() == "NONE" else codec.upper())
    bound = bind(run, prepared(run, st.sql, st.offset))
    relation = run.cursor.sql(bound.sql)
    types = list(relation.types)
    targets = (*table.storage_descriptor.columns, *table.partition_keys)
    by_name = {c.name: c for c in targets}
    wanted = list(st.columns) if st.columns is not None else [c.name for c in targets]
    for unknown in [n for n in wanted if n not in by_name]:
        raise failure(
            "COLUMN_NOT_FOUND", f"Insert column name does not exist in target table: {unknown}"
        )
    if len(wanted) != len(types):
        # AWS: Trino's message for an INSERT whose query does not fit the table.
        table_types = ", ".join(by_name[n].type for n in wanted)
        query_types = ", ".join(result_type(t).name for t in types)
        raise failure(
            "TYPE_MISMATCH",
            f"Insert query has mismatched column types: Table: [{table_types}],"
            f" Query: [{query_types}]",
        )
    given = {n: i for i, n in enumerate(wanted)}
    items = []
    for col in targets:
        duck = hive_to_duckdb(col.type)
        source = f"c{given[col.name]}" if col.name in given else "NULL"
        items.append(f"CAST({source} AS {duck}) AS {quote_identifier(col.name)}")
    inner = ", ".join(f"c{i}" for i in range(len(types)))
    select_sql = f"SELECT {', '.join(items)} FROM ({bound.sql}) AS _q({inner})"
    keys = [k.name for k in table.partition_keys]
    count, folders = write_files(run, table.location, keys, fmt, select_sql, replace=False)
    _register(run, table, folders)
    return _rows_result(run, count, bound.scanned_bytes)


def _text(properties: dict[str, s.PropertyValue], name: str) -> str | None:
    value = properties.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise failure("INVALID_TABLE_PROPERTY", f"Table property '{name}' must be a string")
    return value


def run_create_table_as(run: Run, st: s.CreateTableAs) -> Outcome:
    database, name = st.table.resolve(run.database)
    if run.catalog.store.get_lake_database(database) is None:
        raise failure("SCHEMA_NOT_FOUND", f"Schema '{database}' does not exist")
    if run.catalog.find_table(database, name) is not None:
        if st.if_not_exists:
            return _rows_result(run, 0, 0)
        raise failure(
            "TABLE_ALREADY_EXISTS", f"Table '{DEFAULT_CATALOG}.{database}.{name}' already exists"
        )
    properties = dict(st.properties)
    for unknown in sorted(set(properties) - _CTAS_PROPERTIES):
        raise failure(
            "INVALID_TABLE_PROPERTY",
            f"Catalog '{DEFAULT_CATALOG}' table property '{unknown}' does not exist"
            " (stepline supports: " + ", ".join(sorted(_CTAS_PROPERTIES)) + ")",
        )
    if (
        str(properties.get("table_type", "HIVE")).upper() != "HIVE"
        or properties.get("is_external", True) is not True
    ):
        raise failure("NOT_SUPPORTED", "stepline creates Hive external tables only (not Iceberg)")
    partitioned = properties.get("partitioned_by", ())
    keys = list(partitioned) if isinstance(partitioned, tuple) else [str(partitioned)]
    keys = [k.lower() for k in keys]
    external = _text(properties, "external_location")
    if external is not None:
        location = location_text(external, "external_location")
    else:
        # AWS: without external_location, CTAS writes under <output location>/tables/<id>/.
        location = child_location(run.output_location, ["tables", run.query_id])
    root = local_dir(run.lake, location, "external_location")
    if list_files(root):
        raise failure(
            "HIVE_PATH_ALREADY_EXISTS",
            f"Target directory for table '{database}.{name}' already exists: {location}",
        )
    bound = bind(run, prepared(run, st.sql, st.offset))
    relation = run.cursor.sql(bound.sql)
    names = [n.lower() for n in relation.columns]
    types = list(relation.types)
    for repeated in sorted({n for n in names if names.count(n) > 1}):
        raise failure("DUPLICATE_COLUMN_NAME", f"Column name '{repeated}' specified more than once")
    if keys and names[len(names) - len(keys) :] != keys:
        raise failure(
            "INVALID_TABLE_PROPERTY",
            "Partition keys must be the last columns in the table and in the same order as"
            f" the table properties: {keys}",
        )
    columns = [LakeColumn(n, duckdb_to_hive(t)) for n, t in zip(names, types, strict=True)]
    data, partition_keys = columns[: len(columns) - len(keys)], columns[len(columns) - len(keys) :]
    try:
        sd, fmt = ctas_storage(
            _text(properties, "format") or "PARQUET",
            location,
            tuple(data),
            _text(properties, "field_delimiter"),
            _text(properties, "write_compression") or _text(properties, "parquet_compression"),
        )
    except FormatError as error:
        raise failure("NOT_SUPPORTED", str(error)) from None
    parameters = {"EXTERNAL": "TRUE", "classification": classification(sd)}
    table = run.catalog.new_table(database, name, sd, tuple(partition_keys), parameters)
    count, folders = 0, list[tuple[str, ...]]()
    if st.with_data:
        inner = ", ".join(f"c{i}" for i in range(len(names)))
        select = ", ".join(f"c{i} AS {quote_identifier(n)}" for i, n in enumerate(names))
        select_sql = f"SELECT {select} FROM ({bound.sql}) AS _q({inner})"
        count, folders = write_files(run, location, keys, fmt, select_sql, replace=True)
    try:
        run.catalog.create_table(table)
    except ApiError as error:  # created by another query meanwhile
        if st.with_data:
            atomic.remove_path(root)  # ours: it was empty before
        raise failure("TABLE_ALREADY_EXISTS", error.message) from None
    _register(run, table, folders)
    return _rows_result(run, count, bound.scanned_bytes)
