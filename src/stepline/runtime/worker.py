"""A worker: claims due work items under a lease and turns each into one engine step.

Any number of workers, in one process or many, may share a store: a claim leases an item
to one worker; the step that consumes it deletes it in the same transaction as the
execution's new state. A worker killed at any instant loses nothing: its leases expire and
another worker (or the restarted one) runs the items again. Task invocations are therefore
at least once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Final, Protocol

from stepline.engine.records import (
    CallbackFailed,
    CallbackSucceeded,
    Inbound,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from stepline.integrations import athena
from stepline.integrations.base import Registry, TaskFailure, TaskRequest
from stepline.service import Service
from stepline.store.records import WorkItem

_LOG: Final = logging.getLogger("stepline.worker")
_RETRY_BASE: Final = 0.5  # seconds before a failed item runs again, doubled per attempt
_RETRY_MAX: Final = 60.0


class Slots(Protocol):
    """Work a worker runs beside its work items, with slots of its own: job runs
    (``stepline.jobs.job_runner.JobRunner``)."""

    def poll(self) -> int:
        """Claim what the free slots allow and start it; the number claimed."""
        ...

    def busy(self) -> bool: ...

    def close(self) -> None:
        """Stop taking work; wait for (or hand back) what runs."""
        ...


class Worker:
    def __init__(
        self,
        service: Service,
        registry: Registry,
        worker_id: str,
        concurrency: int = 4,
        lease_seconds: float = 60.0,
        idle_sleep: float = 0.05,
        jobs: Slots | None = None,
        athena_wait: float = 5.0,
    ) -> None:
        """``athena_wait``: how long a claimed athena .sync poll waits for its query before
        handing its item back (leased for ``idle_sleep`` at least, then looked at again)."""
        self.athena_wait = athena_wait
        self.jobs = jobs  # job runs, claimed beside the work items
        self.service = service
        self.registry = registry
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.idle_sleep = idle_sleep
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix=f"stepline-{worker_id}")
        self._running: dict[Future[None], WorkItem] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()  # a slot freed, or a step just queued work

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set."""
        renewer = threading.Thread(target=self._renew_leases, args=(stop,), daemon=True)
        renewer.start()
        # Woken when work is added: by this process, or (PostgreSQL) by any; then an idle
        # worker need not poll fast.
        subscription = self.service.store.subscribe(self._wake.set)
        idle = max(self.idle_sleep, 1.0) if subscription.cross_process else self.idle_sleep
        try:
            while not stop.is_set():
                if self.poll():
                    continue
                # Sleep until a task of ours ends (its step may have queued the next task:
                # pick that up at once), new work is added, or something falls due.
                self._wake.wait(self._idle_for(idle))
                self._wake.clear()
        finally:
            subscription.close()
            if self.jobs is not None:
                self.jobs.close()
            self._pool.shutdown(wait=True)

    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Work until no item is due or running (tests and ``stepline start --wait``).

        Timers due in the future do not keep it busy: it returns once nothing is due now.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            claimed = self.poll()
            with self._lock:
                busy = bool(self._running) or (self.jobs is not None and self.jobs.busy())
            if not claimed and not busy:
                return
            if not claimed:
                self._wake.wait(0.005)
                self._wake.clear()
        raise TimeoutError(f"work still pending after {timeout} s")

    def poll(self) -> int:
        """Claim what the free slots allow and start it; the number claimed."""
        started = 0 if self.jobs is None else self.jobs.poll()
        return started + self._poll_work()

    def _poll_work(self) -> int:
        with self._lock:
            free = self.concurrency - len(self._running)
        if free <= 0:
            return 0
        store = self.service.store
        items = store.claim(self.worker_id, self.service.clock.now(), free, self.lease_seconds)
        for item in items:
            future = self._pool.submit(self._process, item)
            with self._lock:
                self._running[future] = item
            future.add_done_callback(self._finished)
        return len(items)

    def _finished(self, future: Future[None]) -> None:
        with self._lock:
            self._running.pop(future, None)
        self._wake.set()

    def _renew_leases(self, stop: threading.Event) -> None:
        """Keep the leases of long-running items: renew every third of the lease."""
        while not stop.wait(self.lease_seconds / 3):
            with self._lock:
                items = list(self._running.values())
            until = self.service.clock.now() + timedelta(seconds=self.lease_seconds)
            for item in items:
                self.service.store.renew(item.id, self.worker_id, until)

    def _idle_for(self, longest: float) -> float:
        due = self.service.store.next_due()
        if due is None:
            return longest
        wait = (due - self.service.clock.now()).total_seconds()
        return min(max(wait, 0.0), longest)

    def _process(self, item: WorkItem) -> None:
        """Run one item; if that raises (a store that failed for a moment, a conflict that
        would not settle), say so and hand the item back, due again after a back-off that
        grows with its attempts, rather than leave it leased until the lease runs out."""
        try:
            self._run_item(item)
        except Exception:
            delay = min(_RETRY_BASE * 2 ** max(item.attempts - 1, 0), _RETRY_MAX)
            _LOG.exception(
                "work item %s (%s) of %s failed; it runs again in %.1f s",
                item.id, item.kind, item.execution_arn, delay,
            )  # fmt: skip
            again = self.service.clock.now() + timedelta(seconds=delay)
            try:
                self.service.store.renew(item.id, self.worker_id, again)
            except Exception:  # the store is down: the lease runs out, as for a crash
                _LOG.exception("work item %s could not be handed back", item.id)

    def _run_item(self, item: WorkItem) -> None:
        event: Inbound
        if item.kind == "timer":
            event = TimerFired(item.key)
        elif item.kind == "deliver" and athena.POLL in item.payload:
            polled = self._athena_poll(item)
            if polled is None:
                return
            event = polled
        elif item.kind == "deliver":
            event = _delivered(item)
        else:
            event = self._invoke(item)
        self.service.apply(item.execution_arn, event, done_work_id=item.id)

    def _athena_poll(self, item: WorkItem) -> Inbound | None:
        """An athena .sync task's query: its end, or None once the item is handed back."""
        payload = json.loads(item.payload)[athena.POLL]
        event: Inbound | None = athena.poll(self.service.athena, payload, self.athena_wait)
        if event is None:
            again = self.service.clock.now() + timedelta(seconds=max(self.idle_sleep, 0.2))
            self.service.store.renew(item.id, self.worker_id, again)
        return event

    def _invoke(self, item: WorkItem) -> Inbound:
        payload = json.loads(item.payload)
        request = TaskRequest(
            resource=payload["resource"],
            parameters=payload["parameters"],
            state_name=payload["state_name"],
            execution_arn=item.execution_arn,
            token=item.key,
            timeout_seconds=payload["timeout_seconds"],
            heartbeat_seconds=payload["heartbeat_seconds"],
            region=self.service.account.region,
            account=self.service.account.account,
        )
        try:
            return TaskSucceeded(item.key, self.registry.invoke(request))
        except TaskFailure as failure:
            return TaskFailed(item.key, failure.error, failure.cause)
        except Exception as exc:  # an integration bug fails the task, not the worker
            return TaskFailed(item.key, "States.Runtime", f"{type(exc).__name__}: {exc}")


def _delivered(item: WorkItem) -> Inbound:
    """A child execution's end, for the parent's .sync task (AWS: a failed child fails the
    task with States.TaskFailed and the child's description as the cause); or, for a
    child, its parent's task stopping."""
    payload = json.loads(item.payload)
    if "stop" in payload:  # the parent of this nested execution stopped its task
        return StopExecution(payload["stop"]["error"], payload["stop"]["cause"])
    if "task_failed" in payload:  # a task that could not be scheduled (stepline.activities)
        failed = payload["task_failed"]
        return TaskFailed(payload["token"], failed["error"], failed["cause"])
    if payload["succeeded"]:
        return CallbackSucceeded(payload["token"], payload["result"])
    cause = json.dumps(payload["result"], ensure_ascii=False)
    return CallbackFailed(payload["token"], "States.TaskFailed", cause)
