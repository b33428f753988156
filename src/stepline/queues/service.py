"""The queue use cases (Amazon SQS's semantics) over the store: what the AmazonSQS API,
the ``sqs:sendMessage`` integration and ``stepline queues`` call.

A queue is addressed by its URL, ``<endpoint>/<account>/<name>``. Long polls
(ReceiveMessage's WaitTimeSeconds) wait on a condition that this object's sends notify; as
messages may also come from other processes (a worker, ``stepline queues send``) or become
visible when a delay or a visibility timeout ends, a waiting receive also looks again every
``poll_seconds``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from stepline.arns import Account
from stepline.queues import attributes as attrs
from stepline.queues import messages as msgs
from stepline.queues.errors import QueueError, invalid, no_queue
from stepline.runtime.clock import Clock
from stepline.store.protocol import AlreadyExists, NotFound, Store
from stepline.store.queue_records import MessageRecord, QueueRecord, Receive

MAX_WAIT_SECONDS: Final = 20
MAX_MESSAGES: Final = 10
DEFAULT_ENDPOINT: Final = "http://localhost:8083"


@dataclass(frozen=True, slots=True)
class ReceiveOptions:
    max_messages: int = 1
    wait_seconds: int | None = None  # None: the queue's ReceiveMessageWaitTimeSeconds
    visibility_timeout: int | None = None  # None: the queue's VisibilityTimeout
    system_names: tuple[str, ...] = ()
    attribute_names: tuple[str, ...] = ()


class Queues:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        account: Account,
        endpoint: str = DEFAULT_ENDPOINT,
        poll_seconds: float = 0.5,
    ) -> None:
        self.store = store
        self.clock = clock
        self.account = account
        self.endpoint = endpoint.rstrip("/")
        self.poll_seconds = poll_seconds
        self._arrived = threading.Condition()

    # ---- queues ---------------------------------------------------------------------------
    def create_queue(
        self,
        name: str,
        given: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """The queue's URL; the same for the same attributes again, QueueNameExists for others."""
        wanted = attrs.normalized(given or {}, creating=True)
        fifo = wanted.get("FifoQueue") == "true" or name.endswith(".fifo")
        attrs.check_queue_name(name, fifo)
        if fifo:
            wanted["FifoQueue"] = "true"
        self._check_redrive(wanted)
        now = self.clock.now()
        record = QueueRecord(
            name=name,
            url=self.url_for(name),
            arn=self.queue_arn(name),
            attributes=json.dumps({**attrs.DEFAULTS, **wanted}),
            created_at=now,
            modified_at=now,
            tags=json.dumps(dict(tags or {})),
        )
        try:
            self.store.create_queue(record)
            return record.url
        except AlreadyExists:
            existing = self._queue(name)
            kept = json.loads(existing.attributes)
            if any(
                kept.get(key, attrs.DEFAULTS.get(key)) != value for key, value in wanted.items()
            ):
                raise QueueError(
                    "QueueNameExists",
                    f"A queue already exists with the same name and a different value for"
                    f" attribute(s) {', '.join(sorted(wanted))}",
                ) from None
            return self.url_for(name)

    def queue_url(self, name: str) -> str:
        return self.url_for(self._queue(name).name)

    def url_for(self, name: str) -> str:
        """The queue's URL as this endpoint answers it (kept URLs may name another port)."""
        return f"{self.endpoint}/{self.account.account}/{name}"

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.account.region}:{self.account.account}:{name}"

    def list_queues(
        self, prefix: str = "", max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[str], str | None]:
        queues = [
            q for q in self.store.list_queues(prefix) if next_token is None or q.name > next_token
        ]
        if max_results is not None and len(queues) > max_results:
            urls = [self.url_for(q.name) for q in queues[:max_results]]
            return urls, queues[max_results - 1].name
        return [self.url_for(q.name) for q in queues[:1000]], None

    def dead_letter_sources(self, url: str) -> list[str]:
        """ListDeadLetterSourceQueues: the URLs of the queues whose RedrivePolicy targets it."""
        target = self._queue(self.name_of(url)).arn
        return [
            self.url_for(queue.name)
            for queue in self.store.list_queues()
            if (redrive := attrs.redrive(json.loads(queue.attributes))) is not None
            and redrive.dead_letter_arn == target
        ]

    def list_records(self, prefix: str = "") -> list[QueueRecord]:
        return self.store.list_queues(prefix)

    def delete_queue(self, url: str) -> None:
        if not self.store.delete_queue(self.name_of(url)):
            raise no_queue()

    def get_attributes(self, url: str, names: Sequence[str]) -> dict[str, str]:
        queue = self._queue(self.name_of(url))
        for name in names:
            if name != "All" and name not in attrs.SETTABLE | attrs.COMPUTED:
                raise QueueError("InvalidAttributeName", f"Unknown Attribute {name}.")
        counts = self.store.queue_counts(queue.name, self.clock.now())
        every = {
            **json.loads(queue.attributes),
            "ApproximateNumberOfMessages": str(counts.visible),
            "ApproximateNumberOfMessagesNotVisible": str(counts.in_flight),
            "ApproximateNumberOfMessagesDelayed": str(counts.delayed),
            "CreatedTimestamp": str(int(queue.created_at.timestamp())),
            "LastModifiedTimestamp": str(int(queue.modified_at.timestamp())),
            "QueueArn": queue.arn,
        }
        every = {k: v for k, v in every.items() if v != ""}
        return attrs.chosen(list(names), every)

    def set_attributes(self, url: str, given: Mapping[str, Any]) -> None:
        queue = self._queue(self.name_of(url))
        wanted = attrs.normalized(given, creating=False)
        self._check_redrive(wanted)
        kept = {**json.loads(queue.attributes), **wanted}
        changed = QueueRecord(
            queue.name,
            queue.url,
            queue.arn,
            json.dumps(kept),
            queue.created_at,
            self.clock.now(),
            queue.tags,
        )
        try:
            self.store.update_queue(changed)
        except NotFound:
            raise no_queue() from None

    def tags(self, url: str) -> dict[str, str]:
        tags: dict[str, str] = json.loads(self._queue(self.name_of(url)).tags)
        return tags

    def tag(self, url: str, add: Mapping[str, Any], remove: Sequence[str]) -> None:
        """TagQueue (``add``) and UntagQueue (``remove``)."""
        queue = self._queue(self.name_of(url))
        tags = {k: v for k, v in json.loads(queue.tags).items() if k not in remove}
        tags.update({str(k): str(v) for k, v in add.items()})
        if len(tags) > 50:
            raise invalid("Too many tags: a queue has at most 50.")
        changed = dataclasses.replace(queue, tags=json.dumps(tags))
        try:
            self.store.update_queue(changed)
        except NotFound:
            raise no_queue() from None

    def purge(self, url: str) -> int:
        return self.store.purge_queue(self._queue(self.name_of(url)).name)

    # ---- messages -------------------------------------------------------------------------
    def send(self, url: str, message: msgs.Outgoing) -> MessageRecord:
        return self.send_many(url, [message])[0]

    def send_many(self, url: str, messages: Sequence[msgs.Outgoing]) -> list[MessageRecord]:
        """Send checked messages in one transaction (the checks raise before any is sent)."""
        queue = self._queue(self.name_of(url))
        settings = json.loads(queue.attributes)
        now = self.clock.now()
        records = [msgs.record(m, queue.name, settings, now) for m in messages]
        try:
            self.store.send_messages(queue.name, records)
        except NotFound:
            raise no_queue() from None
        with self._arrived:
            self._arrived.notify_all()
        return records

    def check(self, url: str, message: msgs.Outgoing) -> None:
        """Raise the QueueError sending ``message`` would raise (for batch entries)."""
        queue = self._queue(self.name_of(url))
        msgs.record(message, queue.name, json.loads(queue.attributes), self.clock.now())

    def receive(
        self, url: str, options: ReceiveOptions, stopping: threading.Event | None = None
    ) -> list[dict[str, Any]]:
        queue = self._queue(self.name_of(url))
        settings = json.loads(queue.attributes)
        if not 1 <= options.max_messages <= MAX_MESSAGES:
            raise invalid(
                f"Value {options.max_messages} for parameter MaxNumberOfMessages is invalid."
                " Reason: Must be between 1 and 10, if provided."
            )
        wait = options.wait_seconds
        wait = int(settings["ReceiveMessageWaitTimeSeconds"]) if wait is None else wait
        if not 0 <= wait <= MAX_WAIT_SECONDS:
            raise invalid(
                f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0"
                " and <= 20, if provided."
            )
        visibility = options.visibility_timeout
        visibility = int(settings["VisibilityTimeout"]) if visibility is None else visibility
        if not 0 <= visibility <= 43200:
            raise invalid(f"Value {visibility} for parameter VisibilityTimeout is invalid.")
        for name in options.system_names:
            if name not in msgs.SYSTEM_NAMES:
                raise QueueError("InvalidAttributeName", f"Unknown Attribute {name}.")
        redrive = attrs.redrive(settings)
        retention = int(settings["MessageRetentionPeriod"])
        deadline = time.monotonic() + wait
        while True:
            got = self._receive_once(
                queue.name, options.max_messages, visibility, redrive, retention
            )
            left = deadline - time.monotonic()
            if got or left <= 0 or (stopping is not None and stopping.is_set()):
                break
            with self._arrived:
                self._arrived.wait(min(left, self.poll_seconds))
        sender = self.account.account
        system, user = list(options.system_names), list(options.attribute_names)
        return [msgs.received(m, system, user, sender) for m in got]

    def delete_message(self, url: str, handle: str) -> None:
        name = self.name_of(url)
        if msgs.handle_queue(handle) != name:
            raise _bad_handle(handle)
        self._queue(name)
        # AWS: deleting with the handle of a message already deleted (or received again
        # since) succeeds
        self.store.delete_message(name, handle)

    def change_visibility(self, url: str, handle: str, timeout: int) -> None:
        name = self.name_of(url)
        if msgs.handle_queue(handle) != name:
            raise _bad_handle(handle)
        self._queue(name)
        if not 0 <= timeout <= 43200:
            raise invalid(f"Value {timeout} for parameter VisibilityTimeout is invalid.")
        visible_at = self.clock.now() + timedelta(seconds=timeout)
        if not self.store.change_message_visibility(name, handle, visible_at):
            raise invalid(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not"
                " exist or is not available for visibility timeout change."
            )
        if timeout == 0:
            with self._arrived:
                self._arrived.notify_all()

    # ---- internals ------------------------------------------------------------------------
    def name_of(self, url: str) -> str:
        """The queue a QueueUrl names (``<endpoint>/<account>/<name>``; a bare name too)."""
        if "/" not in url:
            return url
        parts = urlsplit(url).path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != self.account.account or not parts[1]:
            raise no_queue()
        return parts[1]

    def _queue(self, name: str) -> QueueRecord:
        queue = self.store.get_queue(name)
        if queue is None:
            raise no_queue()
        return queue

    def _receive_once(
        self,
        name: str,
        limit: int,
        visibility: int,
        redrive: attrs.Redrive | None,
        retention: int,
    ) -> list[MessageRecord]:
        now = self.clock.now()
        dead_letter = None
        if redrive is not None and self.store.get_queue(redrive.dead_letter_name) is not None:
            dead_letter = redrive.dead_letter_name
        handles = tuple(msgs.new_handle(name) for _ in range(limit))
        receive = Receive(
            name,
            now,
            now + timedelta(seconds=visibility),
            handles,
            dead_letter,
            redrive.max_receive_count if redrive else 0,
            now - timedelta(seconds=retention),
        )
        return self.store.receive_messages(receive)

    def _check_redrive(self, wanted: Mapping[str, str]) -> None:
        redrive = attrs.redrive(wanted)
        if redrive is not None and self.store.get_queue(redrive.dead_letter_name) is None:
            raise invalid(
                "Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does"
                " not exist."
            )


def _bad_handle(handle: str) -> QueueError:
    return QueueError(
        "ReceiptHandleIsInvalid",
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
    )
