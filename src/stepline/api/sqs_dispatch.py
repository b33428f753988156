"""The AmazonSQS JSON 1.0 dispatcher: ``X-Amz-Target: AmazonSQS.<Operation>`` and body in,
status and body out, on the same endpoint as Step Functions (``stepline serve``).

AWS: SQS's model is ``awsQueryCompatible``: an error is a 400 with ``{"__type":
"com.amazonaws.sqs#<Shape>", "message": ...}`` and the header ``x-amzn-query-error:
<query code>;Sender``; botocore reports the query code as the error's Code and raises the
exception class of the shape (``client.exceptions.QueueDoesNotExist``). ReceiveMessage's long
polls run on a pool of their own; the other operations on the Step Functions dispatcher's
threads (``run_on``), so the store's per-thread connections stay a bounded set.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from stepline.api.dispatch import Answer
from stepline.api.envelope import find_operation, request_members
from stepline.api.errors import ApiError
from stepline.api.sqs_operations import Reply, SqsHandler, operations
from stepline.queues.errors import QueueError
from stepline.queues.service import Queues

# AWS: SQS's service model, metadata: protocol "json", jsonVersion "1.0", targetPrefix
# "AmazonSQS", signingName (endpointPrefix) "sqs".
SQS_CONTENT_TYPE: Final = "application/x-amz-json-1.0"
SQS_TARGET_PREFIX: Final = "AmazonSQS."
SQS_SIGNING_NAME: Final = "sqs"
_LONG_POLLS: Final = frozenset({"ReceiveMessage"})
_LOG: Final = logging.getLogger("stepline.api")


class SqsApi:
    def __init__(
        self,
        queues: Queues,
        run_on: Callable[[Callable[[], Any]], Any] | None = None,
        long_poll_threads: int = 16,
    ) -> None:
        """``run_on(call)`` runs ``call`` on a handler thread and returns its result (the
        Step Functions dispatcher's ``on_store_thread``); None: on the calling thread."""
        self.queues = queues
        self.operations: Mapping[str, SqsHandler] = operations()
        self._run_on = run_on
        self._polls = ThreadPoolExecutor(long_poll_threads, thread_name_prefix="stepline-sqs")
        self._closed = threading.Event()

    def handle(self, target: str | None, body: bytes) -> Answer:
        name = ""
        if self._closed.is_set():
            return _error_answer("ServiceUnavailable", "stepline is stopping", 503)
        try:
            name, handler = find_operation(target, SQS_TARGET_PREFIX, self.operations)
            request = request_members(body)

            def call() -> Reply:
                return handler(self.queues, request, self._closed)

            if name in _LONG_POLLS:
                reply = self._polls.submit(call).result()
            elif self._run_on is None:
                reply = call()
            else:
                reply = self._run_on(call)
            return Answer(200, reply, SQS_CONTENT_TYPE)
        except QueueError as error:
            return _error_answer(error.code, error.message, 400, error.query_code)
        except ApiError as error:
            return _error_answer(error.code, error.message, error.status)
        except Exception as exc:  # every error is answered; unexpected ones are logged
            _LOG.exception("AmazonSQS.%s failed unexpectedly", name or "?")
            message = f"{type(exc).__name__} in {name or 'the request'}: see the server log"
            return _error_answer("InternalFailure", message, 500)

    def close(self) -> None:
        """Answer no more requests; long polls end within ``Queues.poll_seconds``."""
        self._closed.set()
        self._polls.shutdown(wait=True, cancel_futures=True)


def _error_answer(code: str, message: str, status: int, query_code: str | None = None) -> Answer:
    fault = "Sender" if status < 500 else "Receiver"
    headers = (("x-amzn-query-error", f"{query_code or code};{fault}"),)
    body = {"__type": f"com.amazonaws.sqs#{code}", "message": message}
    return Answer(status, body, SQS_CONTENT_TYPE, headers)


__all__ = ["SQS_SIGNING_NAME", "SQS_TARGET_PREFIX", "SqsApi"]
