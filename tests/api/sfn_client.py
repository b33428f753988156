"""Helpers of the API tests: start and stop a real ``stepline serve`` subprocess, make
boto3 clients for it (the development keys; every response checked against the botocore
model as it arrives, ``sfn_model.py``), send raw signed requests, wait for executions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from sfn_model import check_response

ACCESS_KEY, SECRET_KEY = "stepline", "stepline-secret"  # the documented development pair
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/stepline-tests"
FN = "arn:aws:lambda:us-east-1:123456789012:function"
# Pass, Task, Wait 0 and Choice: the machine of the client loop.
LOOP_MACHINE = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"value.$": "$.n"}, "Next": "Double"},
        "Double": {"Type": "Task", "Resource": f"{FN}:double", "Next": "Breathe"},
        "Breathe": {"Type": "Wait", "Seconds": 0, "Next": "Size"},
        "Size": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.value", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "End": True},
        "Small": {"Type": "Fail", "Error": "TooSmall", "Cause": "the value is 10 or less"},
    },
}

HANDLERS = '''
import os
import time


def double(event, context):
    return {"value": event["value"] * 2}


def gate(event, context):
    """Fails until the file named by event["gate"] exists (for redrives)."""
    if not os.path.exists(event["gate"]):
        raise RuntimeError("the gate is closed")
    return {"passed": True}


def boom(event, context):
    raise ValueError("boom")


FUNCTIONS = {"double": double, "gate": gate, "boom": boom}
'''


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path
    directory: Path


def start_server(directory: Path, *extra: str) -> Server:
    """Start ``stepline serve --port 0`` in ``directory``; returns once /healthz answers."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "api_handlers.py").write_text(HANDLERS)
    log = directory / "serve.log"
    command = [
        sys.executable,
        "-m",
        "stepline.cli",
        "serve",
        "--port",
        "0",
        "--db",
        f"sqlite:///{directory}/s.db",
        "--functions",
        "api_handlers:FUNCTIONS",
        "--long-poll-seconds",
        "1",
        *extra,
    ]
    with open(log, "w") as err:
        process = subprocess.Popen(
            command, cwd=directory, stdout=subprocess.PIPE, stderr=err, text=True
        )
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    found = re.search(r"listening on (http://\S+)", lines[0]) if lines else None
    if found is None:
        process.kill()
        raise AssertionError(f"stepline serve did not start: {lines!r}\n{log.read_text()}")
    url = found.group(1)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    return Server(url, process, log, directory)


def stop_server(server: Server) -> int:
    server.process.terminate()
    try:
        return server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(5)
        raise AssertionError("stepline serve did not stop within 15 s of SIGTERM") from None


def serving(directory: Path, *extra: str) -> Iterator[Server]:
    """A server for a fixture: started, yielded, then stopped, checking that it stopped
    cleanly and logged no unexpected error."""
    started = start_server(directory, *extra)
    yield started
    code = stop_server(started)
    log = started.log.read_text()
    assert code == 0, log
    assert "Traceback" not in log, f"the server logged an unexpected error:\n{log}"


def client(url: str, **options: Any) -> Any:
    return boto3_client("stepfunctions", url, check_response, **options)


def boto3_client(service: str, url: str, check: Callable[..., None], **options: Any) -> Any:
    """A boto3 client of ``service`` for the server (the development keys, no retries),
    every response checked by ``check`` (botocore's after-call event)."""
    made = boto3.client(
        service,
        region_name=options.pop("region", REGION),
        endpoint_url=url,
        aws_access_key_id=options.pop("access_key", ACCESS_KEY),
        aws_secret_access_key=options.pop("secret_key", SECRET_KEY),
        config=Config(retries={"total_max_attempts": 1}, **options),
    )
    made.meta.events.register(
        f"after-call.{made.meta.service_model.service_id.hyphenize()}.*", check
    )
    return made


def wait_for_end(sfn: Any, execution_arn: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")
        time.sleep(0.02)


def pass_chain(count: int) -> dict[str, Any]:
    states: dict[str, Any] = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(count)}
    states[f"P{count - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "P0", "States": states}


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: Any


def raw_post(
    url: str,
    body: bytes,
    target: str | None = "AWSStepFunctions.ListStateMachines",
    *,
    sign: bool = True,
    headers: dict[str, str] | None = None,
    secret: str = SECRET_KEY,
    service: str = "states",
    content_type: str = "application/x-amz-json-1.0",
) -> RawAnswer:
    """POST / with exactly ``body``, signed with SigV4 (botocore's signer) for ``service``
    unless told not."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if target is not None:
        sent["X-Amz-Target"] = target
    request = AWSRequest(method="POST", url=f"{url}/", data=body, headers=sent)
    if sign:
        SigV4Auth(Credentials(ACCESS_KEY, secret), service, REGION).add_auth(request)
    prepared = urllib.request.Request(
        f"{url}/", data=body, headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=30) as answer:
            return RawAnswer(answer.status, dict(answer.headers.items()), json.load(answer))
    except urllib.error.HTTPError as error:
        return RawAnswer(error.code, dict(error.headers.items()), json.loads(error.read()))


os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
