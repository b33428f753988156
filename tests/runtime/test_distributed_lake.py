""" "Process 30 daily files at once": a Distributed Map over a folder of CSV files in the lake,
listed by listObjectsV2, each file counted by a Python function, the results exported by a
ResultWriter, through the service and a worker, on every store. And a worker that dies
after the read loses nothing: the items are in the execution's state, never read twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stepline.engine.records import TaskSucceeded
from stepline.integrations.base import Registry, TaskRequest
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.map_storage import MapStorage
from stepline.lake.objects import LocalObjects, Objects
from stepline.lake.paths import LakePaths
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 1, 31, 6, 0, tzinfo=UTC)
DAYS = 30
DEFINITION = {
    "StartAt": "Days",
    "States": {
        "Days": {
            "Type": "Map",
            "Label": "DailyOrders",
            "MaxConcurrency": 8,
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"},
            },
            "ItemSelector": {
                "bucket.$": "$.bucket",
                "key.$": "$$.Map.Item.Value.Key",
                "size.$": "$$.Map.Item.Value.Size",
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Count",
                "States": {
                    "Count": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "count_rows", "Payload.$": "$"},
                        "OutputPath": "$.Payload",
                        "End": True,
                    }
                },
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "results/orders"},
            },
            "End": True,
        }
    },
}
INPUT = {"bucket": "lake", "prefix": "raw/orders/"}


class Env:
    def __init__(self, url: str, root: Path) -> None:
        self.root = root
        self.clock = ManualClock(T0)
        self.service = Service(open_store(url), self.clock, data_root=root)
        self.reads = 0
        self.counted: list[str] = []

        def count_rows(event: dict[str, Any], context: Any) -> dict[str, Any]:
            self.counted.append(event["key"])
            path = self.root / event["bucket"] / event["key"]
            rows = len(path.read_text().splitlines()) - 1  # the header
            return {"key": event["key"], "rows": rows}

        def objects() -> Objects:
            self.reads += 1
            return LocalObjects(LakePaths(root))

        functions = LambdaFunctions({"count_rows": count_rows})
        self.registry = Registry([functions, MapStorage(objects)])
        self.worker = Worker(self.service, self.registry, "w1", concurrency=4, lease_seconds=30)
        self.objects = LocalObjects(LakePaths(root))
        self.service.create_state_machine("daily", json.dumps(DEFINITION))

    def history(self, arn: str) -> list[str]:
        return [e.type for e in self.service.history(arn)]


@pytest.fixture
def env(store_url: str, tmp_path: Path) -> Iterator[Env]:
    for day in range(1, DAYS + 1):
        path = tmp_path / "lake" / "raw" / "orders" / f"process_date=2025-01-{day:02d}"
        path.mkdir(parents=True)
        rows = "".join(f"{day}-{n},{n * 10}\n" for n in range(day))
        (path / "orders.csv").write_text("order_id,amount\n" + rows)
    (tmp_path / "lake" / "raw" / "other.csv").write_text("not,listed\n")
    made = Env(store_url, tmp_path)
    yield made
    made.service.store.close()


def check_results(env: Env, output: dict[str, Any]) -> None:
    details = output["ResultWriterDetails"]
    run_id = output["MapRunArn"].rpartition(":")[2]
    assert details == {"Bucket": "lake", "Key": f"results/orders/{run_id}/manifest.json"}
    manifest = json.loads(env.objects.get("lake", details["Key"]).body)
    assert manifest["MapRunArn"] == output["MapRunArn"]
    assert manifest["ResultFiles"]["FAILED"] == manifest["ResultFiles"]["PENDING"] == []
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    records = json.loads(env.objects.get("lake", succeeded["Key"]).body)
    assert len(records) == DAYS and {r["Status"] for r in records} == {"SUCCEEDED"}
    counts = {json.loads(r["Output"])["key"]: json.loads(r["Output"])["rows"] for r in records}
    assert counts == {
        f"raw/orders/process_date=2025-01-{day:02d}/orders.csv": day for day in range(1, DAYS + 1)
    }
    first = json.loads(records[0]["Input"])
    assert first["bucket"] == "lake" and first["size"] > 0


def test_process_30_daily_files_at_once(env: Env) -> None:
    record = env.service.start_execution("daily", json.dumps(INPUT), "jan")
    env.worker.run_until_idle()
    done = env.service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    check_results(env, json.loads(done.output or ""))
    assert sorted(env.counted) == sorted(set(env.counted)) and len(env.counted) == DAYS
    assert env.reads == 2  # one read of the items, one write of the results
    # AWS: the parent history shows the Map Run, no Task events for the read or the write.
    assert env.history(record.arn) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_a_worker_that_dies_after_the_read_loses_nothing(env: Env) -> None:
    record = env.service.start_execution("daily", json.dumps(INPUT), "crash")
    store = env.service.store
    # A worker takes the read, dies with it (never answers); its lease runs out.
    [read] = store.claim("dead-1", env.clock.now(), 10, 30)
    assert json.loads(read.payload)["resource"] == "stepline:map:readItems"
    env.worker.run_until_idle()
    assert env.reads == 0
    env.clock.advance(31)
    # Another worker reads now (the read through the registry, its step applied as a worker
    # applies it), then takes every item's task and dies.
    [read] = store.claim("w2", env.clock.now(), 10, 30)
    payload = json.loads(read.payload)
    request = TaskRequest(payload["resource"], payload["parameters"], "Days", record.arn, read.key)
    items = env.registry.invoke(request)
    env.service.apply(record.arn, TaskSucceeded(read.key, items), done_work_id=read.id)
    assert env.reads == 1 and env.counted == []
    taken = store.claim("dead-2", env.clock.now(), 100, 30)
    assert len(taken) == 8  # MaxConcurrency: 8 items in flight
    env.worker.run_until_idle()
    assert env.counted == []
    env.clock.advance(31)
    env.worker.run_until_idle()
    done = env.service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", (done.error, done.cause)
    check_results(env, json.loads(done.output or ""))
    assert env.reads == 2  # the items were read once; the results written once


def test_a_missing_bucket_fails_the_map_with_item_reader_failed(env: Env) -> None:
    given = {"bucket": "nowhere", "prefix": "raw/"}
    record = env.service.start_execution("daily", json.dumps(given), "nobucket")
    env.worker.run_until_idle()
    done = env.service.describe_execution(record.arn)
    assert (done.status, done.error) == ("FAILED", "States.ItemReaderFailed")
    assert "NoSuchBucket" in (done.cause or "")
    assert env.history(record.arn)[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
