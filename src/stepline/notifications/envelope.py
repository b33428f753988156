"""What a subscriber receives, built from a published message: SNS's JSON envelope (http,
https and file), the Slack incoming-webhook payload, the email's subject, the log line.
Pure.

The envelope cannot carry a real AWS signature (stepline has no AWS signing key): its
``Signature`` is the marker ``UNSIGNED-STEPLINE-LOCAL`` and its ``SigningCertURL`` names
no certificate, so a receiver that verifies SNS signatures must skip that check locally.
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import quote

from stepline.store.notification_records import NotificationRecord

SIGNATURE: Final = "UNSIGNED-STEPLINE-LOCAL"
SIGNING_CERT_URL: Final = "https://stepline.invalid/unsigned.pem"  # .invalid: never resolves
# AWS: an email notification without a Subject gets this subject line.
DEFAULT_EMAIL_SUBJECT: Final = "AWS Notification Message"


def text_for(message: NotificationRecord, protocol: str) -> str:
    """The message text a ``protocol`` subscriber gets: with MessageStructure "json", the
    entry for the protocol or else "default" (# AWS: Publish, MessageStructure)."""
    if message.structure != "json":
        return message.message
    per_protocol: dict[str, Any] = json.loads(message.message)
    chosen = per_protocol.get(protocol, per_protocol["default"])
    return chosen if isinstance(chosen, str) else json.dumps(chosen)


def timestamp(message: NotificationRecord) -> str:
    # AWS: "2012-04-26T20:45:04.751Z": UTC, milliseconds
    return message.published_at.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{message.published_at.microsecond // 1000:03d}Z"
    )


def envelope(
    message: NotificationRecord, subscription_arn: str, protocol: str, endpoint: str
) -> dict[str, Any]:
    """SNS's HTTP/HTTPS notification JSON (# AWS: sns/latest/dg/http-notification-json);
    ``endpoint``: the stepline server named in UnsubscribeURL."""
    body: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message.id,
        "TopicArn": message.topic_arn,
    }
    if message.subject is not None:  # AWS: absent without a Subject
        body["Subject"] = message.subject
    body |= {
        "Message": text_for(message, protocol),
        "Timestamp": timestamp(message),
        "SignatureVersion": "1",
        "Signature": SIGNATURE,
        "SigningCertURL": SIGNING_CERT_URL,
        "UnsubscribeURL": (
            f"{endpoint.rstrip('/')}/?Action=Unsubscribe&SubscriptionArn="
            f"{quote(subscription_arn, safe='')}"
        ),
    }
    attributes: dict[str, dict[str, str]] = json.loads(message.attributes)
    if attributes:
        body["MessageAttributes"] = {
            name: {
                "Type": value["DataType"],
                "Value": value.get("StringValue", value.get("BinaryValue", "")),
            }
            for name, value in attributes.items()
        }
    return body


def http_headers(message: NotificationRecord, subscription_arn: str) -> dict[str, str]:
    # AWS: sns/latest/dg/http-header: the headers of an HTTP/HTTPS notification POST
    return {
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": message.id,
        "x-amz-sns-topic-arn": message.topic_arn,
        "x-amz-sns-subscription-arn": subscription_arn,
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
    }


def slack_payload(message: NotificationRecord) -> dict[str, str]:
    """A Slack incoming webhook's payload: the subject in bold, then the message."""
    text = text_for(message, "slack")
    if message.subject:
        text = f"*{message.subject}*\n{text}"
    return {"text": text}


def email_subject(message: NotificationRecord) -> str:
    return message.subject or DEFAULT_EMAIL_SUBJECT


def log_line(message: NotificationRecord) -> str:
    subject = f" subject={message.subject!r}" if message.subject else ""
    text = text_for(message, "log")
    return f"notification {message.id} topic={message.topic_name}{subject} message={text!r}"
