"""The AWS CLI (the real ``aws`` binary) against ``stepline serve``: only ``--endpoint-url``
and the development keys differ from a call to AWS."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
from sfn_client import ACCESS_KEY, LOOP_MACHINE, REGION, ROLE, SECRET_KEY, Server

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")


def aws(server: Server, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    assert AWS is not None
    env = {
        **os.environ,
        **extra,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }
    env.pop("AWS_PROFILE", None)
    command = [AWS, "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def ok(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_the_aws_cli_drives_an_execution(server: Server, unique: Callable[[str], str]) -> None:
    name = unique("cli")
    created = ok(
        aws(
            server,
            "create-state-machine",
            "--name",
            name,
            "--definition",
            json.dumps(LOOP_MACHINE),
            "--role-arn",
            ROLE,
        )
    )
    arn = created["stateMachineArn"]
    assert arn.endswith(f":stateMachine:{name}")
    listed = ok(aws(server, "list-state-machines"))
    assert arn in [m["stateMachineArn"] for m in listed["stateMachines"]]
    started = ok(aws(server, "start-execution", "--state-machine-arn", arn, "--input", '{"n": 8}'))
    deadline = time.monotonic() + 60
    while True:
        described = ok(
            aws(server, "describe-execution", "--execution-arn", started["executionArn"])
        )
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"value": 16, "size": "big"}
    history = ok(aws(server, "get-execution-history", "--execution-arn", started["executionArn"]))
    types = [e["type"] for e in history["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "LambdaFunctionSucceeded" in types and "ChoiceStateExited" in types


def test_the_aws_cli_reports_aws_errors(server: Server) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:not-there"
    result = aws(server, "describe-state-machine", "--state-machine-arn", missing)
    assert result.returncode != 0
    assert "(StateMachineDoesNotExist)" in result.stderr


def test_the_aws_cli_runs_a_synchronous_express_execution(
    server: Server, unique: Callable[[str], str]
) -> None:
    created = ok(
        aws(
            server,
            "create-state-machine",
            "--name",
            unique("cli-express"),
            "--type",
            "EXPRESS",
            "--definition",
            json.dumps(LOOP_MACHINE),
            "--role-arn",
            ROLE,
        )
    )
    # StartSyncExecution's host prefix ("sync-") is turned off for a local endpoint.
    ended = ok(
        aws(
            server,
            "start-sync-execution",
            "--state-machine-arn",
            created["stateMachineArn"],
            "--input",
            '{"n": 7}',
            AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        )
    )
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"value": 14, "size": "big"}
