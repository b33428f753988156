"""Queries end to end: real DuckDB over real Parquet files, tables in a real store."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from athena_support import ORDERS_DAYS, ORDERS_DDL, failed, ok, rows, run, write_orders

from stepline.athena import AthenaSettings, InvalidRequest, QueryEngine
from stepline.lake import LakePaths
from stepline.store.open import open_backend

LONG_QUERY = "SELECT sum(a.range * b.range) FROM range(300000) a, range(300000) b"


@pytest.fixture
def durable(store_url: str, lake: LakePaths) -> Iterator[QueryEngine]:
    """An engine over each backend: memory, SQLite and PostgreSQL."""
    store = open_backend(store_url)
    engine = QueryEngine(store, lake)
    try:
        yield engine
    finally:
        engine.close()
        store.close()


def orders_table(engine: QueryEngine, lake: LakePaths, rows_per_day: int = 100) -> None:
    write_orders(lake.local_path("s3://lake/curated/orders"), rows_per_day)
    ok(engine, "CREATE DATABASE sales")
    ok(engine, ORDERS_DDL.format(name="sales.curated_orders", location="s3://lake/curated/orders/"))


def test_external_table_repair_and_partition_pruned_select(
    durable: QueryEngine, lake: LakePaths
) -> None:
    engine = durable
    orders_table(engine, lake)
    # Athena reads registered partitions only: none yet
    assert rows(engine, "SELECT count(*) FROM sales.curated_orders") == [("0",)]
    repair = ok(engine, "MSCK REPAIR TABLE sales.curated_orders")
    assert repair.statement_type == "DDL"
    assert rows(engine, "SHOW PARTITIONS sales.curated_orders") == [
        (f"process_date={day}",) for day in ORDERS_DAYS
    ]
    query = (
        "SELECT process_date, COUNT(*) AS row_count FROM curated_orders"
        " WHERE process_date = DATE '2025-01-26' GROUP BY process_date"
    )
    assert rows(engine, query, database="sales") == [("2025-01-26", "100")]
    record = ok(engine, query, database="sales")
    assert record.scanned_bytes and record.scanned_bytes > 0
    # Only the partition the WHERE names is read: a third of the whole table's bytes; the
    # other partitions' files may even vanish meanwhile (another writer replacing them).
    whole = ok(engine, "SELECT count(*) FROM curated_orders", database="sales").scanned_bytes
    assert whole is not None and record.scanned_bytes < whole / 2
    for folder in lake.local_path("s3://lake/curated/orders").glob("process_date=2025-01-25"):
        for part in folder.iterdir():
            part.unlink()
    assert rows(engine, query, database="sales") == [("2025-01-26", "100")]
    assert record.engine_ms is not None and record.total_ms is not None
    assert record.queue_ms is not None
    # a second repair finds nothing new
    assert rows(engine, "MSCK REPAIR TABLE sales.curated_orders") == []


def test_insert_into_partitioned_table_then_count_per_partition(
    durable: QueryEngine, lake: LakePaths
) -> None:
    engine = durable
    orders_table(engine, lake)
    ok(engine, "MSCK REPAIR TABLE sales.curated_orders")
    ok(engine, "CREATE DATABASE gold")
    ok(
        engine,
        "CREATE EXTERNAL TABLE gold.daily_revenue (customer string, revenue double)"
        " PARTITIONED BY (process_date date) STORED AS PARQUET"
        " LOCATION 's3://lake/gold/daily_revenue/'",
    )
    insert = ok(
        engine,
        "INSERT INTO gold.daily_revenue SELECT customer, sum(amount), process_date"
        " FROM sales.curated_orders WHERE process_date <= DATE '2025-01-26'"
        " GROUP BY customer, process_date",
    )
    assert insert.update_count == 8
    assert engine.get_query_results(insert.id).to_api()["UpdateCount"] == 8
    # one more day, and rows for a day that has files already (appended)
    ok(
        engine,
        "INSERT INTO gold.daily_revenue (process_date, customer, revenue)"
        " VALUES (DATE '2025-01-27', 'c9', 1.5), (DATE '2025-01-26', 'c9', 2.5)",
    )
    counts = rows(
        engine,
        "SELECT process_date, count(*) FROM gold.daily_revenue GROUP BY 1 ORDER BY 1",
    )
    assert counts == [("2025-01-25", "4"), ("2025-01-26", "5"), ("2025-01-27", "1")]
    assert rows(engine, "SHOW PARTITIONS gold.daily_revenue") == [
        (f"process_date={day}",) for day in ORDERS_DAYS
    ]
    folder = lake.local_path("s3://lake/gold/daily_revenue")
    day = sorted(os.listdir(folder / "process_date=2025-01-26"))
    assert len(day) == 2 and all(name.endswith(".parquet") for name in day)
    assert not [n for n in os.listdir(folder.parent) if n.startswith(".")]  # no staging left


def test_insert_checks_the_columns(engine: QueryEngine, lake: LakePaths) -> None:
    orders_table(engine, lake)
    bad = failed(engine, "INSERT INTO sales.curated_orders SELECT 1, 2.0")
    assert bad.state_change_reason.startswith("TYPE_MISMATCH: Insert query has mismatched")
    assert "Table: [bigint, double, string, date], Query: [integer, decimal]" in (
        bad.state_change_reason
    )
    missing = failed(engine, "INSERT INTO sales.curated_orders (nope) SELECT 1")
    assert missing.state_change_reason.startswith("COLUMN_NOT_FOUND")
    unknown = failed(engine, "INSERT INTO sales.nope SELECT 1")
    assert "Table 'awsdatacatalog.sales.nope' does not exist" in unknown.state_change_reason


def test_create_table_as_select(engine: QueryEngine, lake: LakePaths) -> None:
    orders_table(engine, lake)
    ok(engine, "MSCK REPAIR TABLE sales.curated_orders")
    ctas = ok(
        engine,
        "CREATE TABLE sales.revenue WITH (format = 'PARQUET',"
        " external_location = 's3://lake/gold/revenue/', partitioned_by = ARRAY['process_date'])"
        " AS SELECT customer, sum(amount) AS revenue, count(*) AS orders, process_date"
        " FROM sales.curated_orders GROUP BY customer, process_date",
    )
    assert (ctas.statement_type, ctas.substatement_type) == ("DML", "CREATE_TABLE_AS_SELECT")
    assert ctas.update_count == 12
    assert rows(engine, "DESCRIBE sales.revenue")[:4] == [
        ("customer", "string", ""),
        ("revenue", "double", ""),
        ("orders", "bigint", ""),
        ("process_date", "date", ""),
    ]
    table = engine.catalog.get_table("sales", "revenue")
    assert [k.name for k in table.partition_keys] == ["process_date"]
    assert table.location == "s3://lake/gold/revenue/"
    assert rows(engine, "SELECT sum(orders) FROM sales.revenue") == [("300",)]
    assert len(engine.catalog.all_partitions(table)) == 3

    again = failed(engine, "CREATE TABLE sales.revenue AS SELECT 1 AS a")
    assert again.state_change_reason.startswith("TABLE_ALREADY_EXISTS")
    ok(engine, "CREATE TABLE IF NOT EXISTS sales.revenue AS SELECT 1 AS a")
    taken = failed(
        engine,
        "CREATE TABLE sales.other WITH (external_location = 's3://lake/gold/revenue/')"
        " AS SELECT 1 AS a",
    )
    assert taken.state_change_reason.startswith("HIVE_PATH_ALREADY_EXISTS")
    order = failed(
        engine,
        "CREATE TABLE sales.bad WITH (partitioned_by = ARRAY['a']) AS SELECT 1 AS a, 2 AS b",
    )
    assert "Partition keys must be the last columns" in order.state_change_reason


def test_ctas_defaults_textfile_json_and_no_data(
    engine: QueryEngine, lake: LakePaths, tmp_path: Path
) -> None:
    ctas = ok(engine, "CREATE TABLE plain AS SELECT 1 AS a, 'x' AS b")
    table = engine.catalog.get_table("default", "plain")
    # AWS: without external_location, under <output location>/tables/<query id>/
    assert table.location == f"s3://stepline-athena-results/tables/{ctas.id}/"
    assert "parquet" in (table.storage_descriptor.serde_info.serialization_library or "").lower()
    assert rows(engine, "SELECT * FROM plain") == [("1", "x")]

    ok(
        engine,
        "CREATE TABLE text_t WITH (format = 'TEXTFILE', field_delimiter = '|',"
        " external_location = 's3://lake/text_t/') AS SELECT 1 AS a, 'x y' AS b, NULL AS c",
    )
    written = list(lake.local_path("s3://lake/text_t").iterdir())
    assert [p.read_text() for p in written] == ["1|x y|\\N\n"]
    assert rows(engine, "SELECT a, b, c FROM text_t") == [("1", "x y", None)]

    folder = tmp_path / "json_t"
    ok(
        engine,
        f"CREATE TABLE json_t WITH (format = 'JSON', external_location = '{folder}')"
        " AS SELECT 1 AS a WITH NO DATA",
    )
    assert rows(engine, "SELECT count(*) FROM json_t") == [("0",)]
    assert not folder.exists()
    ok(engine, "INSERT INTO json_t VALUES (7)")
    assert rows(engine, "SELECT a FROM json_t") == [("7",)]
    assert [p.suffix for p in folder.iterdir()] == [".json"]


def test_bad_sql_ends_failed_with_athena_reasons(engine: QueryEngine, lake: LakePaths) -> None:
    orders_table(engine, lake)
    cases = {
        "SELEC 1": "SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'",
        "SELECT * FROM sales.curated_orders WHERE": "SYNTAX_ERROR: line 1:",
        "SELECT nope FROM sales.curated_orders": "COLUMN_NOT_FOUND: Referenced column",
        "SELECT 1 FROM\n  sales.missing": (
            "TABLE_NOT_FOUND: line 2:3: Table 'awsdatacatalog.sales.missing' does not exist"
        ),
        "SELECT * FROM nodb.t": "SCHEMA_NOT_FOUND: line 1:15: Schema 'nodb' does not exist",
        "SELECT no_such_function(1)": "FUNCTION_NOT_FOUND",
        "SELECT CAST('abc' AS integer)": "INVALID_CAST_ARGUMENT",
        "UPDATE sales.curated_orders SET amount = 1": "NOT_SUPPORTED",
        "SELECT 1; SELECT 2": "SYNTAX_ERROR: line 1:9: Only one sql statement is allowed",
        "SELECT * FROM other.db.t": "CATALOG_NOT_FOUND",
    }
    for sql, reason in cases.items():
        record = failed(engine, sql)
        assert record.state_change_reason.startswith(reason), (sql, record.state_change_reason)
        assert record.error_category == 2
        assert record.error_message == record.state_change_reason
        assert record.completed_at is not None
    syntax = failed(engine, "SELEC 1")
    assert syntax.error_type == 1006
    with pytest.raises(InvalidRequest, match="Final query state: FAILED"):
        engine.get_query_results(syntax.id)


def test_stop_a_long_query(engine: QueryEngine) -> None:
    query_id = engine.start_query_execution(LONG_QUERY)
    deadline = time.monotonic() + 10
    while engine.get_query_execution(query_id).state != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    started = time.monotonic()
    engine.stop_query_execution(query_id)
    record = engine.wait(query_id, timeout=10)
    assert record.state == "CANCELLED"
    assert time.monotonic() - started < 5
    with engine._lock:  # DuckDB was interrupted: the query's connection is gone
        deadline = time.monotonic() + 5
    while query_id in engine._running:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert engine.get_query_execution(query_id).state == "CANCELLED"
    engine.stop_query_execution(query_id)  # an ended query: nothing changes
    with pytest.raises(InvalidRequest, match="CANCELLED"):
        engine.get_query_results(query_id)
    with pytest.raises(InvalidRequest, match="was not found"):
        engine.stop_query_execution("nope")


def test_stop_a_queued_query_and_from_another_engine(lake: LakePaths, tmp_path: Path) -> None:
    store = open_backend(f"sqlite:///{tmp_path}/db.sqlite")
    one = QueryEngine(store, lake, settings=AthenaSettings(threads=1, watch_seconds=0.05))
    other = QueryEngine(store, lake)
    try:
        long_id = one.start_query_execution(LONG_QUERY)
        queued_id = one.start_query_execution("SELECT 1")
        assert one.get_query_execution(queued_id).state == "QUEUED"
        one.stop_query_execution(queued_id)
        other.stop_query_execution(long_id)  # recorded by another engine: one notices
        assert one.wait(long_id, timeout=10).state == "CANCELLED"
        deadline = time.monotonic() + 5
        while one._running:
            assert time.monotonic() < deadline, "the query was not interrupted"
            time.sleep(0.02)
        assert one.get_query_execution(queued_id).state == "CANCELLED"
        assert one.get_query_execution(queued_id).engine_ms is None  # it never ran
    finally:
        one.close()
        other.close()
        store.close()


def test_queries_run_concurrently(engine: QueryEngine) -> None:
    first = engine.start_query_execution(LONG_QUERY)
    second = engine.start_query_execution(LONG_QUERY)
    deadline = time.monotonic() + 10
    while {engine.get_query_execution(q).state for q in (first, second)} != {"RUNNING"}:
        assert time.monotonic() < deadline, "both should run at once"
        time.sleep(0.02)
    quick = engine.run("SELECT 1", timeout=10)
    assert quick.state == "SUCCEEDED"
    for query_id in (first, second):
        engine.stop_query_execution(query_id)
        assert engine.wait(query_id, timeout=10).state == "CANCELLED"


def test_execution_parameters_and_request_tokens(engine: QueryEngine) -> None:
    assert rows(engine, "SELECT ? AS a, ? + 1 AS b", execution_parameters=["'x'", "41"]) == [
        ("x", "42")
    ]
    wrong = failed(engine, "SELECT ?", execution_parameters=["1", "2"])
    assert wrong.state_change_reason.startswith("INVALID_PARAMETER_USAGE")
    token = "t" * 40
    first = engine.start_query_execution("SELECT 1", client_request_token=token)
    again = engine.start_query_execution("SELECT 1", client_request_token=token)
    assert first == again
    assert engine.wait(first).state == "SUCCEEDED"


def test_orphaned_query_of_a_dead_engine_fails(engine: QueryEngine) -> None:
    import dataclasses
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = f"{engine.engine_id.split(':')[0]}:{child.stdout.strip()}:gone"
    query_id = engine.start_query_execution("SELECT 1")
    engine.wait(query_id)
    record = engine.store.get_query_execution(query_id)
    assert record is not None
    lost = dataclasses.replace(
        record, id="lost-1", state="RUNNING", owner=dead, client_request_token=None
    )
    engine.store.create_query_execution(lost)
    found = engine.get_query_execution("lost-1")
    assert found.state == "FAILED"
    assert found.state_change_reason == "ENGINE_LOST: the engine running the query stopped"


def test_list_query_executions_newest_first(engine: QueryEngine) -> None:
    ids = [engine.start_query_execution(f"SELECT {i}") for i in range(3)]
    for query_id in ids:
        engine.wait(query_id)
    listed, token = engine.list_query_executions(max_results=2)
    assert listed == ids[::-1][:2] and token == ids[1]
    rest, token = engine.list_query_executions(max_results=2, next_token=token)
    assert rest == [ids[0]] and token is None
    with pytest.raises(InvalidRequest, match="WorkGroup nope is not found"):
        engine.list_query_executions("nope")


def test_start_validates_the_request(engine: QueryEngine) -> None:
    with pytest.raises(InvalidRequest, match="QueryString"):
        engine.start_query_execution("")
    with pytest.raises(InvalidRequest, match="WorkGroup nope is not found"):
        engine.start_query_execution("SELECT 1", workgroup="nope")
    with pytest.raises(InvalidRequest, match="bucket"):
        engine.start_query_execution("SELECT 1", output_location="s3://A/")
    assert run(engine, "SELECT 1", catalog="other").state_change_reason == (
        "CATALOG_NOT_FOUND: Catalog 'other' does not exist"
    )
