"""SNS's errors: the error shape's name in SNS's service model (``NotFoundException``,
``InvalidParameterException``, ``InvalidParameterValueException``: what the SDKs raise, and
what ``sns:publish`` tasks fail with as ``SNS.<name>``) and a message."""

from __future__ import annotations


class NotificationError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def no_topic(name: str) -> NotificationError:
    # AWS: Publish to a missing topic: NotFound "Topic does not exist".
    return NotificationError("NotFoundException", f"Topic does not exist: {name}")


def invalid(message: str) -> NotificationError:
    return NotificationError("InvalidParameterException", f"Invalid parameter: {message}")


def invalid_value(message: str) -> NotificationError:
    return NotificationError("InvalidParameterValueException", message)
