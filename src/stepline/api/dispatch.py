"""The AWS JSON 1.0 dispatcher: ``X-Amz-Target`` and body in, status and body out.

Independent of HTTP (the server calls ``SfnApi.handle``). Handlers run on a fixed pool of
threads, so the store's per-thread connections are a bounded set reused by every request
however many client connections come and go; GetActivityTask's long polls run on a pool
of their own, so waiting pollers never hold up the other operations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from stepline.api import (
    sfn_activities,
    sfn_executions,
    sfn_history,
    sfn_machines,
    sfn_map_runs,
    sfn_sync,
    sfn_tags,
    sfn_tasks,
    sfn_teststate,
    sfn_validate,
    sfn_versions,
)
from stepline.api.envelope import find_operation, request_members
from stepline.api.errors import ApiError, api_error
from stepline.api.operation import Context, Operation, Operations
from stepline.api.wire import CONTENT_TYPE, TARGET_PREFIX

# Answers that may take long (a long poll; an Express run of up to five minutes).
_LONG_POLLS: Final = frozenset({"GetActivityTask", "StartSyncExecution"})
_LOG: Final = logging.getLogger("stepline.api")
T = TypeVar("T")


def sfn_operations() -> dict[str, Operation]:
    """Every AWSStepFunctions operation stepline answers, by name."""
    table: dict[str, Operation] = {}
    for module in (
        sfn_machines,
        sfn_executions,
        sfn_sync,
        sfn_history,
        sfn_tasks,
        sfn_activities,
        sfn_versions,
        sfn_validate,
        sfn_tags,
        sfn_teststate,
        sfn_map_runs,
    ):
        table.update(module.operations())
    return table


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Mapping[str, Any]
    content_type: str = CONTENT_TYPE  # AWS JSON 1.0; Glue's answers are JSON 1.1
    headers: tuple[tuple[str, str], ...] = ()  # more response headers (SQS's query error)


class SfnApi:
    def __init__(
        self,
        context: Context,
        operations: Operations | None = None,
        threads: int = 16,
        long_poll_threads: int = 16,
    ) -> None:
        self.context = context
        self.operations: Mapping[str, Operation] = dict(operations or sfn_operations())
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="stepline-api")
        self._polls = ThreadPoolExecutor(long_poll_threads, thread_name_prefix="stepline-poll")
        self._closed = threading.Event()

    def handle(self, target: str | None, body: bytes) -> Answer:
        name = ""
        if self._closed.is_set():
            return Answer(503, {"__type": "ServiceUnavailable", "message": "stepline is stopping"})
        try:
            name, operation = find_operation(target, TARGET_PREFIX, self.operations)
            request = request_members(body)
            operation.input.check(request)
            pool = self._polls if name in _LONG_POLLS else self._pool
            reply = pool.submit(operation.handler, self.context, request).result()
            return Answer(200, reply)
        except Exception as exc:  # every error is answered; unexpected ones are logged
            error = api_error(exc, name)
            if error is None:
                _LOG.exception("AWSStepFunctions.%s failed unexpectedly", name or "?")
                error = ApiError(
                    "InternalFailure",
                    f"{type(exc).__name__} in {name or 'the request'}: see the server log",
                    500,
                )
            return Answer(error.status, error.body())

    def on_store_thread(self, call: Callable[[], T]) -> T:
        """Run ``call`` on a handler thread (for store work outside an operation, e.g. the
        readiness probe), so it reuses one of their store connections."""
        return self._pool.submit(call).result()

    def close(self) -> None:
        """Answer no more requests; wait for those being answered (long polls end within
        a second once ``Context.stopping`` is set)."""
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._polls.shutdown(wait=True, cancel_futures=True)
