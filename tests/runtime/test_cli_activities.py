"""The activity commands, run as real subprocesses against a SQLite store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from runner import Run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    return result.stderr


def test_create_activity_take_its_task_and_answer_it(cli: Run, tmp_path: Path) -> None:
    arn = ok(cli("create-activity", "approve")).strip()
    assert arn == "arn:aws:states:us-east-1:123456789012:activity:approve"
    assert ok(cli("create-activity", "approve")).strip() == arn  # idempotent
    assert arn in ok(cli("activities"))
    assert json.loads(ok(cli("describe-activity", arn)))["name"] == "approve"

    machine = tmp_path / "m.json"
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {"Type": "Task", "Resource": arn, "TimeoutSeconds": 600, "End": True}
        },
    }
    machine.write_text(json.dumps(definition))
    ok(cli("create-state-machine", "approvals", str(machine)))
    execution = ok(cli("start", "approvals", "--input", '{"order": 7}', "--name", "o7")).strip()

    got = json.loads(ok(cli("get-activity-task", "approve", "--worker-name", "bob")))
    assert json.loads(got["input"]) == {"order": 7}
    empty = cli("get-activity-task", "approve", "--timeout", "0.2")
    assert (empty.returncode, empty.stdout) == (0, "")
    assert "no task" in empty.stderr

    ok(cli("send-task-success", got["taskToken"], '{"approved": true}'))
    described = json.loads(ok(cli("describe", execution)))
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    history = ok(cli("history", execution))
    for event_type in ("ActivityScheduled", "ActivityStarted", "ActivitySucceeded"):
        assert event_type in history
    assert '"workerName": "bob"' in history

    again = cli("send-task-success", got["taskToken"], "{}")
    refused(again, "Task does not exist")
    ok(cli("delete-activity", "approve"))
    assert ok(cli("activities")) == ""


def test_bad_inputs_get_clear_messages(cli: Run) -> None:
    refused(cli("get-activity-task", "nope", "--timeout", "0"), "Activity Does Not Exist", "nope")
    refused(cli("create-activity", "has space"), "has space", "activity name")
    refused(cli("create-activity", "x" * 81), "1 to 80 characters")
    refused(cli("describe-activity", "arn:aws:states:::lambda:invoke"), "Invalid Arn")
    ok(cli("create-activity", "approve"))
    refused(cli("get-activity-task", "approve", "--timeout", "-1"), "--timeout")
    refused(
        cli("get-activity-task", "approve", "--worker-name", "w" * 81, "--timeout", "0"),
        "workerName",
    )
    refused(cli("send-task-success", "not-a-token", "{}"), "Invalid Token")
    gone = cli("delete-activity", "never-was")
    assert gone.returncode == 0 and "nothing deleted" in gone.stderr
