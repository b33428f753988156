"""``glue:startJobRun`` and ``.sync`` in state machines: real job scripts in real
subprocesses, run by a worker's job slots, on every store backend."""

from __future__ import annotations

import csv
import json
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from runner import Executions

from stepline.cli_store import service_registry
from stepline.jobs.job_runner import JobRunner, JobSettings
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

GLUE = "arn:aws:states:::glue:startJobRun"
# The example jobs: the raw-to-bronze script is the issue's, unchanged.
JOBS = Path(__file__).resolve().parents[2] / "examples" / "jobs"
RAW_TO_BRONZE = (JOBS / "raw_to_bronze.py").read_text()
BRONZE_TO_CURATED = (JOBS / "bronze_to_curated.py").read_text()
END = {"End": True}
BUSY = "Glue.ConcurrentRunsExceededException"
FAILING = 'raise ValueError("the input file has no header")\n'
SLEEPING = "import time\ntime.sleep(120)\n"


@dataclass
class Env(Executions):
    directory: Path

    def job(self, name: str, source: str, command: str = "glueetl", **members: Any) -> None:
        script = self.directory / "scripts" / f"{name}.py"
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(textwrap.dedent(source))
        definition = {"Name": command, "ScriptLocation": str(script)}
        self.service.jobs.create(name, {"Role": "r", "Command": definition, **members})


@contextmanager
def running(store_url: str, directory: Path) -> Iterator[Env]:
    """A service on ``store_url`` and a worker (4 task slots, 2 job slots) in a thread."""
    store = open_store(store_url)
    service = Service(store, RealClock())
    settings = JobSettings(directory / "jobs", directory / "lake", minute_seconds=1.0)
    jobs = JobRunner(service.job_runs, "w", settings, slots=2, lease_seconds=30)
    worker = Worker(service, service_registry(service, {}), "w", 4, jobs=jobs)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield Env(service, directory)
    finally:
        stop.set()
        thread.join(30)
        store.close()


@pytest.fixture
def env(store_url: str, tmp_path: Path) -> Iterator[Env]:
    with running(store_url, tmp_path) as started:
        yield started


