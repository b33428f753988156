"""RedriveExecution through the service and a worker, on every store, and through the CLI."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from runner import Run

from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import ExecutionNotRedrivable, Service
from stepline.store.open import open_store
from stepline.store.protocol import NotFound

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
T0 = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
PIPELINE = {
    "StartAt": "Extract",
    "States": {
        "Extract": {"Type": "Task", "Resource": ARN + "extract", "Next": "Fan"},
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.parts",
            "MaxConcurrency": 1,  # one partition at a time: a deterministic failure point
            "ItemProcessor": {
                "StartAt": "Load",
                "States": {"Load": {"Type": "Task", "Resource": ARN + "load", "End": True}},
            },
            "Next": "Publish",
        },
        "Publish": {
            "Type": "Task",
            "Resource": ARN + "publish",
            "Parameters": {
                "loaded.$": "$",
                "redrives.$": "$$.Execution.RedriveCount",
            },
            "End": True,
        },
    },
}


class Lake:
    """Functions with side effects we can count; ``broken`` partitions fail to load."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: dict[str, int] = {}
        self.broken: set[int] = set()

    def note(self, name: str) -> None:
        with self.lock:
            self.calls[name] = self.calls.get(name, 0) + 1

    def functions(self) -> dict[str, Any]:
        def extract(event: Any, context: Any) -> Any:
            self.note("extract")
            return {"parts": list(range(event["n"]))}

        def load(part: Any, context: Any) -> Any:
            self.note(f"load:{part}")
            if part in self.broken:
                raise ValueError(f"partition {part} is corrupt")
            return part * 100

        def publish(event: Any, context: Any) -> Any:
            self.note("publish")
            return event

        return {"extract": extract, "load": load, "publish": publish}


@pytest.fixture
def env(store_url: str) -> Any:
    clock = ManualClock(T0)
    service = Service(open_store(store_url), clock)
    service.create_state_machine("daily", json.dumps(PIPELINE))
    lake = Lake()
    worker = Worker(service, Registry([LambdaFunctions(lake.functions())]), "w1", 4)
    yield service, clock, lake, worker
    service.store.close()


def test_a_failed_partition_is_redriven_alone(env: Any) -> None:
    service, clock, lake, worker = env
    lake.broken = {3}
    record = service.start_execution("daily", '{"n": 5}', "day-1")
    worker.run_until_idle()
    failed = service.describe_execution(record.arn)
    assert failed.status == "FAILED"
    assert failed.error == "ValueError"
    assert service.redrive_status(failed).status == "REDRIVABLE"
    first_events = len(service.history(record.arn))

    lake.broken = set()  # the data was fixed
    clock.advance(600)
    redriven = service.redrive_execution(record.arn)
    assert redriven.status == "RUNNING"
    assert (redriven.redrive_count, redriven.redrive_date) == (1, clock.now())
    assert redriven.stop_date is None and redriven.error is None
    worker.run_until_idle()

    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "") == {"loaded": [0, 100, 200, 300, 400], "redrives": 1}
    assert lake.calls["extract"] == 1 and lake.calls["publish"] == 1
    assert lake.calls["load:3"] == 2
    assert [lake.calls[f"load:{i}"] for i in range(5)] == [1, 1, 1, 2, 1]
    history = service.history(record.arn)
    redrive = history[first_events]
    assert (redrive.type, json.loads(redrive.details or "")) == (
        "ExecutionRedriven",
        {"redriveCount": 1},
    )
    assert [e.id for e in history] == list(range(1, len(history) + 1))
    assert service.redrive_status(done).reason == "Execution is SUCCEEDED and cannot be redriven"


def test_an_aborted_execution_is_redriven_from_its_running_task(env: Any) -> None:
    service, _clock, lake, worker = env
    record = service.start_execution("daily", '{"n": 2}', "day-2")
    service.stop_execution(record.arn, "Ops.Pause", "maintenance")
    assert service.describe_execution(record.arn).status == "ABORTED"
    worker.run_until_idle()  # the cancelled invocation must not run
    assert lake.calls == {}
    service.redrive_execution(record.arn)
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert lake.calls == {"extract": 1, "load:0": 1, "load:1": 1, "publish": 1}


