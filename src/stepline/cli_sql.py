"""``stepline sql``: run Athena SQL over the lake from the command line.

    stepline sql "SELECT ..." [--database D] [--output table|csv|json]
    stepline sql --file script.sql        # statements separated by ";", run in order

Tables live in the store (``--db``, as the other commands); their files under the lake's data
root (``--data-root``, default $STEPLINE_DATA_ROOT or .stepline/lake): s3://BUCKET/KEY is
<data root>/BUCKET/KEY. Exit codes: 0 success, 1 a statement FAILED (its reason is printed),
2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from stepline.athena import AthenaSettings, QueryEngine, ResultPage
from stepline.athena.errors import ApiError
from stepline.athena.tokens import SqlSyntaxError, split_statements
from stepline.cli_store import DEFAULT_DB
from stepline.lake import LakePaths, default_data_root
from stepline.lake.paths import LakePathError
from stepline.store.lake_records import QueryExecutionRecord
from stepline.store.open import open_store
from stepline.store.protocol import StoreError
from stepline.usage import UsageError

_NUMERIC = {"tinyint", "smallint", "integer", "bigint", "real", "double", "decimal"}


def add_sql_command(commands: Any) -> None:
    sql: argparse.ArgumentParser = commands.add_parser(
        "sql",
        help="run Athena SQL (DuckDB) over the lake's tables",
        description="Run Athena SQL over the lake: CREATE EXTERNAL TABLE, MSCK REPAIR TABLE,"
        " SELECT, INSERT INTO, CREATE TABLE AS SELECT... (docs/sql.md).",
    )
    sql.add_argument("query", nargs="?", help="the SQL (several statements: separate with ;)")
    sql.add_argument("--file", "-f", default=None, help="read the SQL from this file")
    sql.add_argument("--database", "-d", default=None, help="the database (default: default)")
    sql.add_argument(
        "--output", "-o", choices=["table", "csv", "json"], default="table", help="result format"
    )
    sql.add_argument("--db", default=None, help=f"store URL (default $STEPLINE_DB or {DEFAULT_DB})")
    sql.add_argument(
        "--data-root",
        default=None,
        help="the lake's root folder (default $STEPLINE_DATA_ROOT or .stepline/lake)",
    )
    sql.add_argument("--workgroup", default=None, help="the Athena work group (default primary)")
    sql.add_argument(
        "--output-location",
        default=None,
        help="where result files go (s3://... or a folder; default: the work group's)",
    )
    sql.add_argument(
        "--max-rows",
        type=int,
        default=1000,
        help="rows shown by --output table (0: all; csv and json print all)",
    )
    sql.set_defaults(command=_sql)


def _script(args: argparse.Namespace) -> list[str]:
    if (args.query is None) == (args.file is None):
        raise UsageError("give the SQL either as an argument or with --file (not both)")
    if args.file is not None:
        try:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise UsageError(f"cannot read SQL file {args.file}: {exc.strerror or exc}") from None
    else:
        text = args.query
    try:
        statements = split_statements(text)
    except SqlSyntaxError as exc:
        raise UsageError(f"cannot split the SQL into statements: {exc}") from None
    if not statements:
        raise UsageError("no SQL statement given")
    return statements


def _sql(args: argparse.Namespace) -> int:
    statements = _script(args)
    url = args.db or os.environ.get("STEPLINE_DB") or DEFAULT_DB
    try:
        lake = LakePaths(args.data_root or default_data_root())
        store = open_store(url)
    except (ValueError, StoreError, OSError, LakePathError) as exc:
        raise UsageError(f"cannot open the store {url}: {exc}") from None
    engine = QueryEngine(store, lake, settings=AthenaSettings(threads=1))
    try:
        printed = False
        for text in statements:
            if printed:
                print(file=sys.stdout)
            outcome = _one(engine, text, args)
            if outcome is None:
                return 1
            printed = outcome
        return 0
    finally:
        engine.close()
        store.close()


def _one(engine: QueryEngine, text: str, args: argparse.Namespace) -> bool | None:
    """Run one statement and print its result: whether it printed rows; None when it did
    not succeed."""
    try:
        query_id = engine.start_query_execution(
            text,
            database=args.database,
            workgroup=args.workgroup,
            output_location=args.output_location,
        )
        try:
            record = engine.wait(query_id)
        except KeyboardInterrupt:
            engine.stop_query_execution(query_id)
            print("stepline sql: cancelled", file=sys.stderr)
            return None
    except ApiError as exc:
        raise UsageError(exc.message) from None
    if record.state != "SUCCEEDED":
        reason = record.state_change_reason or "no reason given"
        print(f"stepline sql: {record.state}: {reason}", file=sys.stderr)
        return None
    pages = _pages(engine, record)
    if args.output == "csv":
        _print_csv(pages, record.result_header, sys.stdout)
    elif args.output == "json":
        _print_json(pages, record.result_header, sys.stdout)
    else:
        _print_table(pages, record.result_header, args.max_rows, sys.stdout)
    print(_summary(record), file=sys.stderr)
    return bool(record.result_columns and record.result_columns != "[]")


def _pages(engine: QueryEngine, record: QueryExecutionRecord) -> Iterator[ResultPage]:
    token = None
    while True:
        page = engine.get_query_results(record.id, 1000, token)
        yield page
        token = page.next_token
        if token is None:
            return


def _rows(
    pages: Iterator[ResultPage], header: bool
) -> tuple[list[str], list[str], Iterator[tuple[Any, ...]]]:
    """The column names, their types, and the data rows (the header row dropped)."""
    first = next(pages)
    names = [c.name for c in first.columns]
    types = [c.type.name for c in first.columns]

    def rows() -> Iterator[tuple[Any, ...]]:
        skip = 1 if header and first.rows else 0
        yield from first.rows[skip:]
        for page in pages:
            yield from page.rows

    return names, types, rows()


def _quoted(value: str | None) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def _print_csv(pages: Iterator[ResultPage], header: bool, out: TextIO) -> None:
    names, _, rows = _rows(pages, header)
    if names:
        out.write(",".join(_quoted(n) for n in names) + "\n")
    for row in rows:
        out.write(",".join(_quoted(v) for v in row) + "\n")


def _print_json(pages: Iterator[ResultPage], header: bool, out: TextIO) -> None:
    names, types, rows = _rows(pages, header)
    records = [
        {n: _json_value(v, t) for n, v, t in zip(names, row, types, strict=True)} for row in rows
    ]
    json.dump(records, out, ensure_ascii=False)
    out.write("\n")


def _json_value(value: str | None, athena_type: str) -> Any:
    """A result value as JSON: numbers and booleans as such, the rest as text."""
    if value is None:
        return None
    try:
        if athena_type in ("tinyint", "smallint", "integer", "bigint"):
            return int(value)
        if athena_type in ("real", "double"):
            return float(value)
    except ValueError:
        return value
    if athena_type == "boolean":
        return value == "true"
    return value


def _print_table(pages: Iterator[ResultPage], header: bool, max_rows: int, out: TextIO) -> None:
    names, types, rows = _rows(pages, header)
    if not names:
        return
    shown: list[list[str]] = []
    hidden = 0
    for row in rows:
        if max_rows and len(shown) >= max_rows:
            hidden += 1
            continue
        shown.append(["NULL" if v is None else str(v).replace("\n", "\\n") for v in row])
    widths = [max([len(n), *(len(r[i]) for r in shown)]) for i, n in enumerate(names)]
    right = [t in _NUMERIC for t in types]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out.write("\n".join([rule, line(names), rule, *(line(r) for r in shown), rule]) + "\n")
    count = len(shown) + hidden
    out.write(f"({count} row{'s' if count != 1 else ''})\n")
    if hidden:
        out.write(f"({hidden} more rows not shown: --max-rows 0 shows all, --output csv too)\n")


def _summary(record: QueryExecutionRecord) -> str:
    scanned = record.scanned_bytes or 0
    size = f"{scanned / 1e6:.1f} MB" if scanned >= 1e5 else f"{scanned} bytes"
    text = f"{record.substatement_type or record.statement_type} SUCCEEDED in"
    text += f" {record.total_ms or 0} ms, {size} scanned"
    if record.update_count is not None:
        text += f", {record.update_count} rows written"
    return text
