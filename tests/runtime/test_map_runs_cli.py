"""``stepline map-runs``, ``describe-map-run`` and ``update-map-run``: real subprocesses on a
SQLite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runner import Run

MACHINE_PREFIX = "arn:aws:states:us-east-1:123456789012"


def fan(path: Path, item: dict[str, Any], **settings: Any) -> str:
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Item",
                    "States": {"Item": {**item, "End": True}},
                },
                **settings,
                "End": True,
            }
        },
    }
    path.write_text(json.dumps(definition))
    return str(path)


def ok(cli: Run, *args: str) -> str:
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def map_run_of(cli: Run, execution: str) -> tuple[str, str]:
    """The execution's only Map Run: its status and ARN, as ``map-runs`` lists them."""
    [line] = ok(cli, "map-runs", execution).splitlines()
    status, _started, arn = line.split()
    return status, arn


def test_a_finished_map_run_is_listed_and_described(cli: Run, tmp_path: Path) -> None:
    ok(cli, "create-state-machine", "fan", fan(tmp_path / "m.json", {"Type": "Pass"}))
    done = cli("start", "fan", "--name", "e1", "--input", '{"items": [1, 2, 3]}', "--wait")
    assert done.returncode == 0, done.stderr
    execution = f"{MACHINE_PREFIX}:execution:fan:e1"
    status, arn = map_run_of(cli, execution)
    assert status == "SUCCEEDED"
    assert arn.startswith(f"{MACHINE_PREFIX}:mapRun:fan/Fan:")

    shown = json.loads(ok(cli, "describe-map-run", arn))
    assert shown["mapRunArn"] == arn and shown["executionArn"] == execution
    assert shown["stateMachineArn"] == f"{MACHINE_PREFIX}:stateMachine:fan/Fan"
    assert shown["status"] == "SUCCEEDED" and "stopDate" in shown
    assert shown["itemCounts"]["succeeded"] == shown["itemCounts"]["total"] == 3
    assert shown["redriveCount"] == 0


def test_a_running_map_run_is_updated_then_aborted_with_its_execution(
    cli: Run, tmp_path: Path
) -> None:
    item = {"Type": "Wait", "Seconds": 3600}  # items that wait: the Map Run keeps running
    ok(cli, "create-state-machine", "slow", fan(tmp_path / "m.json", item, MaxConcurrency=1))
    execution = ok(cli, "start", "slow", "--input", '{"items": [1, 2, 3, 4]}').strip()
    status, arn = map_run_of(cli, execution)
    assert status == "RUNNING"
    shown = json.loads(ok(cli, "describe-map-run", arn))
    assert (shown["maxConcurrency"], shown["itemCounts"]["running"]) == (1, 1)
    assert "stopDate" not in shown

    ok(cli, "update-map-run", arn, "--max-concurrency", "3", "--tolerated-failure-count", "2")
    shown = json.loads(ok(cli, "describe-map-run", arn))
    assert (shown["maxConcurrency"], shown["toleratedFailureCount"]) == (3, 2)
    assert (shown["itemCounts"]["running"], shown["itemCounts"]["pending"]) == (3, 1)

    ok(cli, "stop", execution)
    shown = json.loads(ok(cli, "describe-map-run", arn))
    assert shown["status"] == "ABORTED"
    assert (shown["itemCounts"]["aborted"], shown["itemCounts"]["pending"]) == (3, 1)
    refused = cli("update-map-run", arn, "--max-concurrency", "4")
    assert refused.returncode == 2
    assert "not running" in refused.stderr


def test_map_run_commands_report_what_is_wrong(cli: Run) -> None:
    missing = f"{MACHINE_PREFIX}:mapRun:none/Fan:0b6c54d3-0d5b-4c1e-9b43-5d1f3bc0a001"
    done = cli("describe-map-run", missing)
    assert done.returncode == 2
    assert f"Map Run Does Not Exist: '{missing}'" in done.stderr
    done = cli("describe-map-run", "not-an-arn")
    assert (done.returncode, "Invalid Arn: 'not-an-arn'" in done.stderr) == (2, True)
    done = cli("map-runs", f"{MACHINE_PREFIX}:execution:none:nothing")
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = cli("update-map-run", missing)
    assert done.returncode == 2 and "--max-concurrency" in done.stderr
    done = cli("update-map-run", missing, "--tolerated-failure-percentage", "150")
    assert done.returncode == 2 and "from 0 to 100" in done.stderr


def test_a_map_run_over_no_items_succeeds_empty(cli: Run, tmp_path: Path) -> None:
    ok(cli, "create-state-machine", "plain", fan(tmp_path / "m.json", {"Type": "Pass"}))
    execution = ok(cli, "start", "plain", "--input", '{"items": []}').strip()
    status, arn = map_run_of(cli, execution)
    assert status == "SUCCEEDED"
    shown = json.loads(ok(cli, "describe-map-run", arn))
    assert shown["itemCounts"]["total"] == 0 and shown["itemCounts"]["succeeded"] == 0
