"""SQS's errors: the name of the error shape in SQS's service model (what botocore raises as
``client.exceptions.<name>``), the query-protocol code SQS still reports for it (the
``x-amzn-query-error`` header), and a message."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# AWS: SQS's error shape names -> their awsQuery codes (the SQS API reference's "Common
# Errors" and each operation's errors). A code not listed is its own query code.
QUERY_CODES: Final = MappingProxyType(
    {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists": "QueueAlreadyExists",
        "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
        "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    }
)


class QueueError(Exception):
    """An SQS error: ``code`` is the error shape's name (``QueueDoesNotExist``) or, for
    errors SQS does not model, its code (``InvalidParameterValue``, ``MissingParameter``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def query_code(self) -> str:
        return QUERY_CODES.get(self.code, self.code)


def no_queue() -> QueueError:
    return QueueError("QueueDoesNotExist", "The specified queue does not exist.")


def invalid(message: str) -> QueueError:
    return QueueError("InvalidParameterValue", message)
