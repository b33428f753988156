"""``athena:startQueryExecution(.sync)``, ``getQueryExecution``, ``getQueryResults`` and
``stopQueryExecution`` in state machines: real queries on the worker's query engine, on
every store backend."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from runner import Executions

from stepline.cli_store import service_registry
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

ATHENA = "arn:aws:states:::athena:"
SYNC = ATHENA + "startQueryExecution.sync"
DDL = (
    "CREATE EXTERNAL TABLE IF NOT EXISTS gold.daily (customer string, revenue double)"
    " PARTITIONED BY (day date) STORED AS PARQUET LOCATION 's3://lake/gold/daily/'"
)
INSERT = (
    "INSERT INTO gold.daily SELECT 'c1', 1.5, DATE '2025-01-01'"
    " UNION ALL SELECT 'c2', 2.5, DATE '2025-01-01'"
    " UNION ALL SELECT 'c1', 4.0, DATE '2025-01-02'"
)
# A query that runs for a while (until stopped).
SLOW = "SELECT count(*) FROM range(100000000000) a"


Env = Executions  # the service of a background worker


@contextmanager
def running(store_url: str, directory: Path) -> Iterator[Env]:
    store = open_store(store_url)
    service = Service(store, RealClock(), data_root=directory / "lake")
    worker = Worker(service, service_registry(service, {}), "w", 4, athena_wait=0.5)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield Env(service)
    finally:
        stop.set()
        thread.join(30)
        service.close()
        store.close()


@pytest.fixture
def env(store_url: str, tmp_path: Path) -> Iterator[Env]:
    with running(store_url, tmp_path) as started:
        yield started


def query(sql: str, next_state: str | None, result_path: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": SYNC,
        "Parameters": {"QueryString": sql, "WorkGroup": "primary"},
    }
    if result_path:
        state["ResultPath"] = result_path
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def test_sync_insert_into_partitioned_table_then_count_read_back(env: Env) -> None:
    states = {
        "Database": query("CREATE DATABASE IF NOT EXISTS gold", "Table", "$.db"),
        "Table": query(DDL, "Insert", "$.table"),
        "Insert": query(INSERT, "Count", "$.insert"),
        "Count": {
            "Type": "Task",
            "Resource": SYNC,
            "Parameters": {
                "QueryString": "SELECT count(*) AS n FROM daily WHERE day = ?",
                "QueryExecutionContext": {"Database": "gold"},
                "ExecutionParameters": ["DATE '2025-01-01'"],
            },
            "ResultPath": "$.count",
            "Next": "Results",
        },
        "Results": {
            "Type": "Task",
            "Resource": ATHENA + "getQueryResults",
            "Parameters": {"QueryExecutionId.$": "$.count.QueryExecution.QueryExecutionId"},
            "ResultSelector": {"n.$": "$.ResultSet.Rows[1].Data[0].VarCharValue"},
            "ResultPath": "$.results",
            "Next": "Get",
        },
        "Get": {
            "Type": "Task",
            "Resource": ATHENA + "getQueryExecution",
            "Parameters": {"QueryExecutionId.$": "$.insert.QueryExecution.QueryExecutionId"},
            "ResultSelector": {"state.$": "$.QueryExecution.Status.State"},
            "ResultPath": "$.get",
            "End": True,
        },
    }
    arn = env.machine("athena-etl", states, "Database")
    record = env.run(arn)
    assert record.status == "SUCCEEDED", env.service.history(record.arn)[-1]
    output = json.loads(record.output or "{}")
    assert output["results"] == {"n": "2"}
    assert output["get"] == {"state": "SUCCEEDED"}
    inserted = output["insert"]["QueryExecution"]
    assert inserted["StatementType"] == "DML"
    assert isinstance(inserted["Status"]["SubmissionDateTime"], int)  # epoch millis
    assert env.types(record.arn).count("TaskSubmitted") == 4
    table = env.service.athena.catalog.get_table("gold", "daily")
    assert [c.name for c in table.partition_keys] == ["day"]
    partitions = env.service.athena.catalog.all_partitions(table)
    assert sorted(p.values for p in partitions) == [("2025-01-01",), ("2025-01-02",)]


def test_request_response_start_returns_the_id(env: Env) -> None:
    states = {
        "Start": {
            "Type": "Task",
            "Resource": ATHENA + "startQueryExecution",
            "Parameters": {"QueryString": "SELECT 1"},
            "End": True,
        }
    }
    record = env.run(env.machine("athena-start", states, "Start"))
    assert record.status == "SUCCEEDED"
    output = json.loads(record.output or "{}")
    assert list(output) == ["QueryExecutionId"]
    done = env.service.athena.wait(output["QueryExecutionId"], 30)
    assert done.state == "SUCCEEDED"
    assert done.client_request_token is not None and len(done.client_request_token) == 64


def test_bad_query_fails_the_task_and_is_caught(env: Env) -> None:
    states = {
        "Bad": {
            **query("SELECT * FROM no_such_table", None),
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
        },
        "Caught": {"Type": "Pass", "End": True},
    }
    record = env.run(env.machine("athena-bad", states, "Bad"))
    assert record.status == "SUCCEEDED"
    caught = json.loads(record.output or "{}")
    assert caught["Error"] == "States.TaskFailed"
    cause = json.loads(caught["Cause"])["QueryExecution"]
    assert cause["Status"]["State"] == "FAILED"
    assert "no_such_table" in cause["Status"]["StateChangeReason"]


def test_athena_errors_are_named_for_catch(env: Env) -> None:
    states = {
        "Get": {
            "Type": "Task",
            "Resource": ATHENA + "getQueryExecution",
            "Parameters": {"QueryExecutionId": "no-such-query"},
            "End": True,
        }
    }
    record = env.run(env.machine("athena-missing", states, "Get"))
    assert record.status == "FAILED"
    assert record.error == "Athena.InvalidRequestException"


def test_abort_stops_the_query(env: Env) -> None:
    states = {"Slow": query(SLOW, None)}
    arn = env.machine("athena-slow", states, "Slow")
    record = env.service.start_execution(arn, "{}")
    deadline = time.monotonic() + 30
    while "TaskSubmitted" not in env.types(record.arn):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    env.service.stop_execution(record.arn, "Stop", "by the test")
    assert env.wait(record.arn).status == "ABORTED"
    ids, _ = env.service.athena.list_query_executions()
    [stopped] = ids
    assert env.service.athena.wait(stopped, 30).state == "CANCELLED"


def test_task_timeout_stops_the_query(env: Env) -> None:
    states = {"Slow": {**query(SLOW, None), "TimeoutSeconds": 1}}
    record = env.run(env.machine("athena-timeout", states, "Slow"))
    assert record.status == "FAILED" and record.error == "States.Timeout"
    ids, _ = env.service.athena.list_query_executions()
    states_seen = {env.service.athena.wait(q, 30).state for q in ids}
    assert states_seen == {"CANCELLED"}


def test_the_wait_survives_a_worker_restart(durable_url: str, tmp_path: Path) -> None:
    """The first worker's process goes (its engine closes: the query it ran ends FAILED);
    a new worker on the same store picks up the durable poll and ends the task."""
    store = open_store(durable_url)
    first = Service(store, RealClock(), data_root=tmp_path / "lake")
    worker = Worker(first, service_registry(first, {}), "w1", 2, 1.0, athena_wait=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    arn = Env(first).machine("athena-restart", {"Slow": query(SLOW, None)}, "Slow")
    record = first.start_execution(arn, "{}")
    deadline = time.monotonic() + 30
    while "TaskSubmitted" not in Env(first).types(record.arn):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stop.set()
    thread.join(30)
    first.close()  # the process "dies": its running query ends FAILED
    store.close()
    with running(durable_url, tmp_path) as env:
        ended = env.wait(record.arn, 60)
        assert ended.status == "FAILED" and ended.error == "States.TaskFailed"
        cause = json.loads(ended.cause or "{}")["QueryExecution"]
        assert cause["Status"]["State"] == "FAILED"
        assert env.types(record.arn).count("TaskSubmitted") == 1
