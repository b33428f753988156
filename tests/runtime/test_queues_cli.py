"""``stepline queues ...`` as a real subprocess on a SQLite store."""

from __future__ import annotations

import json

from runner import Run


def test_create_send_receive_purge(cli: Run) -> None:
    created = cli("queues", "create", "orders", "--attribute", "VisibilityTimeout=60")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().endswith("/123456789012/orders")
    again = cli("queues", "create", "orders", "--attribute", "VisibilityTimeout=61")
    assert again.returncode != 0 and "QueueNameExists" in again.stderr
    for body in ("one", "two"):
        assert cli("queues", "send", "orders", body).returncode == 0
    listed = cli("queues", "list")
    assert listed.stdout.split() == ["orders", "visible=2", "in_flight=0", "delayed=0"]
    received = cli("queues", "receive", "orders", "--max", "1", "--delete")
    assert received.returncode == 0, received.stderr
    (line,) = received.stdout.splitlines()
    message = json.loads(line)
    assert message["Body"] == "one" and message["Attributes"]["ApproximateReceiveCount"] == "1"
    purged = cli("queues", "purge", "orders")
    assert purged.stdout.strip() == "purged 1 message(s)"
    missing = cli("queues", "send", "nope", "x")
    assert missing.returncode != 0 and "QueueDoesNotExist" in missing.stderr
