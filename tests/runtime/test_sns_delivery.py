"""Delivering published messages to real subscribers, on every store: an HTTP endpoint
(SNS's envelope and headers), retries with recorded attempts, a subscriber that always
fails ending FAILED, Slack's payload, a file, the log, and email through a real SMTP
server (aiosmtpd)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sns_endpoints import http_endpoint, smtp_server

from stepline.arns import Account
from stepline.notifications import (
    Notifications,
    Notifier,
    Outgoing,
    RetryPolicy,
    Senders,
    SmtpSettings,
)
from stepline.runtime.clock import ManualClock
from stepline.store.open import open_store

T0 = datetime(2026, 7, 8, 9, 10, 11, 250000, tzinfo=UTC)
TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"


@pytest.fixture
def notifications(store_url: str) -> Any:
    store = open_store(store_url)
    service = Notifications(store, ManualClock(T0), Account())
    service.create_topic("alerts")
    yield service
    store.close()


def notifier(service: Notifications, **senders: Any) -> tuple[Notifier, list[str]]:
    lines: list[str] = []
    policy = RetryPolicy(max_attempts=3, backoff_seconds=5, max_backoff_seconds=60)
    return Notifier(service, Senders(log=lines.append, **senders), "n1", policy), lines


def publish(service: Notifications, message: str = "Pipeline failed", **more: Any) -> str:
    return service.publish(Outgoing(TOPIC, message, **more)).id


def test_http_endpoint_gets_the_sns_envelope_and_headers(notifications: Any) -> None:
    with http_endpoint() as endpoint:
        sub = notifications.subscribe("alerts", "http", endpoint.url + "/hook")
        attributes = {
            "severity": {"DataType": "String", "StringValue": "high"},
            "count": {"DataType": "Number", "StringValue": "3"},
        }
        message_id = publish(notifications, subject="orders_daily", attributes=attributes)
        assert endpoint.received == []  # delivery is asynchronous
        run, _ = notifier(notifications)
        assert run.run_once() == 1
        (got,) = endpoint.received
    assert got.path == "/hook"
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == message_id
    assert headers["x-amz-sns-topic-arn"] == TOPIC
    assert headers["x-amz-sns-subscription-arn"] == sub.arn
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    body = json.loads(got.body)
    assert list(body) == [
        "Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes",
    ]  # fmt: skip
    assert body["Type"] == "Notification" and body["MessageId"] == message_id
    assert (body["Subject"], body["Message"]) == ("orders_daily", "Pipeline failed")
    assert body["Timestamp"] == "2026-07-08T09:10:11.250Z"
    assert body["MessageAttributes"] == {
        "severity": {"Type": "String", "Value": "high"},
        "count": {"Type": "Number", "Value": "3"},
    }
    assert sub.arn.replace(":", "%3A") in body["UnsubscribeURL"]
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert (delivery.status, delivery.attempts) == ("DELIVERED", 1)
    (attempt,) = notifications.store.delivery_attempts(delivery.id)
    assert (attempt.outcome, attempt.status_code, attempt.error) == ("DELIVERED", 200, None)


def test_a_failing_endpoint_is_retried_after_a_back_off(notifications: Any) -> None:
    clock = notifications.clock
    with http_endpoint() as endpoint:
        endpoint.statuses = [500]
        notifications.subscribe("alerts", "http", endpoint.url)
        message_id = publish(notifications)
        run, _ = notifier(notifications)
        assert run.run_once() == 1
        (delivery,) = notifications.store.list_deliveries(message_id)
        assert (delivery.status, delivery.attempts) == ("PENDING", 1)
        assert run.run_once() == 0  # not due before its back-off
        clock.advance(5)
        assert run.run_once() == 1
        assert len(endpoint.received) == 2
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("DELIVERED", 2, None)
    first, second = notifications.store.delivery_attempts(delivery.id)
    assert (first.outcome, first.status_code, first.error) == (
        "FAILED",
        500,
        "HTTP 500 Internal Server Error",
    )
    assert (second.outcome, second.status_code) == ("DELIVERED", 200)
    assert (first.at, second.at) == (T0, T0 + timedelta(seconds=5))


def test_an_endpoint_always_failing_ends_failed(notifications: Any) -> None:
    clock = notifications.clock
    with http_endpoint() as endpoint:
        endpoint.statuses = [503] * 10
        notifications.subscribe("alerts", "http", endpoint.url)
        message_id = publish(notifications)
        run, _ = notifier(notifications)
        for wait in (0, 5, 10):  # 5 s, then 10 s apart
            clock.advance(wait)
            assert run.run_once() == 1
        clock.advance(3600)
        assert run.run_once() == 0
        assert len(endpoint.received) == 3
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert (delivery.status, delivery.attempts) == ("FAILED", 3)
    assert delivery.last_error == "HTTP 503 Service Unavailable"
    assert [m.id for m in notifications.store.list_notifications(failed_only=True)] == [message_id]


def test_a_client_error_is_not_retried(notifications: Any) -> None:
    with http_endpoint() as endpoint:
        endpoint.statuses = [404]
        notifications.subscribe("alerts", "http", endpoint.url)
        message_id = publish(notifications)
        run, _ = notifier(notifications)
        run.run_once()
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert (delivery.status, delivery.attempts) == ("FAILED", 1)


def test_an_unreachable_endpoint_records_the_connection_error(notifications: Any) -> None:
    with http_endpoint() as endpoint:
        url = endpoint.url  # closed at the end of the block: nothing listens after
    notifications.subscribe("alerts", "http", url)
    message_id = publish(notifications)
    run, _ = notifier(notifications)
    run.run_once()
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert delivery.status == "PENDING" and "ConnectionRefusedError" in (delivery.last_error or "")


def test_slack_file_and_log_subscribers(notifications: Any, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "alerts.jsonl"
    with http_endpoint() as slack:
        notifications.subscribe("alerts", "slack", slack.url + "/services/T/B/X")
        notifications.subscribe("alerts", "file", str(target))
        notifications.subscribe("alerts", "log", None)
        first = publish(notifications, "Pipeline failed: disk full", subject="orders_daily")
        second = publish(notifications, "no subject")
        run, lines = notifier(notifications)
        assert run.run_once() == 6
        payloads = sorted(json.loads(r.body)["text"] for r in slack.received)
    assert payloads == ["*orders_daily*\nPipeline failed: disk full", "no subject"]
    written = [json.loads(line) for line in target.read_text().splitlines()]
    assert sorted(w["MessageId"] for w in written) == sorted([first, second])
    assert {w["Type"] for w in written} == {"Notification"}
    assert sorted(lines) == sorted(
        [
            f"notification {first} topic=alerts subject='orders_daily'"
            " message='Pipeline failed: disk full'",
            f"notification {second} topic=alerts message='no subject'",
        ]
    )


def test_email_through_a_real_smtp_server(notifications: Any) -> None:
    with smtp_server() as mailbox:
        notifications.subscribe("alerts", "email", "ops@example.com")
        smtp = SmtpSettings(host="127.0.0.1", port=mailbox.port, sender="stepline@example.com")
        message_id = publish(notifications, "Pipeline failed: bad file", subject="orders_daily")
        publish(notifications, "no subject given")
        run, _ = notifier(notifications, smtp=smtp)
        assert run.run_once() == 2
        mails = sorted(mailbox.mails, key=lambda m: str(m[2]["Subject"]))
    (_, _, plain), (sender, to, mail) = mails  # by subject
    assert (sender, to) == ("stepline@example.com", ["ops@example.com"])
    assert mail["Subject"] == "orders_daily" and mail["X-Amz-Sns-Message-Id"] == message_id
    assert mail.get_payload().strip() == "Pipeline failed: bad file"
    assert plain["Subject"] == "AWS Notification Message"


def test_email_without_an_smtp_server_fails_its_delivery(notifications: Any) -> None:
    notifications.subscribe("alerts", "email", "ops@example.com")
    message_id = publish(notifications)
    run, _ = notifier(notifications)
    run.run_once()
    (delivery,) = notifications.store.list_deliveries(message_id)
    assert "no SMTP server configured" in (delivery.last_error or "")


def test_filter_policies_choose_the_subscribers(notifications: Any) -> None:
    high = notifications.subscribe(
        "alerts", "log", "high", {"severity": ["high", {"prefix": "crit"}]}
    )
    notifications.subscribe("alerts", "log", "numbers", {"count": [{"numeric": [">", 5]}]})
    every = notifications.subscribe("alerts", "log", "every")

    def subscribers(**attributes: tuple[str, str]) -> list[str]:
        given = {k: {"DataType": t, "StringValue": v} for k, (t, v) in attributes.items()}
        message_id = publish(notifications, attributes=given)
        arns = [d.subscription_arn for d in notifications.store.list_deliveries(message_id)]
        return sorted(arns)

    assert subscribers(severity=("String", "critical")) == sorted([high.arn, every.arn])
    assert subscribers(severity=("String", "low"), count=("Number", "9")) == sorted(
        [s.arn for s in notifications.subscriptions("alerts") if s.arn != high.arn]
    )
    assert subscribers() == [every.arn]
