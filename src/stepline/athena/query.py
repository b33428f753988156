"""Running a query on DuckDB: the catalog tables it reads become temporary views (on the
query's own connection) over their files, its SQL is translated, and its result is written
as Athena's CSV."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepline.athena import statements as s
from stepline.athena.catalog import LakeCatalog
from stepline.athena.errors import QueryFailure, failure, syntax_failure
from stepline.athena.formats import FormatError
from stepline.athena.pruning import allowed_values, prune
from stepline.athena.results import ResultColumn, copy_sql, duck_columns, staged_file
from stepline.athena.tokens import SqlSyntaxError, position
from stepline.athena.translate import (
    DEFAULT_CATALOG,
    Prepared,
    TableRef,
    TranslationError,
    prepare,
)
from stepline.athena.types import normalize_hive_type, quote_identifier
from stepline.athena.views import gather, view_sql
from stepline.lake.paths import LakePaths
from stepline.store.lake_records import LakeTable


@dataclass(frozen=True)
class Run:
    """What one query execution works with."""

    query_id: str
    text: str  # the statement, execution parameters substituted
    cursor: Any  # the query's own DuckDB connection
    catalog: LakeCatalog
    lake: LakePaths
    database: str  # QueryExecutionContext.Database
    output: Path  # the result file
    output_location: str  # the output location (CTAS tables go under it by default)
    cancelled: Callable[[], bool]


@dataclass(frozen=True)
class Outcome:
    """How a statement ended: its result's columns and rows, and its statistics."""

    columns: tuple[ResultColumn, ...] = ()
    rows: int = 0
    update_count: int | None = None
    scanned_bytes: int = 0
    header: bool = True  # GetQueryResults' first row is the header (not for DDL, SHOW...)


@dataclass(frozen=True)
class Bound:
    """A query ready for DuckDB: its SQL and what it reads."""

    sql: str
    scanned_bytes: int
    tables: tuple[LakeTable, ...]


def prepared(run: Run, sql: str, offset: int) -> Prepared:
    try:
        return prepare(sql, offset)
    except TranslationError as error:
        raise syntax_failure(run.text, error, error.code) from None
    except SqlSyntaxError as error:
        raise syntax_failure(run.text, error) from None


def _view_name(index: int, database: str, table: str) -> str:
    return "__stepline_" + re.sub(r"\W", "_", f"{index}_{database}_{table}")


def _missing(run: Run, ref: TableRef) -> QueryFailure:
    line, column = position(run.text, ref.offset)
    where = f"line {line}:{column}"
    # AWS: the messages of Athena engine v3 (Trino).
    if run.catalog.store.get_lake_database(ref.database) is None:
        return failure("SCHEMA_NOT_FOUND", f"{where}: Schema '{ref.database}' does not exist")
    qualified = f"{DEFAULT_CATALOG}.{ref.database}.{ref.name}"
    return failure("TABLE_NOT_FOUND", f"{where}: Table '{qualified}' does not exist")


def _columns(run: Run, reader: str) -> list[str]:
    return list(run.cursor.sql(f"SELECT * FROM {reader}").columns)


def bind(run: Run, query: Prepared) -> Bound:
    """Create the views of the tables ``query`` reads; its DuckDB SQL."""
    try:
        refs = query.tables(run.database)
    except TranslationError as error:
        raise syntax_failure(run.text, error, error.code) from None
    views: dict[tuple[str, str], str] = {}
    scanned = 0
    tables = []
    date_columns: set[str] = set()
    for index, ref in enumerate(refs):
        table = run.catalog.find_table(ref.database, ref.name)
        if table is None:
            raise _missing(run, ref)
        partitions = run.catalog.all_partitions(table) if table.partition_keys else []
        if partitions and len(refs) == 1:
            keys = [key.name for key in table.partition_keys]
            partitions = prune(table, partitions, allowed_values(query.tree, keys))
        try:
            source = gather(table, partitions, run.lake)
        except FormatError as error:
            raise failure("NOT_SUPPORTED", str(error)) from None
        name = _view_name(index, ref.database, ref.name)
        sql = view_sql(
            source, probe=lambda reader: run.cursor.sql(f"SELECT * FROM {reader}").columns
        )
        run.cursor.execute(f"CREATE OR REPLACE TEMP VIEW {quote_identifier(name)} AS {sql}")
        views[(ref.database, ref.name)] = name
        scanned += source.scanned_bytes
        tables.append(table)
        for col in (*table.storage_descriptor.columns, *table.partition_keys):
            if normalize_hive_type(col.type) == "date":
                date_columns.add(col.name.lower())
    duck_sql = query.duckdb_sql(run.database, views, frozenset(date_columns))
    return Bound(duck_sql, scanned, tuple(tables))


def run_select(run: Run, statement: s.Query) -> Outcome:
    """SELECT / WITH / VALUES: the rows go to the result file."""
    bound = bind(run, prepared(run, statement.sql, statement.offset))
    relation = run.cursor.sql(bound.sql)
    names, types = list(relation.columns), list(relation.types)
    with staged_file(run.output) as staging:
        count = run.cursor.execute(copy_sql(bound.sql, names, types, str(staging))).fetchone()
    return Outcome(
        duck_columns(names, types), int(count[0]) if count else 0, None, bound.scanned_bytes
    )


def check_not_cancelled(run: Run) -> None:
    if run.cancelled():
        raise QueryFailure("USER_CANCELED", "Query was cancelled")
