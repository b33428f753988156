"""The worker a command runs in its own process: tasks (with the integrations), job runs,
and a notifier thread delivering what its tasks publish. Shared by ``stepline worker``,
``start --wait``, ``redrive --wait``, ``replay`` and ``backfill``.

    stop = threading.Event()
    with local_worker(service, args, loader, name, stop) as worker:
        worker.run(stop)            # or worker.run_until_idle() in a loop
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from stepline.cli_jobs import add_job_options, job_runner
from stepline.cli_notifications import add_notifier_options, notifier_for
from stepline.notifications.service import Notifications
from stepline.runtime.worker import Worker
from stepline.service import Service


def add_local_worker_options(parser: argparse.ArgumentParser) -> None:
    """What a local worker takes: job slots and the lake (``--job-slots``, ``--data-root``...)
    and notification delivery (``--notify-attempts``, ``--smtp-host``...)."""
    add_job_options(parser)
    add_notifier_options(parser)


@contextmanager
def local_worker(
    service: Service,
    args: argparse.Namespace,
    loader: Callable[[list[str]], dict[str, Any]],
    name: str,
    stop: threading.Event,
) -> Iterator[Worker]:
    """A worker for this process, its notifier delivering until ``stop`` (set on the way
    out). ``Worker.run`` closes its job slots; a caller that only calls ``run_until_idle``
    closes them (``worker.jobs``)."""
    from stepline.cli_store import service_registry

    notifications = Notifications(service.store, service.clock, service.account)
    notifier = notifier_for(args, notifications, name)
    registry = service_registry(service, loader(args.functions), None, notifications)
    lease = getattr(args, "lease_seconds", 30.0)
    worker = Worker(
        service,
        registry,
        name,
        getattr(args, "concurrency", 4),
        lease,
        jobs=job_runner(args, service, name, lease),
    )
    delivering = threading.Thread(
        target=notifier.run, args=(stop,), name="stepline-notifier", daemon=True
    )
    delivering.start()
    try:
        yield worker
    finally:
        stop.set()
        notifications.wakeup.set()
        delivering.join()
