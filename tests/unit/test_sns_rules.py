"""The pure rules of notifications: filter policies, SNS's checks of what is published,
the retry policy, and the envelope's text per protocol."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stepline.notifications import checks, filters
from stepline.notifications.envelope import text_for
from stepline.notifications.errors import NotificationError
from stepline.notifications.notifier import RetryPolicy
from stepline.notifications.senders import Outcome
from stepline.store.notification_records import NotificationRecord

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def attrs(**given: tuple[str, str]) -> dict[str, dict[str, str]]:
    return {k: {"DataType": t, "StringValue": v} for k, (t, v) in given.items()}


@pytest.mark.parametrize(
    ("policy", "attributes", "expected"),
    [
        ({"a": ["x", "y"]}, attrs(a=("String", "y")), True),
        ({"a": ["x"]}, attrs(a=("String", "z")), False),
        ({"a": ["x"]}, {}, False),
        ({"a": [5]}, attrs(a=("Number", "5.0")), True),
        ({"a": ["5"]}, attrs(a=("Number", "5")), False),  # a string never equals a number
        ({"a": [{"prefix": "ab"}]}, attrs(a=("String", "abc")), True),
        ({"a": [{"suffix": "bc"}]}, attrs(a=("String", "abc")), True),
        ({"a": [{"equals-ignore-case": "ABC"}]}, attrs(a=("String", "abc")), True),
        ({"a": [{"anything-but": ["x", "y"]}]}, attrs(a=("String", "z")), True),
        ({"a": [{"anything-but": "x"}]}, attrs(a=("String", "x")), False),
        ({"a": [{"exists": False}]}, {}, True),
        ({"a": [{"exists": True}]}, {}, False),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, attrs(a=("Number", "5")), True),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, attrs(a=("Number", "6")), False),
        ({"a": ["x"]}, attrs(a=("String.Array", '["w", "x"]')), True),
        ({"a": ["x"], "b": ["y"]}, attrs(a=("String", "x")), False),  # every key must match
    ],
)
def test_filter_policies(policy: dict[str, Any], attributes: Any, expected: bool) -> None:
    assert filters.matches(filters.checked_policy(policy), attributes) is expected


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{", "not JSON"),
        ('["a"]', "must be a JSON object"),
        ({"a": "x"}, "non-empty list"),
        ({"a": [{"cidr": "10.0.0.0/8"}]}, "Unrecognized match type cidr"),
        ({"a": [{"exists": "yes"}]}, "either true or false"),
        ({"a": [{"numeric": ["~", 1]}]}, "bad numeric condition"),
        ({"$or": [{}]}, "not supported"),
    ],
)
def test_bad_filter_policies_are_refused(policy: Any, message: str) -> None:
    with pytest.raises(NotificationError, match=message):
        filters.checked_policy(policy)


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: checks.message("", None), "Empty message"),
        (lambda: checks.message("x" * 262_145, None), "Message too long"),
        (lambda: checks.message("{}", "json"), "No default entry"),
        (lambda: checks.message("nope", "json"), "failed to parse"),
        (lambda: checks.message("x", "xml"), "MessageStructure"),
        (lambda: checks.subject("x" * 100), "Subject"),
        (lambda: checks.message_attributes({"AWS.x": {"DataType": "String"}}), "name"),
        (
            lambda: checks.message_attributes({"k": {"DataType": "Bool", "StringValue": "1"}}),
            "type",
        ),
        (lambda: checks.message_attributes({"k": {"DataType": "String"}}), "non-empty"),
        (
            lambda: checks.message_attributes({"k": {"DataType": "Binary", "BinaryValue": "*"}}),
            "base64",
        ),
        (lambda: checks.endpoint("https", "http://x"), "https:// URL"),
        (lambda: checks.endpoint("sms", "+1555"), "Protocol"),
    ],
)
def test_sns_checks(check: Any, message: str) -> None:
    with pytest.raises(NotificationError, match=message):
        check()


def test_good_values_pass_the_checks() -> None:
    assert checks.message_attributes({"n": {"DataType": "Number.int", "StringValue": "1"}}) == {
        "n": {"DataType": "Number.int", "StringValue": "1"}
    }
    assert checks.endpoint("log", None) == "stderr"
    assert checks.endpoint("slack", "http://127.0.0.1:9/x") == "http://127.0.0.1:9/x"


def test_retry_policy() -> None:
    policy = RetryPolicy(max_attempts=4, backoff_seconds=2, max_backoff_seconds=5)
    failed = Outcome(False, 500, "HTTP 500")
    assert policy.next(1, Outcome(True), T0) == ("DELIVERED", None)
    assert policy.next(1, failed, T0) == ("PENDING", T0 + timedelta(seconds=2))
    assert policy.next(2, failed, T0) == ("PENDING", T0 + timedelta(seconds=4))
    assert policy.next(3, failed, T0) == ("PENDING", T0 + timedelta(seconds=5))
    assert policy.next(4, failed, T0) == ("FAILED", None)
    assert policy.next(1, Outcome(False, 404, retry=False), T0) == ("FAILED", None)
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


def test_a_json_structure_gives_each_protocol_its_text() -> None:
    body = json.dumps({"default": "plain", "email": "for email"})
    message = NotificationRecord("m", "t", "arn", body, T0, structure="json")
    assert (text_for(message, "email"), text_for(message, "http")) == ("for email", "plain")
