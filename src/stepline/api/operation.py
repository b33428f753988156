"""What an API operation is: the checks of its input and the handler that answers it.

Each ``sfn_*`` module offers ``operations() -> Mapping[str, Operation]``, keyed by the
operation's name in the service model (``StartExecution``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from stepline.activities import LONG_POLL_SECONDS, Activities
from stepline.api.checks import Shape
from stepline.api.idempotency import RedriveTokens
from stepline.express import Express
from stepline.integrations.base import Registry
from stepline.service import Service

Body: TypeAlias = Mapping[str, Any]  # the request's members, checked against its Shape
Reply: TypeAlias = dict[str, Any]  # the response's members (camelCase, wire values)


@dataclass(frozen=True, slots=True)
class Context:
    """What handlers work with: the use cases, and the server's settings."""

    service: Service
    activities: Activities
    long_poll_seconds: float = LONG_POLL_SECONDS  # GetActivityTask's longest wait
    stopping: threading.Event = field(default_factory=threading.Event)  # server shutting down
    # The integrations tasks run through (the embedded worker's): TestState invokes a Task
    # without a mock with them; None: such a TestState is refused.
    registry: Registry | None = None
    # Runs EXPRESS executions; None: they are refused.
    express: Express | None = None
    redrive_tokens: RedriveTokens = field(default_factory=RedriveTokens)


Handler: TypeAlias = Callable[[Context, Body], Reply]


@dataclass(frozen=True, slots=True)
class Operation:
    input: Shape
    handler: Handler


def operation(input: Shape) -> Callable[[Handler], Operation]:
    """Decorator: ``@operation(shape(...))`` over a handler makes it an Operation."""

    def wrap(handler: Handler) -> Operation:
        return Operation(input, handler)

    return wrap


Operations: TypeAlias = Mapping[str, Operation]
