"""The quality gate as a Task of a durable state machine on every store: a Choice on
``$.quality_score`` publishes a good partition and quarantines a bad one; bad requests fail
the task with Quality.* errors that Catch can match."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from stepline.athena.engine import QueryEngine
from stepline.cli_store import service_registry
from stepline.lake.paths import LakePaths
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = 'Rules = [ RowCount > 0, IsComplete "order_id", IsUnique "order_id" ]'


def gate(resource: str) -> dict[str, Any]:
    check = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"table.$": "$.table", "partition.$": "$.partition", "ruleset": RULES},
        "ResultPath": "$.quality",
        "Next": "Good?",
        "Catch": [{"ErrorEquals": ["Quality.TableNotFound"], "Next": "NoTable"}],
    }
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.quality.quality_score", "NumericGreaterThanEquals": 1,
                     "Next": "Publish"}],
        "Default": "Quarantine",
    }  # fmt: skip
    quarantine = {
        "Type": "Task",
        "Resource": "arn:aws:states:::stepline:quality.quarantine",
        "Parameters": {"table.$": "$.table", "partition.$": "$.partition", "reason": "failed"},
        "ResultPath": "$.moved",
        "Next": "Quarantined",
    }
    return {
        "StartAt": "Check",
        "States": {
            "Check": check,
            "Good?": choice,
            "Publish": {"Type": "Pass", "Result": "published", "ResultPath": "$.outcome",
                        "End": True},
            "Quarantine": quarantine,
            "Quarantined": {"Type": "Pass", "Result": "quarantined", "ResultPath": "$.outcome",
                            "End": True},
            "NoTable": {"Type": "Pass", "Result": "no table", "ResultPath": "$.outcome",
                        "End": True},
        },
    }  # fmt: skip


@pytest.fixture
def env(store_url: str, tmp_path: Path) -> tuple[Service, Worker, Path]:
    clock = ManualClock(T0)
    service = Service(open_store(store_url), clock, data_root=tmp_path)
    base = tmp_path / "lake-bucket" / "orders"
    for day, rows in (("2026-03-01", "(1), (2)"), ("2026-03-02", "(3), (3)")):
        (base / f"process_date={day}").mkdir(parents=True)
        duckdb.sql(
            f"COPY (SELECT * FROM (VALUES {rows}) t(order_id)) "
            f"TO '{base}/process_date={day}/p.parquet' (FORMAT PARQUET)"
        )
    engine = QueryEngine(service.store, LakePaths(tmp_path), clock)
    for sql in (
        "CREATE DATABASE lake",
        "CREATE EXTERNAL TABLE lake.orders (order_id bigint) PARTITIONED BY (process_date "
        "string) STORED AS PARQUET LOCATION 's3://lake-bucket/orders/'",
        "MSCK REPAIR TABLE lake.orders",
    ):
        assert engine.run(sql, timeout=60).state == "SUCCEEDED"
    engine.close()
    return service, Worker(service, service_registry(service, {}), "w"), base


def execute(service: Service, worker: Worker, name: str, given: dict[str, Any]) -> Any:
    record = service.start_execution("gate", json.dumps(given), name)
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    return json.loads(done.output or "null")


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::stepline:quality",
        "arn:aws:lambda:us-east-1:123456789012:function:stepline-quality",
    ],
)
def test_choice_on_the_quality_score(env: Any, resource: str) -> None:
    service, worker, base = env
    service.create_state_machine("gate", json.dumps(gate(resource)))
    good = execute(service, worker, "good", {"table": "lake.orders",
                                             "partition": "process_date=2026-03-01"})  # fmt: skip
    assert good["outcome"] == "published"
    assert good["quality"]["status"] == "PASS" and good["quality"]["failed_checks"] == []
    bad = execute(service, worker, "bad", {"table": "lake.orders",
                                           "partition": "process_date=2026-03-02"})  # fmt: skip
    assert bad["outcome"] == "quarantined"
    assert bad["quality"]["status"] == "FAIL"
    assert bad["quality"]["quality_score"] == pytest.approx(2 / 3)
    assert bad["quality"]["failed_checks"] == ['IsUnique "order_id"']
    assert bad["moved"]["registered"] is True
    assert (base / "_quarantine" / "process_date=2026-03-02" / "p.parquet").is_file()
    stored = service.store.list_quality_results("lake.orders")
    assert [r.run_id for r in stored] == [bad["quality"]["run_id"], good["quality"]["run_id"]]
    missing = execute(service, worker, "missing", {"table": "lake.nope",
                                                   "partition": "process_date=1"})  # fmt: skip
    assert missing["outcome"] == "no table"


def test_bad_rulesets_fail_the_task(env: Any) -> None:
    service, worker, _ = env
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::stepline:quality",
        "Parameters": {"table": "lake.orders", "ruleset": "Rules = [ Nope ]"},
        "End": True,
    }
    service.create_state_machine("gate", json.dumps({"StartAt": "T", "States": {"T": task}}))
    record = service.start_execution("gate", "{}", "bad-rules")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "FAILED" and done.error == "Quality.InvalidRuleset"
    assert "line 1, column 11: unknown rule type 'Nope'" in (done.cause or "")
    assert "(state 'T')" in (done.cause or "")
