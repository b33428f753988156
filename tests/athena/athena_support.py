"""Helpers for the SQL-over-the-lake tests: real files written by DuckDB, queries run to the
end, their rows read back through GetQueryResults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from stepline.athena import QueryEngine
from stepline.store.lake_records import QueryExecutionRecord

ORDERS_DAYS = ("2025-01-25", "2025-01-26", "2025-01-27")


def copy_to(sql: str, target: Path, options: str = "FORMAT PARQUET") -> None:
    """Write ``sql``'s rows with DuckDB's COPY (``target``: a file or a folder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as conn:
        conn.execute(f"COPY ({sql}) TO '{target}' ({options})")


def write_orders(folder: Path, rows_per_day: int = 100) -> None:
    """curated_orders: Parquet under ``folder``/process_date=YYYY-MM-DD/, ORDERS_DAYS."""
    days = ", ".join(f"DATE '{d}'" for d in ORDERS_DAYS)
    sql = (
        "SELECT i AS order_id, (i % 10)::DOUBLE + 0.5 AS amount, 'c' || (i % 4) AS customer,"
        f" [{days}][1 + (i % 3)] AS process_date FROM range({rows_per_day * 3}) t(i)"
    )
    copy_to(sql, folder, "FORMAT PARQUET, PARTITION_BY (process_date)")


ORDERS_DDL = """CREATE EXTERNAL TABLE {name} (
    order_id bigint,
    amount double,
    customer string
)
PARTITIONED BY (process_date date)
STORED AS PARQUET
LOCATION '{location}'"""


def run(engine: QueryEngine, sql: str, **options: Any) -> QueryExecutionRecord:
    record = engine.run(sql, timeout=60, **options)
    assert record.ended, f"{sql!r} did not end: {record.state}"
    return record


def ok(engine: QueryEngine, sql: str, **options: Any) -> QueryExecutionRecord:
    record = run(engine, sql, **options)
    assert record.state == "SUCCEEDED", f"{sql!r}: {record.state_change_reason}"
    return record


def rows(engine: QueryEngine, sql: str, **options: Any) -> list[tuple[str | None, ...]]:
    """The data rows of a successful query (all pages; the header row dropped)."""
    record = ok(engine, sql, **options)
    found: list[tuple[str | None, ...]] = []
    token = None
    while True:
        page = engine.get_query_results(record.id, 1000, token)
        found += page.rows
        token = page.next_token
        if token is None:
            break
    return found[1:] if record.result_header else found


def failed(engine: QueryEngine, sql: str, **options: Any) -> QueryExecutionRecord:
    record = run(engine, sql, **options)
    assert record.state == "FAILED", f"{sql!r} did not fail"
    return record
