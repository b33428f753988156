"""SQL over the lake: the cost of Athena's semantics on top of DuckDB.

Generates ``curated_orders`` (Parquet, Hive-partitioned by process_date, 30 days) with 1M
and 10M rows, registers it (CREATE EXTERNAL TABLE + MSCK REPAIR TABLE, SQLite store), and
times two queries three ways over the same files, in the same run:

* DuckDB: the SQL run directly in DuckDB (no stepline);
* API: through the query engine (StartQueryExecution -> the end -> the first page of
  GetQueryResults), as the AmazonAthena API serves it;
* machine: a durable STANDARD execution (SQLite store, an in-process worker with its default
  settings) of ``athena:startQueryExecution.sync`` -> ``athena:getQueryResults``, timed from
  StartExecution to the execution's SUCCEEDED, the rows read from its output.

The queries:

* partition: SELECT process_date, COUNT(*) ... WHERE process_date = DATE '2025-01-26' ...
* gold:      revenue per day over the whole table

    python benchmarks/sql.py [--rows 1000000 10000000] [--repeat 7]

Target: under 50 ms of overhead per query.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from stepline.athena import AthenaSettings, QueryEngine
from stepline.cli_store import service_registry
from stepline.lake import LakePaths
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Service
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
    ways: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Median milliseconds of ``repeat`` runs of each way (after a warm-up), runs
    interleaved so that a busy machine slows all alike; and each way's last result."""
    results = {name: run() for name, run in ways.items()}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeat):
        for name, run in ways.items():
            started = time.perf_counter()
            results[name] = run()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(spent) for name, spent in times.items()}, results


def through_api(engine: QueryEngine, sql: str) -> list[tuple[Any, ...]]:
    record = engine.run(sql, database="sales")
    if record.state != "SUCCEEDED":
        raise SystemExit(f"{sql}: {record.state} {record.state_change_reason}")
    page = engine.get_query_results(record.id, 1000)
    return [tuple(row) for row in page.rows[1:]]


MACHINE = {
    "StartAt": "Query",
    "States": {
        "Query": {
            "Type": "Task",
            "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
            "Parameters": {
                "QueryString.$": "$.sql",
                "QueryExecutionContext": {"Database": "sales"},
            },
            "Next": "Results",
        },
        "Results": {
            "Type": "Task",
            "Resource": "arn:aws:states:::athena:getQueryResults",
            "Parameters": {
                "QueryExecutionId.$": "$.QueryExecution.QueryExecutionId",
                "MaxResults": 1000,
            },
            "End": True,
        },
    },
}


def in_duckdb(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return connection.execute(sql).fetchall()


def through_machine(service: Service, machine: str, sql: str) -> list[tuple[Any, ...]]:
    started = service.start_execution(machine, json.dumps({"sql": sql}))
    while (record := service.describe_execution(started.arn)).status == "RUNNING":
        time.sleep(0.001)
    if record.status != "SUCCEEDED":
        raise SystemExit(f"{sql}: the execution ended {record.status}: {record.cause}")
    rows = json.loads(record.output or "{}")["ResultSet"]["Rows"][1:]
    return [tuple(cell.get("VarCharValue") for cell in row["Data"]) for row in rows]


def bench(rows: int, repeat: int, directory: Path) -> list[tuple[str, dict[str, float], int]]:
    lake = LakePaths(directory / "lake")
    folder = lake.local_path(f"s3://bench-lake/curated_orders_{rows}")
    seconds = generate(folder, rows)
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    print(f"{rows:>12,} rows: generated in {seconds:.1f} s, {size / 1e6:.1f} MB of Parquet")
    store = open_store(f"sqlite:///{directory}/bench-{rows}.db")
    engine = QueryEngine(store, lake, settings=AthenaSettings(threads=2))
    direct = duckdb.connect()
    service = Service(store, RealClock(), data_root=lake.data_root)
    worker = Worker(service, service_registry(service, {}), "bench")
    stop = threading.Event()
    working = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    working.start()
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
        machine = service.create_state_machine(f"bench-{rows}", json.dumps(MACHINE)).arn
        results = []
        for name, sql in QUERIES.items():
            ways: dict[str, Callable[[], list[tuple[Any, ...]]]] = {
                "duckdb": functools.partial(in_duckdb, direct, sql),
                "api": functools.partial(through_api, engine, sql),
                "machine": functools.partial(through_machine, service, machine, sql),
            }
            medians, got = compare(ways, repeat)
            expected = got["duckdb"]
            for way in ("api", "machine"):
                same = len(got[way]) == len(expected) and str(got[way][0][0]) == str(expected[0][0])
                if not same:
                    raise SystemExit(f"{name} ({way}): results differ: {got[way][:2]}")
            results.append((name, medians, rows))
        return results
    finally:
        stop.set()
        working.join()
        service.close()
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
    header = ("rows", "query", "DuckDB ms", "API ms", "overhead", "machine ms", "overhead")
    print("{:>12}  {:<10} {:>10} {:>8} {:>9} {:>11} {:>9}".format(*header))
    for name, ms, rows in results:
        api, machine = ms["api"] - ms["duckdb"], ms["machine"] - ms["duckdb"]
        flag = "" if max(api, machine) < 50 else "  (over the 50 ms target)"
        print(
            f"{rows:>12,}  {name:<10} {ms['duckdb']:>10.1f} {ms['api']:>8.1f} {api:>9.1f}"
            f" {ms['machine']:>11.1f} {machine:>9.1f}{flag}"
        )


if __name__ == "__main__":
    main()
