"""``arn:aws:states:::sqs:sendMessage`` tasks on every store: request-response, and
``.waitForTaskToken`` completed by a consumer that receives the message and calls
SendTaskSuccess with the token it carries."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.cli_store import service_registry
from stepline.queues.service import Queues, ReceiveOptions
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 7, 8, 9, 10, 11, tzinfo=UTC)
URL = "http://localhost:8083/123456789012/orders"


def machine(resource: str, body: Any, **more: Any) -> str:
    task = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"QueueUrl": URL, "MessageBody": body, **more},
        "End": True,
    }
    return json.dumps({"StartAt": "Send", "States": {"Send": task}})


@pytest.fixture
def env(store_url: str) -> tuple[Service, Queues, Worker]:
    clock = ManualClock(T0)
    service = Service(open_store(store_url), clock)
    queues = Queues(service.store, clock, service.account)
    queues.create_queue("orders")
    worker = Worker(service, service_registry(service, {}, queues), "w")
    return service, queues, worker


def receive(queues: Queues) -> list[dict[str, Any]]:
    return queues.receive(URL, ReceiveOptions(max_messages=10, wait_seconds=0))


def test_send_message_request_response(env: Any) -> None:
    service, queues, worker = env
    body = {"order.$": "$.order", "items": [1, 2]}
    attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
    definition = machine("arn:aws:states:::sqs:sendMessage", body, MessageAttributes=attributes)
    service.create_state_machine("send", definition)
    record = service.start_execution("send", '{"order": 7}', "o7")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", done.cause
    output = json.loads(done.output or "null")
    text = '{"order":7,"items":[1,2]}'
    assert output["MD5OfMessageBody"] == hashlib.md5(text.encode()).hexdigest()
    assert "MD5OfMessageAttributes" in output
    got = receive(queues)
    assert [m["Body"] for m in got] == [text] and got[0]["MessageId"] == output["MessageId"]


def test_wait_for_task_token_completed_by_a_consumer(env: Any) -> None:
    service, queues, worker = env
    body = {"token.$": "$$.Task.Token", "order.$": "$.order"}
    resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    service.create_state_machine("callback", machine(resource, body))
    record = service.start_execution("callback", '{"order": 8}', "o8")
    worker.run_until_idle()
    assert service.describe_execution(record.arn).status == "RUNNING"
    (message,) = receive(queues)
    request = json.loads(message["Body"])
    assert request["order"] == 8
    service.send_task_success(request["token"], json.dumps({"approved": request["order"]}))
    queues.delete_message(URL, message["ReceiptHandle"])
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(done.output or "null") == {"approved": 8}


def test_a_missing_queue_fails_the_task_with_sqs_error(env: Any) -> None:
    service, _, worker = env
    definition = machine("arn:aws:states:::sqs:sendMessage", "hi").replace("orders", "nope")
    service.create_state_machine("missing", definition)
    record = service.start_execution("missing", "{}", "m1")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert (done.status, done.error) == ("FAILED", "SQS.QueueDoesNotExistException")