def test_only_ended_unsuccessful_executions_are_redrivable(env: Any) -> None:
    service, _clock, _lake, worker = env
    record = service.start_execution("daily", '{"n": 1}', "day-3")
    with pytest.raises(ExecutionNotRedrivable, match="Execution is RUNNING and cannot be"):
        service.redrive_execution(record.arn)
    worker.run_until_idle()
    with pytest.raises(ExecutionNotRedrivable, match="Execution is SUCCEEDED and cannot be"):
        service.redrive_execution(record.arn)
    missing = record.arn + "-nope"
    with pytest.raises(NotFound):
        service.redrive_execution(missing)


def test_the_redrivable_period_is_fourteen_days(env: Any) -> None:
    service, clock, lake, worker = env
    lake.broken = {0}
    record = service.start_execution("daily", '{"n": 1}', "day-4")
    worker.run_until_idle()
    failed = service.describe_execution(record.arn)
    assert failed.status == "FAILED"
    clock.advance(14 * 86400)
    assert service.redrive_status(failed).status == "REDRIVABLE"
    clock.advance(1)
    verdict = service.redrive_status(failed)
    assert (verdict.status, verdict.reason) == (
        "NOT_REDRIVABLE",
        "Execution redrivable period exceeded",
    )
    with pytest.raises(ExecutionNotRedrivable, match="redrivable period exceeded"):
        service.redrive_execution(record.arn)


def test_redriving_again_after_a_second_failure(env: Any) -> None:
    service, _clock, lake, worker = env
    lake.broken = {1}
    record = service.start_execution("daily", '{"n": 2}', "day-5")
    worker.run_until_idle()
    service.redrive_execution(record.arn)
    worker.run_until_idle()
    again = service.describe_execution(record.arn)
    assert (again.status, again.redrive_count) == ("FAILED", 1)
    lake.broken = set()
    service.redrive_execution(record.arn)
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert (done.status, done.redrive_count) == ("SUCCEEDED", 2)
    assert json.loads(done.output or "")["redrives"] == 2
    assert lake.calls["load:1"] == 3 and lake.calls["load:0"] == 1


def test_two_concurrent_redrives_run_it_once(env: Any) -> None:
    service, _clock, lake, worker = env
    lake.broken = {0}
    record = service.start_execution("daily", '{"n": 1}', "day-6")
    worker.run_until_idle()
    lake.broken = set()
    outcomes: list[str] = []
    gate = threading.Barrier(4)

    def redrive() -> None:
        gate.wait()
        try:
            service.redrive_execution(record.arn)
            outcomes.append("redriven")
        except ExecutionNotRedrivable as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=redrive) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("redriven") == 1
    assert set(outcomes) - {"redriven"} == {"Execution is RUNNING and cannot be redriven"}
    worker.run_until_idle()
    assert service.describe_execution(record.arn).redrive_count == 1
    assert lake.calls["load:0"] == 2


FUNCTIONS = """
import os
def flaky(event, context):
    if os.path.exists("broken"):
        raise RuntimeError("upstream is down")
    return {"ok": event}
FUNCTIONS = {"flaky": flaky}
"""


def test_redrive_through_the_cli(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text(FUNCTIONS)
    (tmp_path / "broken").write_text("")
    machine = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": ARN + "flaky", "End": True}},
    }
    (tmp_path / "m.json").write_text(json.dumps(machine))

    assert cli("create-state-machine", "m", "m.json").returncode == 0
    first = cli(
        "start",
        "m",
        "--name",
        "r1",
        "--input",
        '{"a": 1}',
        "--wait",
        "--functions",
        "handlers:FUNCTIONS",
    )
    assert first.returncode == 1
    assert "FAILED: RuntimeError" in first.stderr
    arn = "arn:aws:states:us-east-1:123456789012:execution:m:r1"
    described = json.loads(cli("describe", arn).stdout)
    assert (described["redriveStatus"], described["redriveCount"]) == ("REDRIVABLE", 0)

    (tmp_path / "broken").unlink()
    redriven = cli("redrive", arn, "--wait", "--functions", "handlers:FUNCTIONS")
    assert redriven.returncode == 0, redriven.stderr
    assert json.loads(redriven.stdout) == {"ok": {"a": 1}}
    described = json.loads(cli("describe", arn).stdout)
    assert described["status"] == "SUCCEEDED"
    assert described["redriveCount"] == 1
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    history = cli("history", arn).stdout
    assert "ExecutionRedriven" in history

    refused = cli("redrive", arn)
    assert refused.returncode == 2
    assert "cannot redrive" in refused.stderr and "SUCCEEDED" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = cli("redrive", arn + "x")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
