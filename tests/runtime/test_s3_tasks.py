"""``arn:aws:states:::aws-sdk:s3:*`` tasks in durable executions on every store, through
the worker's registry (``service_registry``) over the service's data root: put, list, head,
copy, get (of a file a job wrote on disk) and delete, with a Catch on S3.NoSuchKeyException."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stepline.cli_store import service_registry
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 7, 8, 9, 10, 11, tzinfo=UTC)
S3 = "arn:aws:states:::aws-sdk:s3:"


def task(action: str, parameters: dict[str, Any], next_state: str | None, **more: Any) -> Any:
    state: dict[str, Any] = {"Type": "Task", "Resource": S3 + action, "Parameters": parameters}
    state.update(more)
    if next_state:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


PIPELINE = {
    "StartAt": "Put",
    "States": {
        "Put": task(
            "putObject",
            {"Bucket": "lake", "Key.$": "States.Format('runs/{}/summary.json', $.run)",
             "Body": {"rows.$": "$.rows"}, "ContentType": "application/json"},
            "List",
            ResultPath="$.put",
        ),
        "List": task(
            "listObjectsV2",
            {"Bucket": "lake", "Prefix": "runs/", "Delimiter": "/"},
            "Head",
            ResultSelector={"prefixes.$": "$.CommonPrefixes[*].Prefix", "count.$": "$.KeyCount"},
            ResultPath="$.list",
        ),
        "Head": task(
            "headObject",
            {"Bucket": "lake", "Key.$": "States.Format('runs/{}/summary.json', $.run)"},
            "Copy",
            ResultSelector={"etag.$": "$.ETag", "type.$": "$.ContentType"},
            ResultPath="$.head",
        ),
        "Copy": task(
            "copyObject",
            {"Bucket": "archive", "Key": "latest/summary.json",
             "CopySource.$": "States.Format('lake/runs/{}/summary.json', $.run)"},
            "GetJobOutput",
            ResultSelector={"etag.$": "$.CopyObjectResult.ETag"},
            ResultPath="$.copy",
        ),
        "GetJobOutput": task(
            "getObject",
            {"Bucket": "lake", "Key": "jobs/out/part-0.csv"},
            "Delete",
            ResultSelector={"body.$": "$.Body", "size.$": "$.ContentLength"},
            ResultPath="$.job",
        ),
        "Delete": task(
            "deleteObject",
            {"Bucket": "archive", "Key": "latest/summary.json"},
            "GetDeleted",
            ResultPath=None,
        ),
        "GetDeleted": task(
            "getObject",
            {"Bucket": "archive", "Key": "latest/summary.json"},
            "Unexpected",
            Catch=[{"ErrorEquals": ["S3.NoSuchKeyException"], "ResultPath": "$.missing",
                    "Next": "Done"}],
        ),
        "Unexpected": {"Type": "Fail", "Error": "Unexpected"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip


@pytest.fixture
def env(store_url: str, tmp_path: Path) -> tuple[Service, Worker, Path]:
    root = tmp_path / "data"
    for bucket in ("lake", "archive"):
        (root / bucket).mkdir(parents=True)
    service = Service(open_store(store_url), ManualClock(T0), data_root=root)
    worker = Worker(service, service_registry(service, {}), "w")
    return service, worker, root


def run(service: Service, worker: Worker, name: str, definition: Any, given: Any) -> Any:
    service.create_state_machine(name, json.dumps(definition))
    record = service.start_execution(name, json.dumps(given), f"{name}-1")
    worker.run_until_idle()
    return service.describe_execution(record.arn)


def test_put_list_head_copy_get_delete_and_catch(env: Any) -> None:
    service, worker, root = env
    job_output = root / "lake" / "jobs" / "out" / "part-0.csv"
    job_output.parent.mkdir(parents=True)
    job_output.write_text("id,amount\n1,9.5\n")  # what a Glue-style job wrote on disk
    done = run(service, worker, "objects", PIPELINE, {"run": "r7", "rows": 2})
    assert done.status == "SUCCEEDED", done.cause
    output = json.loads(done.output)
    text = b'{"rows":2}'
    etag = f'"{hashlib.md5(text).hexdigest()}"'
    assert (root / "lake" / "runs" / "r7" / "summary.json").read_bytes() == text
    assert output["put"] == {"ETag": etag, "ServerSideEncryption": "AES256"}
    assert output["list"] == {"prefixes": ["runs/r7/"], "count": 1}
    assert output["head"] == {"etag": etag, "type": "application/json"}
    assert output["copy"] == {"etag": etag}
    assert output["job"] == {"body": "id,amount\n1,9.5\n", "size": 16}
    assert output["missing"]["Error"] == "S3.NoSuchKeyException"
    assert "s3://archive/latest/summary.json" in output["missing"]["Cause"]
    assert not (root / "archive" / "latest").exists()
    events = service.history(done.arn)
    scheduled = [e for e in events if e.type == "TaskScheduled"]
    details = [json.loads(e.details) for e in scheduled]
    assert {d["resourceType"] for d in details} == {"aws-sdk:s3"}
    assert [d["resource"] for d in details][:3] == [
        "putObject",
        "listObjectsV2",
        "headObject",
    ]


def test_bad_parameters_fail_the_execution_with_states_runtime(env: Any) -> None:
    service, worker, _ = env
    definition = {
        "StartAt": "Get",
        "States": {
            "Get": task(
                "getObject",
                {"Bucket": "lake", "Key": "k", "Bukket": "typo"},
                None,
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
            ),
            "Caught": {"Type": "Succeed"},
        },
    }
    done = run(service, worker, "typo", definition, {})
    # States.Runtime is not caught by States.ALL.
    assert done.status == "FAILED" and done.error == "States.Runtime"
    assert "['Bukket'] are not GetObject parameters (state 'Get')" in (done.cause or "")


def test_an_oversized_body_fails_with_data_limit_exceeded(env: Any) -> None:
    service, worker, root = env
    (root / "lake" / "big.txt").write_text("x" * 300_000)
    definition = {
        "StartAt": "Get",
        "States": {"Get": task("getObject", {"Bucket": "lake", "Key": "big.txt"}, None)},
    }
    done = run(service, worker, "big", definition, {})
    assert done.status == "FAILED" and done.error == "States.DataLimitExceeded"
    assert "'aws-sdk:s3'" in (done.cause or "")
