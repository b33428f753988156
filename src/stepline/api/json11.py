"""What the AWS JSON 1.1 services stepline serves beside Step Functions (Glue, Athena)
share: an operation (its input's checks and its handler), and the dispatcher that answers
``X-Amz-Target: <Prefix>.<Operation>`` on the same endpoint (``stepline serve``).

Their errors are an HTTP status and ``{"__type": "<Code>", "Message": "..."}`` (the error
shapes' member is ``Message``); botocore raises ``client.exceptions.<Code>``. Handlers run on
the Step Functions dispatcher's threads (``SfnApi.on_store_thread``), so the store's
per-thread connections stay a bounded set.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Generic, TypeAlias, TypeVar

from stepline.api.checks import Shape
from stepline.api.dispatch import Answer
from stepline.api.envelope import find_operation, request_members
from stepline.api.errors import ApiError
from stepline.api.wire import epoch

JSON11_CONTENT_TYPE: Final = "application/x-amz-json-1.1"
_LOG: Final = logging.getLogger("stepline.api")

C = TypeVar("C")
Body: TypeAlias = Mapping[str, Any]  # the request's members, checked against its Shape
Reply: TypeAlias = dict[str, Any]  # the response's members (PascalCase, wire values)


@dataclass(frozen=True, slots=True)
class Operation(Generic[C]):
    input: Shape
    handler: Callable[[C, Body], Reply]


def operation(input: Shape) -> Callable[[Callable[[C, Body], Reply]], Operation[C]]:
    """Decorator: ``@operation(shape(...))`` over a handler makes it an Operation."""

    def wrap(handler: Callable[[C, Body], Reply]) -> Operation[C]:
        return Operation(input, handler)

    return wrap


class Json11Api(Generic[C]):
    """One JSON 1.1 service: ``prefix`` (``AWSGlue.``), its operations and their context.
    ``translate`` turns the use cases' own errors into the API's (None: not one of them)."""

    def __init__(
        self,
        prefix: str,
        context: C,
        operations: Mapping[str, Operation[C]],
        run_on: Callable[[Callable[[], Any]], Any] | None = None,
        translate: Callable[[Exception], ApiError | None] | None = None,
        internal_error: str = "InternalServiceException",
    ) -> None:
        """``run_on(call)`` runs ``call`` on a handler thread and returns its result (the
        Step Functions dispatcher's ``on_store_thread``); None: on the calling thread."""
        self.prefix = prefix
        self.context = context
        self.operations: Mapping[str, Operation[C]] = dict(operations)
        self._run_on = run_on
        self._translate = translate
        self._internal_error = internal_error
        self._closed = threading.Event()

    def handle(self, target: str | None, body: bytes) -> Answer:
        name = ""
        if self._closed.is_set():
            return answer_error(ApiError("ServiceUnavailable", "stepline is stopping", 503))
        try:
            name, found = find_operation(target, self.prefix, self.operations)
            request = request_members(body)
            found.input.check(request)
            return Answer(200, epochs(self._call(found, request)), JSON11_CONTENT_TYPE)
        except ApiError as error:
            return answer_error(error)
        except Exception as exc:  # every error is answered; unexpected ones are logged
            translated = None if self._translate is None else self._translate(exc)
            if translated is not None:
                return answer_error(translated)
            _LOG.exception("%s%s failed unexpectedly", self.prefix, name or "?")
            message = f"{type(exc).__name__} in {name or 'the request'}: see the server log"
            return answer_error(ApiError(self._internal_error, message, 500))

    def close(self) -> None:
        """Answer no more requests."""
        self._closed.set()

    def _call(self, found: Operation[C], request: Body) -> Reply:
        def call() -> Reply:
            return found.handler(self.context, request)

        if self._run_on is None:
            return call()
        reply: Reply = self._run_on(call)
        return reply


def answer_error(error: ApiError) -> Answer:
    """The JSON 1.1 services' error body: ``Message``, not Step Functions' ``message``."""
    body = {"__type": error.code, "Message": error.message, **error.extra}
    return Answer(error.status, body, JSON11_CONTENT_TYPE)


def epochs(value: Any) -> Any:
    """``value`` with its datetimes as the wire's epoch seconds."""
    if isinstance(value, datetime):
        return epoch(value)
    if isinstance(value, dict):
        return {key: epochs(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [epochs(item) for item in value]
    return value
