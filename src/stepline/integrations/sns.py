"""``arn:aws:states:::sns:publish``: request-response, and ``.waitForTaskToken`` (the
message carries ``$$.Task.Token``; the task waits until SendTaskSuccess or SendTaskFailure
names it, as for every callback task).

Parameters are Publish's members (TopicArn or TargetArn, Message, Subject,
MessageAttributes, MessageStructure, MessageGroupId, MessageDeduplicationId). A Message
that is not a string is sent as its JSON text (# AWS: connect-sns: "if the message is a
JSON object it is serialized"). The output is Publish's answer as the AWS SDK for Java
gives it to Step Functions: ``{"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}``
(# AWS: like lambda:invoke's; the HTTP headers reduced to Content-Type and
x-amzn-RequestId). SNS's errors surface as ``SNS.<Exception>``
(``SNS.NotFoundException``, ``SNS.InvalidParameterException``,
``SNS.InvalidParameterValueException``) so Retry and Catch can match them.

The task succeeds once the message is stored: delivery happens later (a ``Notifier``), and
a failing subscriber never fails the execution. A worker that crashes after publishing and
runs the task again publishes the message again (at least once, as with SNS).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.notifications.errors import NotificationError
from stepline.notifications.service import Notifications, Outgoing

PUBLISH: Final = "arn:aws:states:::sns:publish"
WAIT: Final = PUBLISH + ".waitForTaskToken"
_MEMBERS: Final = frozenset(
    {
        "TopicArn",
        "TargetArn",
        "PhoneNumber",
        "Message",
        "Subject",
        "MessageAttributes",
        "MessageStructure",
        "MessageGroupId",
        "MessageDeduplicationId",
    }
)


class Sns:
    def __init__(self, notifications: Notifications) -> None:
        self.notifications = notifications

    def handler_for(self, resource: str) -> Handler | None:
        if resource not in (PUBLISH, WAIT):
            return None
        return self._publish

    def _publish(self, request: TaskRequest) -> Json:
        params: dict[str, Any] = request.parameters if isinstance(request.parameters, dict) else {}
        unknown = sorted(set(params) - _MEMBERS)
        if unknown:
            raise TaskFailure(
                "States.Runtime",
                f"The field(s) {unknown} are not Publish parameters (state '{request.state_name}')",
            )
        if params.get("PhoneNumber") is not None:
            raise TaskFailure(
                "SNS.InvalidParameterException",
                "Invalid parameter: PhoneNumber (stepline sends no SMS; publish to a topic)",
            )
        body = params.get("Message")
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        target = params.get("TopicArn", params.get("TargetArn"))
        outgoing = Outgoing(
            target=target,
            message=text,
            subject=params.get("Subject"),
            attributes=params.get("MessageAttributes"),
            structure=params.get("MessageStructure"),
            group_id=params.get("MessageGroupId"),
            deduplication_id=params.get("MessageDeduplicationId"),
        )
        try:
            message = self.notifications.publish(outgoing)
        except NotificationError as error:
            raise TaskFailure(f"SNS.{error.code}", error.message) from None
        return published(message.id, str(uuid.uuid4()))


def published(message_id: str, request_id: str) -> dict[str, Json]:
    """Publish's answer as a Step Functions task output."""
    return {
        "MessageId": message_id,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "x-amzn-RequestId": [request_id],
                "Content-Type": ["text/xml"],
            },
            "HttpHeaders": {"Content-Type": "text/xml", "x-amzn-RequestId": request_id},
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }
