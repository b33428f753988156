"""``stepline topics ...`` and ``stepline notifications`` as real subprocesses on a SQLite
store, and a real ``stepline worker`` delivering what they publish."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from runner import Run

from stepline.cli import main
from stepline.store.open import open_store

ARN = "arn:aws:sns:us-east-1:123456789012"


def test_topics_subscriptions_publish_and_the_listing(cli: Run, tmp_path: Path) -> None:
    created = cli("topics", "create", "alerts")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == f"{ARN}:alerts"
    assert cli("topics", "create", "alerts").stdout.strip() == f"{ARN}:alerts"  # idempotent
    out = tmp_path / "out" / "alerts.jsonl"
    sub = cli("topics", "subscribe", "alerts", "--protocol", "file", "--endpoint", str(out))
    assert sub.returncode == 0, sub.stderr
    sub_arn = sub.stdout.strip()
    assert sub_arn.startswith(f"{ARN}:alerts:")
    log = cli("topics", "subscribe", f"{ARN}:alerts")  # protocol log by default
    assert log.returncode == 0, log.stderr
    assert cli("topics", "list").stdout.split() == ["alerts", f"{ARN}:alerts", "subscriptions=2"]
    listed = cli("topics", "subscriptions", "alerts").stdout.splitlines()
    assert listed == [f"{sub_arn}\tfile\t{out}", f"{log.stdout.strip()}\tlog\tstderr"]
    published = cli("topics", "publish", "alerts", "Pipeline failed", "--subject", "orders")
    assert published.returncode == 0, published.stderr
    message_id = published.stdout.strip()
    shown = cli("notifications").stdout.splitlines()
    assert message_id in shown[1] and "[orders] 'Pipeline failed'" in shown[1]
    assert sorted(line.split()[:2] for line in shown[2:]) == [
        ["PENDING", "attempts=0"],
        ["PENDING", "attempts=0"],
    ]
    assert cli("notifications", "--failed").stdout.strip() == "no notifications"
    assert cli("topics", "unsubscribe", sub_arn).returncode == 0
    gone = cli("topics", "unsubscribe", sub_arn)
    assert gone.returncode == 2 and "Subscription does not exist" in gone.stderr
    assert cli("topics", "delete", "alerts").returncode == 0
    assert cli("topics", "list").stdout == ""


def test_bad_input_is_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In this process (the same ``main`` as the subprocesses above), for speed."""
    db = ("--db", f"sqlite:///{tmp_path}/store.db")

    def run(*args: str) -> tuple[int, str]:
        try:
            code = main([*args, *db])
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
        return code, capsys.readouterr().err

    assert run("topics", "create", "alerts")[0] == 0
    cases = [
        (("topics", "create", "bad name"), "must be 1 to 256 ASCII letters"),
        (("topics", "create", "jobs.fifo"), "stepline supports standard topics only"),
        (("topics", "publish", "nope", "hi"), "NotFoundException: Topic does not exist: nope"),
        (("topics", "subscribe", "nope", "--protocol", "log"), "Topic does not exist"),
        (("topics", "subscribe", "alerts", "--protocol", "sms"), "invalid choice: 'sms'"),
        (
            ("topics", "subscribe", "alerts", "--protocol", "http", "--endpoint", "ftp://x"),
            "is not a http:// URL with a host",
        ),
        (
            ("topics", "subscribe", "alerts", "--protocol", "email", "--endpoint", "ops"),
            "'ops' is not an email address",
        ),
        (
            ("topics", "subscribe", "alerts", "--filter-policy", '{"k": "v"}'),
            "needs a non-empty list of conditions",
        ),
        (
            ("topics", "subscribe", "alerts", "--filter-policy", '{"k": [{"cidr": "x"}]}'),
            "Unrecognized match type cidr",
        ),
        (("topics", "publish", "alerts", "x", "--subject", "a\nb"), "Invalid parameter: Subject"),
        (("topics", "publish", "alerts", "x", "--attribute", "novalue"), "takes K=V"),
        (("topics", "delete", "nope"), "Topic does not exist: nope"),
        (("notifications", "--topic", "nope"), "Topic does not exist"),
    ]
    for args, expected in cases:
        code, stderr = run(*args)
        assert code == 2, args
        assert expected in stderr, (args, stderr)
        assert "Traceback" not in stderr


def test_apply_a_toml_file_idempotently(cli: Run, tmp_path: Path) -> None:
    config = tmp_path / "topics.toml"
    config.write_text(
        """
[[topics.pipeline-alerts.subscriptions]]
protocol = "email"
endpoint = "ops@example.com"

[[topics.pipeline-alerts.subscriptions]]
protocol = "http"
endpoint = "http://localhost:9000/sns"
filter_policy = { severity = ["high"] }

[topics.audit]
"""
    )
    first = cli("topics", "apply", str(config))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2 topic(s), 2 subscription(s); 4 created"
    again = cli("topics", "apply", str(config))
    assert again.stdout.strip() == "2 topic(s), 2 subscription(s); 0 created"
    listed = cli("topics", "subscriptions", "pipeline-alerts").stdout
    assert 'filter={"severity":["high"]}' in listed
    bad = tmp_path / "bad.toml"
    bad.write_text("[topics.x\n")
    broken = cli("topics", "apply", str(bad))
    assert broken.returncode == 2 and "not valid TOML" in broken.stderr
    bad.write_text('[topics.y]\nsubscriptions = [{ protocol = "http", endpoint = "nope" }]\n')
    wrong = cli("topics", "apply", str(bad))
    assert wrong.returncode == 2
    assert "topics.y.subscriptions[1]: Invalid parameter: Endpoint: 'nope'" in wrong.stderr
    assert "y\t" not in cli("topics", "list").stdout  # nothing applied
    missing = cli("topics", "apply", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_a_worker_process_delivers_what_is_published(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "delivered.jsonl"
    assert cli("topics", "create", "alerts").returncode == 0
    assert cli("topics", "subscribe", "alerts", "--protocol", "file", "--endpoint", str(out))
    assert cli("topics", "subscribe", "alerts").returncode == 0  # log: on the worker's stderr
    env = dict(os.environ, STEPLINE_DB=f"sqlite:///{tmp_path}/store.db")
    worker = subprocess.Popen(
        [sys.executable, "-m", "stepline.cli", "worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        message_id = cli("topics", "publish", "alerts", "hello", "--subject", "hi").stdout.strip()
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        (line,) = out.read_text().splitlines()
        assert json.loads(line)["MessageId"] == message_id
        store = open_store(env["STEPLINE_DB"])
        try:
            while any(d.status != "DELIVERED" for d in store.list_deliveries(message_id)):
                assert time.monotonic() < deadline, "not delivered in time"
                time.sleep(0.05)
        finally:
            store.close()
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    assert f"notification {message_id} topic=alerts subject='hi' message='hello'" in stderr
    shown = cli("notifications").stdout
    assert shown.count("DELIVERED attempts=1") == 2
