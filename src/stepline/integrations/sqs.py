"""``arn:aws:states:::sqs:sendMessage``: request-response, and ``.waitForTaskToken`` (the
message carries ``$$.Task.Token``; the task waits until SendTaskSuccess or SendTaskFailure
names it, as for every callback task).

Parameters are SendMessage's members. A MessageBody that is not a string is sent as its
JSON text (# AWS: connect-sqs: "the message body ... JSON is serialized"). The output is
SendMessage's answer: ``{"MD5OfMessageBody", "MessageId"}`` (with MD5OfMessageAttributes when
there are message attributes). SQS's errors surface as ``SQS.<Exception>`` (the AWS SDK for
Java's exception names: ``SQS.QueueDoesNotExistException``), errors SQS does not model as
``SQS.AmazonSQSException``, so Retry and Catch can match them.

A worker that crashes after sending and runs the task again sends the message again (SQS
delivers at least once).
"""

from __future__ import annotations

import json
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.queues.errors import QueueError
from stepline.queues.messages import Outgoing, sent
from stepline.queues.service import Queues

SEND_MESSAGE: Final = "arn:aws:states:::sqs:sendMessage"
WAIT: Final = SEND_MESSAGE + ".waitForTaskToken"
_MEMBERS: Final = frozenset(
    {
        "QueueUrl",
        "MessageBody",
        "DelaySeconds",
        "MessageAttributes",
        "MessageSystemAttributes",
        "MessageGroupId",
        "MessageDeduplicationId",
    }
)
_MODELED: Final = frozenset(
    {
        "QueueDoesNotExist",
        "InvalidMessageContents",
        "UnsupportedOperation",
        "InvalidAttributeName",
        "InvalidAttributeValue",
        "RequestThrottled",
    }
)


def error_name(error: QueueError) -> str:
    """The Step Functions error name of an SQS error."""
    if error.code in _MODELED:
        return f"SQS.{error.code}Exception"
    return "SQS.AmazonSQSException"


class Sqs:
    def __init__(self, queues: Queues) -> None:
        self.queues = queues

    def handler_for(self, resource: str) -> Handler | None:
        if resource not in (SEND_MESSAGE, WAIT):
            return None
        return self._send

    def _send(self, request: TaskRequest) -> Json:
        params: dict[str, Any] = request.parameters if isinstance(request.parameters, dict) else {}
        unknown = sorted(set(params) - _MEMBERS)
        if unknown:
            raise TaskFailure(
                "States.Runtime",
                f"The field(s) {unknown} are not SendMessage parameters"
                f" (state '{request.state_name}')",
            )
        url, body = params.get("QueueUrl"), params.get("MessageBody")
        if not isinstance(url, str) or body is None:
            raise TaskFailure(
                "SQS.AmazonSQSException",
                f"QueueUrl and MessageBody are required for {SEND_MESSAGE}"
                f" (state '{request.state_name}')",
            )
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        delay = params.get("DelaySeconds")
        message = Outgoing(
            body=text,
            delay_seconds=delay if isinstance(delay, int) else None,
            message_attributes=params.get("MessageAttributes") or {},
            system_attributes=params.get("MessageSystemAttributes") or {},
            group_id=params.get("MessageGroupId"),
            deduplication_id=params.get("MessageDeduplicationId"),
        )
        try:
            return sent(self.queues.send(url, message))
        except QueueError as error:
            raise TaskFailure(error_name(error), error.message) from None
