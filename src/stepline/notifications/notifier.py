"""The delivery loop: claims due deliveries under a lease, sends each, records the attempt
and what follows (delivered; retried after a back-off; FAILED when the policy is spent).

Any number of notifiers (in ``stepline worker`` and ``stepline serve`` processes) may share
a store: a claim leases a delivery to one of them. One killed mid-delivery loses nothing:
its lease expires and another sends the message again (so a subscriber may get a message
twice: SNS delivers at least once too). A failing subscriber only ever fails its own
delivery, never the execution that published.
"""

from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from stepline.notifications.senders import Outcome, Senders
from stepline.notifications.service import Notifications
from stepline.store.notification_records import (
    AttemptEnd,
    AttemptRecord,
    DeliveryRecord,
    DeliveryStatus,
)

DEFAULT_LEASE_SECONDS: Final = 60.0  # longer than a send may take (timeouts: 15 s)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Up to ``max_attempts`` attempts per delivery; before retry n (n = 1, 2...), a wait of
    ``backoff_seconds * 2**(n-1)``, at most ``max_backoff_seconds``. The default, 4 attempts
    2 s, 4 s and 8 s apart, follows SNS's HTTP/S default of three retries (which SNS spaces
    20 s apart) with a shorter wait for local work."""

    max_attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.backoff_seconds < 0 or self.max_backoff_seconds < 0:
            raise ValueError("back-off seconds must not be negative")

    def next(
        self, attempt: int, outcome: Outcome, now: datetime
    ) -> tuple[DeliveryStatus, datetime | None]:
        """The delivery's status after attempt number ``attempt``, and when to retry."""
        if outcome.delivered:
            return "DELIVERED", None
        if not outcome.retry or attempt >= self.max_attempts:
            return "FAILED", None
        wait = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
        return "PENDING", now + timedelta(seconds=wait)


def default_id() -> str:
    return f"notifier:{socket.gethostname()}:{os.getpid()}"


class Notifier:
    def __init__(
        self,
        notifications: Notifications,
        senders: Senders,
        worker_id: str | None = None,
        policy: RetryPolicy | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        concurrency: int = 4,
        poll_seconds: float = 1.0,
    ) -> None:
        self.notifications = notifications
        self.senders = senders
        self.worker_id = worker_id or default_id()
        self.policy = policy or RetryPolicy()
        self.lease_seconds = lease_seconds
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds

    def run_once(self) -> int:
        """Claim the deliveries due now, send them (``concurrency`` at a time), record each
        attempt; returns how many were attempted."""
        store, clock = self.notifications.store, self.notifications.clock
        claimed = store.claim_deliveries(
            self.worker_id, clock.now(), self.concurrency * 4, self.lease_seconds
        )
        if len(claimed) == 1:
            self._deliver(claimed[0])
        elif claimed:
            with ThreadPoolExecutor(min(self.concurrency, len(claimed))) as pool:
                list(pool.map(self._deliver, claimed))
        return len(claimed)

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set: at once after a publish in this process, else
        when a retry falls due or every ``poll_seconds`` (publishes of other processes)."""
        wakeup = self.notifications.wakeup
        while not stop.is_set():
            wakeup.clear()
            if self.run_once():
                continue
            wakeup.wait(self._idle_for())

    def _idle_for(self) -> float:
        due = self.notifications.store.next_delivery_due()
        if due is None:
            return self.poll_seconds
        gap = (due - self.notifications.clock.now()).total_seconds()
        return min(max(gap, 0.01), self.poll_seconds)

    def _deliver(self, delivery: DeliveryRecord) -> None:
        store, clock = self.notifications.store, self.notifications.clock
        message = store.get_notification(delivery.message_id)
        if message is None:  # cannot happen: stored in the same transaction
            outcome = Outcome(False, error=f"message {delivery.message_id} is gone", retry=False)
        else:
            try:
                outcome = self.senders.send(delivery, message)
            except Exception as exc:  # a sender bug fails the delivery, not the loop
                outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}")
        number = delivery.attempts + 1
        now = clock.now()
        status, retry_at = self.policy.next(number, outcome, now)
        attempt = AttemptRecord(
            delivery.id,
            number,
            now,
            "DELIVERED" if outcome.delivered else "FAILED",
            outcome.status_code,
            outcome.error,
        )
        store.end_delivery_attempt(AttemptEnd(self.worker_id, attempt, status, retry_at))