def orders_csv(path: Path, rows: int) -> None:
    """Orders with ~2% duplicate order ids over three days; one in ten is cancelled."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["order_id", "customer_id", "amount", "order_ts", "status"])
        for i in range(rows):
            order = i % (rows - rows // 50)
            status = "cancelled" if order % 10 == 0 else "paid"
            day = f"2025-01-{1 + order % 3:02d}T10:{order % 60:02d}:00"
            out.writerow([order, f"c-{order % 17}", f"{order % 90}.5", day, status])


def sync_task(job: str, arguments: dict[str, str], next_state: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": f"{GLUE}.sync",
        "Parameters": {"JobName": job, "Arguments": arguments},
        "Retry": [
            {
                "ErrorEquals": ["Glue.ConcurrentRunsExceededException", "States.Timeout"],
                "IntervalSeconds": 1,
                "MaxAttempts": 5,
                "BackoffRate": 1,
            }
        ],
    }
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def test_a_two_job_pipeline_runs_the_unchanged_glue_script(env: Env) -> None:
    orders_csv(env.directory / "lake" / "raw" / "orders" / "orders.csv", 500)
    env.job("raw_to_bronze", RAW_TO_BRONZE)
    env.job("bronze_to_curated", BRONZE_TO_CURATED)
    bronze = {"--input_path": "s3://raw/orders/", "--output_path": "s3://bronze/orders/"}
    curated = {"--input_path": "s3://bronze/orders/", "--output_path": "s3://curated/orders/"}
    arn = env.machine(
        "orders",
        {
            "Bronze": {**sync_task("raw_to_bronze", bronze, "Curated"), "ResultPath": "$.bronze"},
            "Curated": sync_task("bronze_to_curated", curated, None),
        },
        "Bronze",
    )
    done = env.run(arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    output = json.loads(done.output or "{}")
    # AWS: .sync's output is the JobRun, as GetJobRun returns it (dates in epoch ms)
    assert output["JobName"] == "bronze_to_curated" and output["JobRunState"] == "SUCCEEDED"
    assert output["Arguments"] == curated and output["Id"].startswith("jr_")
    assert isinstance(output["StartedOn"], int) and output["CompletedOn"] >= output["StartedOn"]
    types = env.types(done.arn)
    assert types.count("TaskSubmitted") == 2 and types.count("TaskSucceeded") == 2
    submitted = types.index("TaskSubmitted")
    assert types[submitted - 2 : submitted + 2] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    lake = env.directory / "lake"
    bronze_rows = duckdb.sql(f"SELECT count(*) FROM '{lake}/bronze/orders/*.parquet'").fetchall()
    assert bronze_rows == [(490,)]  # 500 rows, 10 duplicate order ids dropped
    partitions = sorted(p.name for p in (lake / "curated" / "orders").glob("process_date=*"))
    assert partitions == [
        "process_date=2025-01-01",
        "process_date=2025-01-02",
        "process_date=2025-01-03",
    ]
    curated_rows = duckdb.sql(
        f"SELECT count(*), count(DISTINCT status) FROM '{lake}/curated/orders/*/*.parquet'"
    ).fetchall()
    assert curated_rows == [(441, 1)]  # the 49 cancelled orders are left out


def test_request_response_returns_the_run_at_once(env: Env) -> None:
    env.job("sleepy", SLEEPING, "pythonshell")
    arn = env.machine(
        "fire-and-forget",
        {
            "Start": {
                "Type": "Task",
                "Resource": GLUE,
                "Parameters": {"JobName": "sleepy"},
                "End": True,
            }
        },
        "Start",
    )
    done = env.run(arn)
    assert done.status == "SUCCEEDED"
    output = json.loads(done.output or "{}")
    assert set(output) == {"JobName", "JobRunId"} and output["JobName"] == "sleepy"
    run = env.service.job_runs.get("sleepy", output["JobRunId"])
    assert run.state in ("STARTING", "RUNNING")
    env.service.job_runs.stop("sleepy", [run.id])


def test_a_failed_run_fails_the_task_with_the_job_run_as_cause(env: Env) -> None:
    env.job("broken", FAILING, "pythonshell")
    arn = env.machine(
        "catching",
        {
            "Run": {
                **sync_task("broken", {}, None),
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
            },
            "Caught": {"Type": "Pass", "End": True},
        },
        "Run",
    )
    done = env.run(arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    caught = json.loads(done.output or "{}")
    assert caught["Error"] == "States.TaskFailed"
    cause = json.loads(caught["Cause"])
    assert cause["JobRunState"] == "FAILED" and cause["JobName"] == "broken"
    assert "ValueError: the input file has no header" in cause["ErrorMessage"]


def test_glue_errors_are_prefixed_for_retry_and_catch(env: Env) -> None:
    env.job("sleeper", SLEEPING, "pythonshell", ExecutionProperty={"MaxConcurrentRuns": 1})
    arn = env.machine(
        "errors",
        {
            "Missing": {
                "Type": "Task",
                "Resource": f"{GLUE}.sync",
                "Parameters": {"JobName": "no-such-job"},
                "Catch": [
                    {
                        "ErrorEquals": ["Glue.EntityNotFoundException"],
                        "ResultPath": "$.missing",
                        "Next": "Busy",
                    }
                ],
                "End": True,
            },
            "Busy": {
                "Type": "Task",
                "Resource": f"{GLUE}.sync",
                "Parameters": {"JobName": "sleeper"},
                "Catch": [{"ErrorEquals": [BUSY], "ResultPath": "$.busy", "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
        "Missing",
    )
    held = env.service.job_runs.start("sleeper")  # the only slot of the job is taken
    try:
        done = env.run(arn)
    finally:
        env.service.job_runs.stop("sleeper", [held.id])
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    output = json.loads(done.output or "{}")
    assert output["missing"]["Error"] == "Glue.EntityNotFoundException"
    assert output["busy"]["Error"] == BUSY


@pytest.mark.parametrize("how", ["stop", "task timeout"])
def test_an_ended_task_stops_its_job_run(env: Env, how: str) -> None:
    env.job("long", SLEEPING, "pythonshell")
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": f"{GLUE}.sync",
        "Parameters": {"JobName": "long"},
        "End": True,
    }
    if how == "task timeout":
        task["TimeoutSeconds"] = 2
    arn = env.machine(f"ends-{how.replace(' ', '-')}", {"Run": task}, "Run")
    record = env.service.start_execution(arn, "{}")
    deadline = time.monotonic() + 60
    while "TaskSubmitted" not in env.types(record.arn):
        assert time.monotonic() < deadline, "the job run was never submitted"
        time.sleep(0.05)
    if how == "stop":
        env.service.stop_execution(record.arn, "Halt", "stopped by the test")
    ended = env.wait(record.arn)
    assert ended.status == ("ABORTED" if how == "stop" else "FAILED")
    submitted = next(e for e in env.service.history(record.arn) if e.type == "TaskSubmitted")
    run_id = json.loads(submitted.details or "{}")["output"]
    run_id = json.loads(run_id)["JobRunId"]
    deadline = time.monotonic() + 60
    while env.service.job_runs.get("long", run_id).state != "STOPPED":
        assert time.monotonic() < deadline, env.service.job_runs.get("long", run_id).state
        time.sleep(0.05)


def test_starting_again_with_the_same_task_token_finds_the_same_run(env: Env) -> None:
    """A worker that crashed after starting the run is invoked again: no second run."""
    from stepline.integrations.base import TaskRequest
    from stepline.integrations.glue import Glue

    env.job("once", SLEEPING, "pythonshell", ExecutionProperty={"MaxConcurrentRuns": 1})
    glue = Glue(env.service.job_runs)
    request = TaskRequest(
        resource=f"{GLUE}.sync",
        parameters={"JobName": "once"},
        state_name="Run",
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:m:e",
        token="root#1",
    )
    handler = glue.handler_for(request.resource)
    assert handler is not None
    first, again = handler(request), handler(request)
    assert first == again
    runs, _ = env.service.job_runs.page("once")
    assert [r.id for r in runs] == [first["JobRunId"]]  # type: ignore[index]
    env.service.job_runs.stop("once", [runs[0].id])


@pytest.mark.spark
def test_a_job_can_ask_for_real_pyspark(tmp_path: Path) -> None:
    with running(f"sqlite:///{tmp_path}/store.db", tmp_path) as env:
        pyspark_pipeline(env)


def pyspark_pipeline(env: Env) -> None:
    orders_csv(env.directory / "lake" / "raw" / "spark" / "orders.csv", 200)
    env.job("spark_bronze", RAW_TO_BRONZE, DefaultArguments={"--stepline-engine": "spark"})
    arguments = {"--input_path": "s3://raw/spark/", "--output_path": "s3://bronze/spark/"}
    arn = env.machine("on-spark", {"Run": sync_task("spark_bronze", arguments, None)}, "Run")
    done = env.run(arn, timeout=300)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    lake = env.directory / "lake"
    rows = duckdb.sql(f"SELECT count(*) FROM '{lake}/bronze/spark/*.parquet'").fetchall()
    assert rows == [(196,)]  # 200 rows, 4 duplicate order ids dropped


def test_an_unknown_engine_fails_the_run_with_a_clear_message(env: Env) -> None:
    env.job("odd", RAW_TO_BRONZE, DefaultArguments={"--stepline-engine": "flink"})
    arn = env.machine("odd-engine", {"Run": sync_task("odd", {}, None)}, "Run")
    done = env.run(arn)
    assert done.status == "FAILED" and done.error == "States.TaskFailed"
    message = json.loads(done.cause or "{}")["ErrorMessage"]
    assert "--stepline-engine must be one of duckdb, spark, got 'flink'" in message


def test_retry_waits_out_concurrent_runs_exceeded(env: Env) -> None:
    holding = "import sys, time\nif '--hold' in sys.argv:\n    time.sleep(120)\n"
    env.job("single", holding, "pythonshell", ExecutionProperty={"MaxConcurrentRuns": 1})
    arn = env.machine("retrying", {"Run": sync_task("single", {}, None)}, "Run")
    held = env.service.job_runs.start("single", {"--hold": "yes"})
    record = env.service.start_execution(arn, "{}")
    deadline = time.monotonic() + 60
    while "TaskFailed" not in env.types(record.arn):  # the first attempt was refused
        assert time.monotonic() < deadline, env.types(record.arn)
        time.sleep(0.05)
    env.service.job_runs.stop("single", [held.id])  # the slot frees: the retry gets it
    done = env.wait(record.arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    failed = [e for e in env.service.history(record.arn) if e.type == "TaskFailed"]
    assert json.loads(failed[0].details or "{}")["error"] == BUSY
    assert json.loads(done.output or "{}")["JobRunState"] == "SUCCEEDED"
