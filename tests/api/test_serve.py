"""``stepline serve`` as a process: options, clean shutdown on signals, a worker of its own
or joined by ``stepline worker`` processes, PostgreSQL and its readiness check."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from botocore.exceptions import ClientError
from sfn_client import (
    LOOP_MACHINE,
    ROLE,
    client,
    raw_post,
    start_server,
    stop_server,
    wait_for_end,
)


def test_sigint_and_sigterm_stop_it_cleanly(tmp_path: Path) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        server = start_server(tmp_path / signum.name)
        sfn = client(server.url)
        arn = sfn.create_state_machine(name="m", definition=json.dumps(LOOP_MACHINE), roleArn=ROLE)[
            "stateMachineArn"
        ]
        started = sfn.start_execution(stateMachineArn=arn, input='{"n": 9}')
        assert wait_for_end(sfn, started["executionArn"])["status"] == "SUCCEEDED"
        server.process.send_signal(signum)
        assert server.process.wait(15) == 0
        log = server.log.read_text()
        assert "stepline serve: stopped" in log and "Traceback" not in log


def test_auth_none_and_configured_keys(tmp_path: Path) -> None:
    open_server = start_server(tmp_path / "open", "--auth", "none")
    try:
        assert raw_post(open_server.url, b"{}", sign=False).status == 200
    finally:
        assert stop_server(open_server) == 0
    keyed = start_server(tmp_path / "keyed", "--access-key", "team", "--secret-key", "s3cret")
    try:
        with pytest.raises(ClientError) as refused:
            client(keyed.url).list_state_machines()  # the development pair is not configured
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
        team = client(keyed.url, access_key="team", secret_key="s3cret")
        assert team.list_state_machines()["stateMachines"] == []
    finally:
        assert stop_server(keyed) == 0


def test_no_worker_then_a_worker_process_joins(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--no-worker")
    try:
        sfn = client(server.url)
        arn = sfn.create_state_machine(name="m", definition=json.dumps(LOOP_MACHINE), roleArn=ROLE)[
            "stateMachineArn"
        ]
        started = sfn.start_execution(stateMachineArn=arn, input='{"n": 6}')
        time.sleep(0.5)  # nobody runs its Task meanwhile
        assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING"
        worker = subprocess.Popen(
            [sys.executable, "-m", "stepline.cli", "worker", "--db", f"sqlite:///{tmp_path}/s.db"]
            + ["--functions", "api_handlers:FUNCTIONS"],
            cwd=tmp_path,
            stderr=subprocess.DEVNULL,
        )
        try:
            done = wait_for_end(sfn, started["executionArn"])
            assert json.loads(done["output"]) == {"value": 12, "size": "big"}
        finally:
            worker.terminate()
            worker.wait(15)
    finally:
        assert stop_server(server) == 0


def test_a_busy_port_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "stepline.cli", "serve", "--port", str(port)]
            + ["--db", f"sqlite:///{tmp_path}/s.db"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_postgresql_and_its_readiness(tmp_path: Path, postgres_url: str) -> None:
    server = start_server(tmp_path, "--db", postgres_url)
    try:
        sfn = client(server.url)
        arn = sfn.create_state_machine(
            name="pg", definition=json.dumps(LOOP_MACHINE), roleArn=ROLE
        )["stateMachineArn"]
        started = sfn.start_execution(stateMachineArn=arn, input='{"n": 30}')
        done = wait_for_end(sfn, started["executionArn"])
        assert json.loads(done["output"]) == {"value": 60, "size": "big"}
        with urllib.request.urlopen(f"{server.url}/readyz") as answer:
            assert answer.status == 200
        schema = postgres_url.rsplit("%3D", 1)[1]
        with psycopg.connect(postgres_url.split("?")[0], autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        with pytest.raises(urllib.error.HTTPError) as unready:
            urllib.request.urlopen(f"{server.url}/readyz")
        assert unready.value.code == 503
        answer = json.loads(unready.value.read())
        assert answer["status"] == "unavailable"
        assert "the store does not answer" in answer["reason"]
        with urllib.request.urlopen(f"{server.url}/healthz") as alive:
            assert alive.status == 200  # alive, not ready
    finally:
        server.process.terminate()
        server.process.wait(15)


def test_stopping_answers_long_polls_at_once(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--long-poll-seconds", "60")
    sfn = client(server.url, read_timeout=70)
    activity = sfn.create_activity(name="waiting")["activityArn"]
    answers: list[dict[str, object]] = []
    poller = threading.Thread(
        target=lambda: answers.append(sfn.get_activity_task(activityArn=activity))
    )
    poller.start()
    time.sleep(0.5)  # the poll is waiting in the server
    began = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(15) == 0
    poller.join(15)
    assert time.monotonic() - began < 5
    assert len(answers) == 1 and "taskToken" not in answers[0]
    assert "Traceback" not in server.log.read_text()
