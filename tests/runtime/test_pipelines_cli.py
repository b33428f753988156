"""``stepline pipelines | partitions | backfill | replay`` as real subprocesses on a SQLite
store: a dataset whose input files are missing on some days fails those partitions; replay
re-runs only them, after the files are fixed; a replay queue is drained."""

from __future__ import annotations

import json
from pathlib import Path

from runner import Run

FUNCTIONS = """
import os

def check(event, context):
    path = os.path.join(os.environ.get("INPUT_DIR", "input"), event["process_date"] + ".csv")
    with open(path) as handle:  # FileNotFoundError when the day's file is missing
        return {"process_date": event["process_date"], "rows": len(handle.readlines()) - 1}

FUNCTIONS = {"check": check}
"""
MACHINE = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check",
            "End": True,
        }
    },
}
DAYS = ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]
RUN = ("--functions", "pipeline_functions:FUNCTIONS", "--job-slots", "0")


def arrive(tmp_path: Path, day: str, rows: int = 2) -> None:
    folder = tmp_path / "input"
    folder.mkdir(exist_ok=True)
    (folder / f"{day}.csv").write_text("id\n" + "".join(f"{n}\n" for n in range(rows)))


def ledger(cli: Run) -> dict[str, dict[str, object]]:
    listed = cli("partitions", "orders", "--json")
    assert listed.returncode == 0, listed.stderr
    return {row["partition"]: row for row in map(json.loads, listed.stdout.splitlines())}


def setup(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "pipeline_functions.py").write_text(FUNCTIONS)
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    assert cli("create-state-machine", "orders_daily", "machine.json").returncode == 0
    registered = cli(
        "pipelines", "register", "orders_daily", "--dataset", "orders",
        "--state-machine", "orders_daily", "--partition", "$.process_date",
        "--input-template", '{"process_date": "${partition}"}', "--replay-queue", "replay",
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr


def test_backfill_then_replay_only_the_failed_partitions(cli: Run, tmp_path: Path) -> None:
    setup(cli, tmp_path)
    for day in ("2025-01-01", "2025-01-02", "2025-01-04"):
        arrive(tmp_path, day)
    first = cli(
        "backfill", "orders", "--from", DAYS[0], "--to", DAYS[-1], "--concurrency", "2", *RUN
    )
    assert first.returncode == 1, first.stderr  # one partition failed
    assert "2025-01-03  FAILED (FileNotFoundError)" in first.stdout
    states = ledger(cli)
    assert {p: s["status"] for p, s in states.items()} == {
        "2025-01-01": "SUCCEEDED", "2025-01-02": "SUCCEEDED",
        "2025-01-03": "FAILED", "2025-01-04": "SUCCEEDED",
    }  # fmt: skip
    assert all(s["attempts"] == 1 for s in states.values())
    assert [n["kind"] for n in states["2025-01-03"]["notes"]] == ["backfill"]  # type: ignore[union-attr]

    # A second backfill skips what succeeded and runs the failed day again.
    again = cli("backfill", "orders", "--from", DAYS[0], "--to", DAYS[-1], *RUN)
    assert "2025-01-01  skip already SUCCEEDED" in again.stdout
    assert "2025-01-03  run  was FAILED" in again.stdout
    assert again.returncode == 1
    assert ledger(cli)["2025-01-03"]["attempts"] == 2

    plain = cli("partitions", "orders")
    assert plain.stdout.splitlines()[-1] == "4 partition(s): 3 SUCCEEDED, 1 FAILED"

    nothing_good = {p: s["executions"] for p, s in ledger(cli).items() if p != "2025-01-03"}
    arrive(tmp_path, "2025-01-03", rows=5)  # the missing file arrives
    replayed = cli("replay", "orders", "--failed", *RUN)
    assert replayed.returncode == 0, replayed.stderr
    lines = replayed.stdout.splitlines()
    assert len([line for line in lines if "started replay-2025-01-03-" in line]) == 1
    assert sum("SUCCEEDED" in line for line in lines) == 1
    after = ledger(cli)
    assert after["2025-01-03"]["status"] == "SUCCEEDED" and after["2025-01-03"]["attempts"] == 3
    replay_note = after["2025-01-03"]["notes"][-1]  # type: ignore[index]
    failed_run = after["2025-01-03"]["executions"][1]  # type: ignore[index]
    assert (
        replay_note["kind"] == "replay" and replay_note["sourceArn"] == failed_run["executionArn"]
    )
    # Only the failed partition ran again.
    assert {p: s["executions"] for p, s in after.items() if p != "2025-01-03"} == nothing_good

    idle = cli("replay", "orders", *RUN)
    assert idle.stdout.strip() == "dataset orders: no FAILED or QUARANTINED partition to replay"


def test_a_replay_queue_is_drained(cli: Run, tmp_path: Path) -> None:
    setup(cli, tmp_path)
    arrive(tmp_path, "2025-01-05")
    arrive(tmp_path, "2025-01-06")
    assert cli("queues", "create", "replay").returncode == 0
    bodies = [
        json.dumps({"dataset": "orders", "partition": "2025-01-05"}),  # input from the template
        json.dumps({"process_date": "2025-01-06"}),  # the execution input itself
        "not json",
    ]
    for body in bodies:
        assert cli("queues", "send", "replay", body).returncode == 0
    drained = cli("replay", "--queue", "replay", *RUN)
    assert drained.returncode == 0, drained.stderr
    assert "left on the queue: the message body is not JSON" in drained.stderr
    assert {p: s["status"] for p, s in ledger(cli).items()} == {
        "2025-01-05": "SUCCEEDED", "2025-01-06": "SUCCEEDED",
    }  # fmt: skip
    left = cli("queues", "list").stdout.split()
    assert left[:2] == ["replay", "visible=0"] and "in_flight=1" in left  # the bad one waits


def test_bad_input_is_refused_clearly(cli: Run, tmp_path: Path) -> None:
    setup(cli, tmp_path)
    cases = [
        (("pipelines", "register", "p", "--dataset", "d", "--state-machine", "nope",
          "--partition", "$.d"), "state machine 'nope'"),
        (("pipelines", "register", "p", "--dataset", "d", "--state-machine", "orders_daily",
          "--partition", "$[bad"), "partition path '$[bad'"),
        (("pipelines", "register", "p", "--dataset", "d d", "--state-machine", "orders_daily",
          "--partition", "$.d"), "dataset 'd d' must be"),
        (("pipelines", "register", "p", "--dataset", "d", "--state-machine", "orders_daily",
          "--partition", "$.d", "--input-template", "{nope"), "input template is not valid"),
        (("partitions", "customers"), "no pipeline processes the dataset 'customers'"),
        (("backfill", "orders", "--from", "2025-01-05", "--to", "2025-01-01"), "is before --from"),
        (("backfill", "orders", "--from", "2025-13-01", "--to", "2025-01-01"), "expected a date"),
        (("replay", "orders", "--partition", "2024-01-01"), "has no runs of partition(s)"),
        (("replay", "--queue", "missing"), "replay queue 'missing': The specified queue does"),
        (("replay",), "name the DATASET"),
        (("pipelines", "delete", "zz"), "no pipeline named 'zz'"),
    ]  # fmt: skip
    for args, message in cases:
        result = cli(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
