"""``arn:aws:states:::sns:publish`` tasks on every store: a message made with States.Format
reaches a real HTTP endpoint; a subscriber that always fails ends FAILED while the
execution that published SUCCEEDED; SNS's errors fail the task as ``SNS.<Exception>``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sns_endpoints import http_endpoint

from stepline.cli_store import service_registry
from stepline.notifications import Notifications, Notifier, RetryPolicy, Senders
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

T0 = datetime(2026, 7, 8, 9, 10, 11, tzinfo=UTC)
TOPIC = "arn:aws:sns:us-east-1:123456789012:pipeline-alerts"


def machine(resource: str = "arn:aws:states:::sns:publish", **parameters: Any) -> str:
    publish = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {
            "TopicArn": TOPIC,
            "Subject": "orders_daily",
            "Message.$": "States.Format('Pipeline failed: {}', $.error)",
            **parameters,
        },
        "End": True,
    }
    return json.dumps({"StartAt": "Alert", "States": {"Alert": publish}})


@pytest.fixture
def env(store_url: str) -> Any:
    clock = ManualClock(T0)
    service = Service(open_store(store_url), clock)
    notifications = Notifications(service.store, clock, service.account)
    notifications.create_topic("pipeline-alerts")
    registry = service_registry(service, {}, notifications=notifications)
    worker = Worker(service, registry, "w")
    policy = RetryPolicy(max_attempts=2, backoff_seconds=1)
    notifier = Notifier(notifications, Senders(), "n", policy)
    yield service, notifications, worker, notifier
    service.store.close()


def test_a_published_alert_reaches_the_http_endpoint(env: Any) -> None:
    service, notifications, worker, notifier = env
    with http_endpoint() as endpoint:
        notifications.subscribe("pipeline-alerts", "http", endpoint.url)
        service.create_state_machine("alert", machine())
        record = service.start_execution("alert", '{"error": "disk full"}', "e1")
        worker.run_until_idle()
        done = service.describe_execution(record.arn)
        assert done.status == "SUCCEEDED", done.cause
        assert endpoint.received == []  # delivered later, by the notifier
        assert notifier.run_once() == 1
        (got,) = endpoint.received
    output = json.loads(done.output or "null")
    assert set(output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    body = json.loads(got.body)
    assert body["Message"] == "Pipeline failed: disk full"
    assert (body["MessageId"], body["Subject"]) == (output["MessageId"], "orders_daily")


def test_a_failing_subscriber_never_fails_the_execution(env: Any) -> None:
    service, notifications, worker, notifier = env
    with http_endpoint() as endpoint:
        endpoint.statuses = [500] * 5
        notifications.subscribe("pipeline-alerts", "http", endpoint.url)
        service.create_state_machine("alert", machine())
        record = service.start_execution("alert", '{"error": "bad file"}', "e2")
        worker.run_until_idle()
        notifier.run_once()
        service.clock.advance(1)
        notifier.run_once()
    assert service.describe_execution(record.arn).status == "SUCCEEDED"
    output = json.loads(service.describe_execution(record.arn).output or "null")
    (delivery,) = notifications.store.list_deliveries(output["MessageId"])
    assert (delivery.status, delivery.attempts) == ("FAILED", 2)


@pytest.mark.parametrize(
    ("parameters", "error"),
    [
        ({"TopicArn": TOPIC.replace("pipeline-alerts", "nope")}, "SNS.NotFoundException"),
        ({"Subject": "two\nlines"}, "SNS.InvalidParameterException"),
        (
            {"MessageAttributes": {"k": {"DataType": "Number", "StringValue": "x"}}},
            "SNS.InvalidParameterValueException",
        ),
    ],
)
def test_sns_errors_fail_the_task(env: Any, parameters: dict[str, Any], error: str) -> None:
    service, _, worker, _ = env
    service.create_state_machine("bad", machine(**parameters))
    record = service.start_execution("bad", '{"error": "x"}', "b")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert (done.status, done.error) == ("FAILED", error)


def test_catch_matches_the_sns_error_and_a_json_message_is_sent_as_text(env: Any) -> None:
    service, notifications, worker, _ = env
    missing = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {"TopicArn": TOPIC + "-gone", "Message": "x"},
        "Catch": [{"ErrorEquals": ["SNS.NotFoundException"], "Next": "Fallback"}],
        "End": True,
    }
    fallback = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {"TopicArn": TOPIC, "Message": {"failed.$": "$.Error"}},
        "End": True,
    }
    definition = {"StartAt": "Try", "States": {"Try": missing, "Fallback": fallback}}
    service.create_state_machine("catch", json.dumps(definition))
    record = service.start_execution("catch", "{}", "c")
    worker.run_until_idle()
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED", done.cause
    message = notifications.store.get_notification(json.loads(done.output or "")["MessageId"])
    assert message is not None and message.message == '{"failed": "SNS.NotFoundException"}'


def test_wait_for_task_token_completed_by_the_subscriber(env: Any) -> None:
    service, notifications, worker, _ = env
    resource = "arn:aws:states:::sns:publish.waitForTaskToken"
    task = {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"TopicArn": TOPIC, "Message": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    definition = json.dumps({"StartAt": "Ask", "States": {"Ask": task}})
    service.create_state_machine("approve", definition)
    record = service.start_execution("approve", '{"error": "x"}', "w")
    worker.run_until_idle()
    assert service.describe_execution(record.arn).status == "RUNNING"
    (message,) = notifications.store.list_notifications()
    token = json.loads(message.message)["token"]
    service.send_task_success(token, '{"approved": true}')
    done = service.describe_execution(record.arn)
    assert done.status == "SUCCEEDED" and json.loads(done.output or "") == {"approved": True}
