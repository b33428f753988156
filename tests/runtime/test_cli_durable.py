"""The durable commands, run as real subprocesses against a SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
FUNCTIONS = """
def greet(event, context):
    return {"greeting": "hello " + event["who"]}

def ask(event, context):
    with open("token.txt", "w") as f:
        f.write(event["token"])
    return {}

FUNCTIONS = {"greet": greet, "ask": ask}
"""


@pytest.fixture(autouse=True)
def handlers(tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text(FUNCTIONS)


def write(path: Path, definition: dict[str, object]) -> str:
    path.write_text(json.dumps(definition))
    return str(path)


def test_create_start_wait_describe_history(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    machine = write(
        tmp_path / "m.json",
        {
            "StartAt": "Greet",
            "States": {"Greet": {"Type": "Task", "Resource": ARN + "greet", "End": True}},
        },
    )
    created = cli("create-state-machine", "greeter", machine)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().endswith(":stateMachine:greeter")
    again = cli("create-state-machine", "greeter", machine)
    assert again.returncode == 2 and "greeter" in again.stderr and "Traceback" not in again.stderr

    done = cli(
        "start",
        "greeter",
        "--input",
        '{"who": "ops"}',
        "--name",
        "first",
        "--wait",
        "--functions",
        "handlers:FUNCTIONS",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"greeting": "hello ops"}

    listing = cli("executions", "greeter")
    assert "SUCCEEDED" in listing.stdout and ":execution:greeter:first" in listing.stdout
    arn = listing.stdout.split()[-1]
    described = json.loads(cli("describe", arn).stdout)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "hello ops"}
    history = cli("history", arn).stdout
    assert "LambdaFunctionSucceeded" in history and "ExecutionSucceeded" in history

    duplicate = cli("start", "greeter", "--input", '{"who": "x"}', "--name", "first")
    assert duplicate.returncode == 2 and "Execution Already Exists" in duplicate.stderr


def test_callbacks_and_stop_through_the_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    machine = write(
        tmp_path / "approval.json",
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        },
    )
    assert cli("create-state-machine", "approval", machine).returncode == 0
    started = cli("start", "approval", "--name", "a1")
    assert started.returncode == 0, started.stderr
    arn = started.stdout.strip()
    worker = subprocess.Popen(
        [sys.executable, "-m", "stepline.cli", "worker", "--functions", "handlers:FUNCTIONS"],
        cwd=tmp_path,
        env=dict(os.environ, STEPLINE_DB=f"sqlite:///{tmp_path}/store.db"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        token_file = tmp_path / "token.txt"
        for _ in range(200):
            if token_file.exists() and token_file.read_text():
                break
            subprocess.run([sys.executable, "-c", "import time; time.sleep(0.05)"], check=True)
        token = token_file.read_text()
        assert cli("send-task-heartbeat", token).returncode == 0
        sent = cli("send-task-success", token, '{"ok": true}')
        assert sent.returncode == 0, sent.stderr
        assert json.loads(json.loads(cli("describe", arn).stdout)["output"]) == {"ok": True}
        stale = cli("send-task-success", token, "{}")
        assert stale.returncode == 2 and "Task does not exist" in stale.stderr
        bad = cli("send-task-failure", "garbage")
        assert bad.returncode == 2 and "Invalid Token" in bad.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    stoppable = cli("start", "approval", "--name", "a2").stdout.strip()
    stopped = cli("stop", stoppable, "--error", "Operator", "--cause", "not needed")
    assert stopped.returncode == 0 and stopped.stdout.strip() == "ABORTED"


def test_a_bad_store_url_is_one_clear_message(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("executions", "--db", "mysql://nope")
    assert done.returncode == 2
    assert "cannot open the store mysql://nope" in done.stderr
    assert "Traceback" not in done.stderr
