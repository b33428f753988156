"""SQL over the lake: the cost of Athena's semantics on top of DuckDB.

Generates ``curated_orders`` (Parquet, Hive-partitioned by process_date, 30 days) with 1M
and 10M rows, registers it (CREATE EXTERNAL TABLE + MSCK REPAIR TABLE, SQLite store), and
times two queries through the query API (StartQueryExecution -> the end -> the first page of
GetQueryResults) and the same SQL run directly in DuckDB over the same files, in the same run:

* partition: SELECT process_date, COUNT(*) ... WHERE process_date = DATE '2025-01-26' ...
* gold:      revenue per day over the whole table

    python benchmarks/sql.py [--rows 1000000 10000000] [--repeat 7]

Target: under 50 ms of overhead per query.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from stepline.athena import AthenaSettings, QueryEngine
from stepline.lake import LakePaths
from stepline.store.open import open_store

QUERIES = {
    "partition": (
        "SELECT process_date, COUNT(*) AS row_count FROM curated_orders"
        " WHERE process_date = DATE '2025-01-26' GROUP BY process_date"
    ),
    "gold": (
        "SELECT process_date, SUM(amount) AS revenue, COUNT(*) AS orders,"
        " COUNT(DISTINCT customer_id) AS customers FROM curated_orders"
        " GROUP BY process_date ORDER BY process_date"
    ),
}
DDL = """CREATE EXTERNAL TABLE curated_orders (
    order_id bigint, customer_id bigint, amount double, status string
) PARTITIONED BY (process_date date)
STORED AS PARQUET LOCATION '{location}'"""


def generate(folder: Path, rows: int) -> float:
    """Write the table's files; the seconds it took."""
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    sql = (
        "SELECT range AS order_id, (range * 7919) % 100000 AS customer_id,"
        " ((range * 31) % 10000) / 100.0 AS amount,"
        " ['NEW', 'PAID', 'SHIPPED'][1 + range % 3] AS status,"
        " DATE '2025-01-01' + (range % 30)::INTEGER AS process_date"
        f" FROM range({rows})"
    )
    with duckdb.connect() as conn:
        conn.execute(
            f"COPY ({sql}) TO '{folder}' (FORMAT PARQUET, PARTITION_BY (process_date),"
            " COMPRESSION SNAPPY)"
        )
    return time.perf_counter() - started


def compare(
    direct: Callable[[], Any], api: Callable[[], Any], repeat: int
) -> tuple[float, float, Any, Any]:
    """Median milliseconds of ``repeat`` runs of each (after a warm-up), runs interleaved so
    that a busy machine slows both alike; and their last results."""
    expected, got = direct(), api()
    direct_ms: list[float] = []
    api_ms: list[float] = []
    for _ in range(repeat):
        for run, times in ((direct, direct_ms), (api, api_ms)):
            started = time.perf_counter()
            result = run()
            times.append((time.perf_counter() - started) * 1000)
            if run is direct:
                expected = result
            else:
                got = result
    return statistics.median(direct_ms), statistics.median(api_ms), expected, got


def through_api(engine: QueryEngine, sql: str) -> list[tuple[Any, ...]]:
    record = engine.run(sql, database="sales")
    if record.state != "SUCCEEDED":
        raise SystemExit(f"{sql}: {record.state} {record.state_change_reason}")
    page = engine.get_query_results(record.id, 1000)
    return [tuple(row) for row in page.rows[1:]]


def bench(rows: int, repeat: int, directory: Path) -> list[tuple[str, float, float, int]]:
    lake = LakePaths(directory / "lake")
    folder = lake.local_path(f"s3://bench-lake/curated_orders_{rows}")
    seconds = generate(folder, rows)
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    print(f"{rows:>12,} rows: generated in {seconds:.1f} s, {size / 1e6:.1f} MB of Parquet")
    store = open_store(f"sqlite:///{directory}/bench-{rows}.db")
    engine = QueryEngine(store, lake, settings=AthenaSettings(threads=2))
    direct = duckdb.connect()
    try:
        for sql in (
            "CREATE DATABASE sales",
            DDL.format(location=f"s3://bench-lake/curated_orders_{rows}/"),
            "MSCK REPAIR TABLE curated_orders",
        ):
            record = engine.run(sql, database="sales")
            assert record.state == "SUCCEEDED", record.state_change_reason
        direct.execute(
            "CREATE VIEW curated_orders AS SELECT * FROM read_parquet("
            f"'{folder}/*/*.parquet', hive_partitioning = true)"
        )
        results = []
        for name, sql in QUERIES.items():

            def in_duckdb(sql: str = sql) -> list[tuple[Any, ...]]:
                return direct.execute(sql).fetchall()

            def in_stepline(sql: str = sql) -> list[tuple[Any, ...]]:
                return through_api(engine, sql)

            direct_ms, api_ms, expected, got = compare(in_duckdb, in_stepline, repeat)
            if len(got) != len(expected) or str(got[0][0]) != str(expected[0][0]):
                raise SystemExit(f"{name}: results differ: {got[:2]} vs {expected[:2]}")
            results.append((name, direct_ms, api_ms, rows))
        return results
    finally:
        direct.close()
        engine.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query (median)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="stepline-sql-bench-") as tmp:
        for rows in args.rows:
            results += bench(rows, args.repeat, Path(tmp))
    print()
    print(f"{'rows':>12}  {'query':<10} {'DuckDB ms':>10} {'stepline ms':>12} {'overhead ms':>12}")
    for name, direct_ms, api_ms, rows in results:
        overhead = api_ms - direct_ms
        flag = "" if overhead < 50 else "  (over the 50 ms target)"
        print(f"{rows:>12,}  {name:<10} {direct_ms:>10.1f} {api_ms:>12.1f} {overhead:>12.1f}{flag}")


if __name__ == "__main__":
    main()
