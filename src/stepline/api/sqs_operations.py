"""The AmazonSQS operations stepline answers: each a handler from the request's members
(SQS's JSON 1.0 wire form) to the response's, over ``stepline.queues.Queues``."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

from stepline.queues.errors import QueueError
from stepline.queues.messages import Outgoing, sent
from stepline.queues.service import Queues, ReceiveOptions

Body: TypeAlias = Mapping[str, Any]
Reply: TypeAlias = dict[str, Any]
SqsHandler: TypeAlias = Callable[[Queues, Body, threading.Event], Reply]

_ENTRY_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
MAX_BATCH: Final = 10


def _text(body: Body, name: str, required: bool = True) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise QueueError("MissingParameter", f"The request must contain the parameter {name}.")
        return ""
    if not isinstance(value, str):
        raise QueueError("InvalidParameterValue", f"{name} must be a string.")
    return value


def _int(body: Body, name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueueError("InvalidParameterValue", f"{name} must be an integer.")
    return value


def _names(body: Body, name: str) -> tuple[str, ...]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QueueError("InvalidParameterValue", f"{name} must be a list of strings.")
    return tuple(value)


def _map(body: Body, name: str) -> dict[str, Any]:
    value = body.get(name) or {}
    if not isinstance(value, dict):
        raise QueueError("InvalidParameterValue", f"{name} must be a map.")
    return value


def _url(body: Body) -> str:
    return _text(body, "QueueUrl")


def create_queue(queues: Queues, body: Body, _: threading.Event) -> Reply:
    url = queues.create_queue(
        _text(body, "QueueName"), _map(body, "Attributes"), _map(body, "tags")
    )
    return {"QueueUrl": url}


def get_queue_url(queues: Queues, body: Body, _: threading.Event) -> Reply:
    return {"QueueUrl": queues.queue_url(_text(body, "QueueName"))}


def list_queues(queues: Queues, body: Body, _: threading.Event) -> Reply:
    limit = _int(body, "MaxResults")
    if limit is not None and not 1 <= limit <= 1000:
        raise QueueError("InvalidParameterValue", "MaxResults must be 1 to 1000.")
    token = _text(body, "NextToken", required=False) or None
    urls, next_token = queues.list_queues(_text(body, "QueueNamePrefix", False), limit, token)
    reply: Reply = {"QueueUrls": urls} if urls else {}
    if next_token:
        reply["NextToken"] = next_token
    return reply


def list_dead_letter_source_queues(queues: Queues, body: Body, _: threading.Event) -> Reply:
    return {"queueUrls": queues.dead_letter_sources(_url(body))}


def delete_queue(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.delete_queue(_url(body))
    return {}


def get_queue_attributes(queues: Queues, body: Body, _: threading.Event) -> Reply:
    found = queues.get_attributes(_url(body), _names(body, "AttributeNames"))
    return {"Attributes": found} if found else {}


def set_queue_attributes(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.set_attributes(_url(body), _map(body, "Attributes"))
    return {}


def purge_queue(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.purge(_url(body))
    return {}


def _outgoing(body: Body) -> Outgoing:
    return Outgoing(
        body=_text(body, "MessageBody"),
        delay_seconds=_int(body, "DelaySeconds"),
        message_attributes=_map(body, "MessageAttributes"),
        system_attributes=_map(body, "MessageSystemAttributes"),
        group_id=_text(body, "MessageGroupId", required=False) or None,
        deduplication_id=_text(body, "MessageDeduplicationId", required=False) or None,
    )


def send_message(queues: Queues, body: Body, _: threading.Event) -> Reply:
    return sent(queues.send(_url(body), _outgoing(body)))


def receive_message(queues: Queues, body: Body, stopping: threading.Event) -> Reply:
    options = ReceiveOptions(
        max_messages=_int(body, "MaxNumberOfMessages") or 1,
        wait_seconds=_int(body, "WaitTimeSeconds"),
        visibility_timeout=_int(body, "VisibilityTimeout"),
        system_names=_names(body, "AttributeNames") + _names(body, "MessageSystemAttributeNames"),
        attribute_names=_names(body, "MessageAttributeNames"),
    )
    got = queues.receive(_url(body), options, stopping)
    return {"Messages": got} if got else {}


def delete_message(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.delete_message(_url(body), _text(body, "ReceiptHandle"))
    return {}


def change_message_visibility(queues: Queues, body: Body, _: threading.Event) -> Reply:
    timeout = _int(body, "VisibilityTimeout")
    if timeout is None:
        raise QueueError("MissingParameter", "The request must contain VisibilityTimeout.")
    queues.change_visibility(_url(body), _text(body, "ReceiptHandle"), timeout)
    return {}


# ---- batches ------------------------------------------------------------------------------
def _entries(body: Body) -> list[Mapping[str, Any]]:
    entries = body.get("Entries")
    if not isinstance(entries, list) or not entries:
        raise QueueError("EmptyBatchRequest", "There should be at least one entry in the request.")
    if len(entries) > MAX_BATCH:
        raise QueueError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.",
        )
    ids = []
    for entry in entries:
        entry_id = entry.get("Id") if isinstance(entry, dict) else None
        if not isinstance(entry_id, str) or not _ENTRY_ID.match(entry_id):
            raise QueueError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and"
                " underscores. It can be at most 80 letters long.",
            )
        ids.append(entry_id)
    if len(set(ids)) != len(ids):
        raise QueueError("BatchEntryIdsNotDistinct", "Two or more batch entries have the same Id.")
    return entries


def _failed(entry_id: str, error: QueueError) -> Reply:
    return {"Id": entry_id, "SenderFault": True, "Code": error.query_code, "Message": error.message}


def _batch(queues: Queues, body: Body, each: Callable[[str, Mapping[str, Any]], Reply]) -> Reply:
    url = _url(body)
    queues.name_of(url)
    entries = _entries(body)
    ok: list[Reply] = []
    failed: list[Reply] = []
    for entry in entries:
        try:
            ok.append({"Id": entry["Id"], **each(url, entry)})
        except QueueError as error:
            if error.code == "QueueDoesNotExist":
                raise
            failed.append(_failed(entry["Id"], error))
    return {"Successful": ok, "Failed": failed}


def send_message_batch(queues: Queues, body: Body, _: threading.Event) -> Reply:
    return _batch(queues, body, lambda url, entry: sent(queues.send(url, _outgoing(entry))))


def delete_message_batch(queues: Queues, body: Body, _: threading.Event) -> Reply:
    def each(url: str, entry: Mapping[str, Any]) -> Reply:
        queues.delete_message(url, _text(entry, "ReceiptHandle"))
        return {}

    return _batch(queues, body, each)


def change_message_visibility_batch(queues: Queues, body: Body, _: threading.Event) -> Reply:
    def each(url: str, entry: Mapping[str, Any]) -> Reply:
        change_message_visibility(queues, {**entry, "QueueUrl": url}, threading.Event())
        return {}

    return _batch(queues, body, each)


def tag_queue(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.tag(_url(body), _map(body, "Tags"), ())
    return {}


def untag_queue(queues: Queues, body: Body, _: threading.Event) -> Reply:
    queues.tag(_url(body), {}, _names(body, "TagKeys"))
    return {}


def list_queue_tags(queues: Queues, body: Body, _: threading.Event) -> Reply:
    tags = queues.tags(_url(body))
    return {"Tags": tags} if tags else {}


def operations() -> dict[str, SqsHandler]:
    """Every AmazonSQS operation stepline answers, by its name in SQS's model."""
    return {
        "CreateQueue": create_queue,
        "GetQueueUrl": get_queue_url,
        "ListQueues": list_queues,
        "DeleteQueue": delete_queue,
        "GetQueueAttributes": get_queue_attributes,
        "SetQueueAttributes": set_queue_attributes,
        "PurgeQueue": purge_queue,
        "SendMessage": send_message,
        "SendMessageBatch": send_message_batch,
        "ReceiveMessage": receive_message,
        "DeleteMessage": delete_message,
        "DeleteMessageBatch": delete_message_batch,
        "ChangeMessageVisibility": change_message_visibility,
        "ChangeMessageVisibilityBatch": change_message_visibility_batch,
        "ListDeadLetterSourceQueues": list_dead_letter_source_queues,
        "TagQueue": tag_queue,
        "UntagQueue": untag_queue,
        "ListQueueTags": list_queue_tags,
    }
