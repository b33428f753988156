"""A work item whose step cannot be stored for a moment (the store failing) is handed back
and runs again after a short back-off, not left leased until its lease runs out; the
failure is logged."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.memory import MemoryStore
from stepline.store.protocol import Append, StoreError


class FailingOnce(MemoryStore):
    """A fault injector: a real memory store whose first ``append`` of a task's end fails
    (as a database that dropped the connection would)."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0

    def append(self, append: Append) -> int:
        if append.done_work_id is not None and self.failures == 0:
            self.failures += 1
            raise StoreError("the connection to the database was lost")
        return super().append(append)


def test_a_failed_step_is_handed_back_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    store = FailingOnce()
    service = Service(store, RealClock())
    machine = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                "End": True,
            }
        },
    }
    arn = service.create_state_machine("faulty", json.dumps(machine)).arn
    calls: list[Any] = []
    registry = Registry([LambdaFunctions({"work": lambda event, _: calls.append(event) or 7})])
    worker = Worker(service, registry, "w1", lease_seconds=300)
    record = service.start_execution(arn, '{"n": 1}')
    deadline = time.monotonic() + 30
    with caplog.at_level(logging.ERROR, logger="stepline.worker"):
        while service.describe_execution(record.arn).status == "RUNNING":
            assert time.monotonic() < deadline, "not retried before its 300 s lease ran out"
            worker.run_until_idle(timeout=10)
            time.sleep(0.05)
    ended = service.describe_execution(record.arn)
    assert (ended.status, ended.output) == ("SUCCEEDED", "7")
    assert store.failures == 1 and len(calls) == 2  # at least once: the task ran again
    assert "failed; it runs again in 0.5 s" in caplog.text
    assert "the connection to the database was lost" in caplog.text
