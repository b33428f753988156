"""Lake fixtures for the quality tests: real Parquet and CSV files written by DuckDB, a real
store, a lake catalog table made by Athena DDL (CREATE EXTERNAL TABLE, MSCK REPAIR TABLE)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from stepline.athena.engine import QueryEngine
from stepline.lake.paths import LakePaths
from stepline.quality.run import QualityRequest, QualityRunner
from stepline.quality.target import Target
from stepline.runtime.clock import ManualClock
from stepline.store.protocol import Store

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
# 4 orders: hand-computed metrics in test_quality_rules.py
ORDERS = """
SELECT * FROM (VALUES
    (1, 'new',  10.0,             TIMESTAMP '2026-03-10 11:00:00', 'AB12'),
    (2, 'paid', 20.0,             TIMESTAMP '2026-03-09 06:00:00', 'CD'),
    (3, NULL,   30.0,             NULL,                            NULL),
    (3, 'void', CAST(NULL AS DOUBLE), TIMESTAMP '2026-03-10 09:00:00', 'EF34')
) AS t(order_id, status, amount, ts, code)
"""


def write(sql: str, target: Path, options: str = "FORMAT PARQUET") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"COPY ({sql}) TO '{target}' ({options})")
    return target


def runner(store: Store, root: Path) -> QualityRunner:
    return QualityRunner(store, LakePaths(root), ManualClock(NOW))


def run(quality: QualityRunner, rules: str, **target: Any) -> dict[str, Any]:
    text = rules if rules.startswith("Rules") else f"Rules = [ {rules} ]"
    references = target.pop("references", {})
    profile = target.pop("profile", None)
    return quality.run(
        QualityRequest(Target(**target), ruleset=text, references=references, profile=profile)
    )


def orders_table(store: Store, root: Path) -> None:
    """lake.orders partitioned by process_date: two days written the Hive way, both
    registered; the second day has a NULL order_id."""
    base = root / "lake-bucket" / "orders"
    day1 = "SELECT * FROM (VALUES (1, 'new'), (2, 'paid')) t(order_id, status)"
    day2 = "SELECT * FROM (VALUES (3, 'new'), (NULL, 'paid')) t(order_id, status)"
    write(day1, base / "process_date=2026-03-01" / "part-0.parquet")
    write(day2, base / "process_date=2026-03-02" / "part-0.parquet")
    engine = QueryEngine(store, LakePaths(root), ManualClock(NOW))
    try:
        for sql in (
            "CREATE DATABASE IF NOT EXISTS lake",
            "CREATE EXTERNAL TABLE lake.orders (order_id bigint, status string) "
            "PARTITIONED BY (process_date string) STORED AS PARQUET "
            "LOCATION 's3://lake-bucket/orders/'",
            "MSCK REPAIR TABLE lake.orders",
        ):
            done = engine.run(sql, timeout=60)
            assert done.state == "SUCCEEDED", done.state_change_reason
    finally:
        engine.close()
