"""Wake-ups for idle workers: "work was added", from this process or (PostgreSQL) any.

A store fires its ``WorkSignal`` after a transaction that added claimable work commits.
SQLite and memory stores fire it in-process only; the PostgreSQL store also sends
``NOTIFY "stepline_work:<schema>"`` in the transaction and runs one ``LISTEN`` thread that fires the
signal for every notification, so a worker in another process wakes at once instead of
waiting for its next poll.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

CHANNEL: Final = "stepline_work"


@dataclass(frozen=True, slots=True)
class Subscription:
    close: Callable[[], None]
    cross_process: bool  # wakes for work added by other processes too (no need to poll fast)


class WorkSignal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, wake: Callable[[], None], cross_process: bool = False) -> Subscription:
        with self._lock:
            self._subscribers.append(wake)

        def close() -> None:
            with self._lock:
                if wake in self._subscribers:
                    self._subscribers.remove(wake)

        return Subscription(close, cross_process)

    def __bool__(self) -> bool:
        return bool(self._subscribers)

    def fire(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for wake in subscribers:
            wake()
