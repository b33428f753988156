"""``stepline serve``: the AWS Step Functions API over HTTP, with an embedded worker.

One process: the HTTP server (``stepline.api.server``) and, unless ``--no-worker``, a worker
thread running the executions it starts. Other ``stepline worker`` processes may join on
the same database. SIGINT/SIGTERM stop it cleanly: the server stops accepting, the worker
finishes the tasks it is running, the store is closed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from stepline.activities import LONG_POLL_SECONDS, Activities
from stepline.api.athena_dispatch import athena_api
from stepline.api.athena_operation import (
    ATHENA_SIGNING_NAME,
    ATHENA_TARGET_PREFIX,
    AthenaContext,
)
from stepline.api.auth import Authenticator, NoAuth
from stepline.api.dispatch import SfnApi
from stepline.api.glue_dispatch import GlueApi
from stepline.api.glue_operation import GLUE_SIGNING_NAME, GLUE_TARGET_PREFIX, GlueContext
from stepline.api.operation import Context
from stepline.api.server import ApiServer, TargetApi, store_readiness
from stepline.api.sqs_dispatch import SQS_SIGNING_NAME, SQS_TARGET_PREFIX, SqsApi
from stepline.cli_jobs import add_job_options, job_runner, job_settings
from stepline.cli_notifications import add_notifier_options, notifier_for
from stepline.cli_store import DEFAULT_DB, service_registry
from stepline.express import Express
from stepline.express_logs import LogFiles
from stepline.integrations.base import Registry
from stepline.notifications.notifier import Notifier
from stepline.notifications.service import Notifications
from stepline.queues.service import Queues
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Account, Service
from stepline.store.open import open_store
from stepline.store.protocol import StoreError
from stepline.usage import UsageError

DEFAULT_PORT: Final = 8083
DEFAULT_LOGS: Final = ".stepline/logs"
_PROBE_NAME: Final = "stepline-readiness-probe"  # looked up, never created
_LEASE_SECONDS: Final = 60.0  # the embedded worker's (Worker's default)


def add_serve_command(
    commands: Any, functions_loader: Callable[[list[str]], dict[str, Any]]
) -> None:
    serve: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="serve the AWS Step Functions API (boto3, the AWS CLI) and run a worker",
        description="Serve the AWS Step Functions JSON 1.0 API: point any SDK's endpoint_url"
        " at it. Requests must be signed (SigV4) with a configured key pair; the development"
        " pair stepline / stepline-secret is accepted when none is configured.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0: any free port)",
    )
    serve.add_argument(
        "--db", default=None, help=f"store URL (default $STEPLINE_DB or {DEFAULT_DB})"
    )
    serve.add_argument("--no-worker", action="store_true", help="serve the API only")
    serve.add_argument("--concurrency", type=int, default=8, help="worker task slots (default 8)")
    serve.add_argument(
        "--functions",
        action="append",
        default=[],
        metavar="MODULE:ATTR",
        help="a dict of Lambda function name -> handler(event, context); repeatable",
    )
    serve.add_argument(
        "--region", default="us-east-1", help="region of the ARNs (default us-east-1)"
    )
    serve.add_argument("--account", default="123456789012", help="account id of the ARNs")
    serve.add_argument(
        "--auth",
        choices=["sigv4", "none"],
        default="sigv4",
        help="sigv4 (default): verify request signatures; none: accept any request",
    )
    serve.add_argument(
        "--access-key", action="append", default=[], help="an access key id (repeatable)"
    )
    serve.add_argument(
        "--secret-key", action="append", default=[], help="its secret key (one per --access-key)"
    )
    serve.add_argument(
        "--credentials-file",
        default=None,
        help="TOML file of [[credentials]] access_key/secret_key",
    )
    serve.add_argument(
        "--api-threads", type=int, default=16, help="threads answering requests (default 16)"
    )
    serve.add_argument(
        "--long-poll-seconds",
        type=float,
        default=LONG_POLL_SECONDS,
        help=f"how long GetActivityTask waits for a task (default {LONG_POLL_SECONDS:g})",
    )
    serve.add_argument(
        "--logs-dir",
        default=os.environ.get("STEPLINE_LOGS", DEFAULT_LOGS),
        help="where EXPRESS machines with a loggingConfiguration log their executions, one"
        f" <log group>.jsonl file per log group (default $STEPLINE_LOGS or {DEFAULT_LOGS})",
    )
    add_job_options(serve)  # --job-slots, --jobs-dir, --data-root, --job-minute-seconds
    add_notifier_options(serve)  # --notify-attempts, --smtp-host... (the worker delivers)
    from stepline.cli_project import add_project_option, with_project

    add_project_option(serve)
    serve.set_defaults(command=lambda args: _serve(args, with_project(functions_loader, args)))


def _serve(args: argparse.Namespace, loader: Callable[[list[str]], dict[str, Any]]) -> int:
    # stepline's own lines at INFO; the libraries a project's functions use (boto3...) at
    # WARNING, so their chatter does not bury the server's.
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="stepline serve: %(levelname)s %(message)s",
    )
    logging.getLogger("stepline").setLevel(logging.INFO)
    _check(args)
    auth = _authenticator(args)
    functions = loader(args.functions)
    url = args.db or os.environ.get("STEPLINE_DB") or DEFAULT_DB
    try:
        store = open_store(url)
    except (ValueError, StoreError, OSError) as exc:
        raise UsageError(f"cannot open the store {url}: {exc}") from None
    try:
        account = Account(args.region, args.account)
        data_root = Path(args.data_root) if args.data_root else None
        service = Service(store, RealClock(), account, data_root=data_root)
        stop = threading.Event()
        # One registry: the embedded worker runs tasks with it, TestState invokes with it.
        queues = Queues(store, service.clock, account)  # one, so sends wake long polls
        notifications = Notifications(store, service.clock, account)  # publishes wake it
        notifier = notifier_for(args, notifications, f"serve:{socket.gethostname()}")
        registry = service_registry(service, functions, queues, notifications)
        express = Express(service, registry, LogFiles(Path(args.logs_dir)))
        context = Context(
            service, Activities(service), args.long_poll_seconds, stop, registry, express
        )
        api = SfnApi(context, threads=args.api_threads)
        apis: dict[str, TargetApi] = {
            GLUE_TARGET_PREFIX: _glue_api(service, api),
            ATHENA_TARGET_PREFIX: athena_api(
                AthenaContext(lambda: service.athena), api.on_store_thread
            ),
        }
        sqs = SqsApi(queues, api.on_store_thread)
        apis[SQS_TARGET_PREFIX] = sqs
        try:
            return _run(args, service, api, auth, registry, stop, apis, sqs, notifier)
        finally:
            express.close()
            service.close()
    finally:
        store.close()


def _glue_api(service: Service, api: SfnApi) -> GlueApi:
    """The AWSGlue API (jobs, job runs, the Data Catalog) on the same endpoint."""
    context = GlueContext(service.jobs, service.job_runs, lambda: service.athena.catalog)
    return GlueApi(context, api.on_store_thread)


def _run(
    args: argparse.Namespace,
    service: Service,
    api: SfnApi,
    auth: Authenticator,
    registry: Registry,
    stop: threading.Event,
    apis: Mapping[str, TargetApi],
    sqs: SqsApi,
    notifier: Notifier,
) -> int:
    probe_arn = service.account.state_machine_arn(_PROBE_NAME)
    readiness = store_readiness(
        lambda: api.on_store_thread(lambda: service.store.get_state_machine(probe_arn))
    )
    try:
        server = ApiServer((args.host, args.port), api, auth, readiness, apis)
        sqs.queues.endpoint = server.url  # queue URLs as this server answers them
        notifier.senders.endpoint = server.url  # named in envelopes' UnsubscribeURL
    except OSError as exc:
        api.close()
        raise UsageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    threads = [threading.Thread(target=server.serve_forever, name="stepline-http", daemon=True)]
    if not args.no_worker:
        name = f"serve:{socket.gethostname()}:{os.getpid()}"
        jobs = job_runner(args, service, name, _LEASE_SECONDS)
        worker = Worker(service, registry, name, args.concurrency, _LEASE_SECONDS, jobs=jobs)
        threads.append(threading.Thread(target=worker.run, args=(stop,), name="stepline-worker"))
        threads.append(
            threading.Thread(target=notifier.run, args=(stop,), name="stepline-notifier")
        )
    for thread in threads:
        thread.start()
    worker_note = "no worker" if args.no_worker else f"worker with {args.concurrency} slots"
    print(f"stepline serve: listening on {server.url} ({worker_note})", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        stop.set()
        notifier.notifications.wakeup.set()  # the notifier sees the stop at once
        server.shutdown()
        server.server_close()
        for thread in threads[1:]:
            thread.join()
        for other in apis.values():
            other.close()
        api.close()
    print("stepline serve: stopped", file=sys.stderr, flush=True)
    return 0


def _check(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0 to 65535, got {args.port}")
    if args.concurrency < 1 or args.api_threads < 1:
        raise UsageError("--concurrency and --api-threads must be at least 1")
    if args.long_poll_seconds < 0:
        raise UsageError("--long-poll-seconds must not be negative")
    if args.job_slots < 0:
        raise UsageError(f"--job-slots must not be negative, got {args.job_slots}")
    job_settings(args)  # checks --job-minute-seconds
    if not (args.account.isascii() and args.account.isdigit() and len(args.account) == 12):
        raise UsageError(f"--account must be 12 digits, got {args.account!r}")
    if not args.region or ":" in args.region:
        raise UsageError(f"--region must be a region name such as us-east-1, got {args.region!r}")


def _authenticator(args: argparse.Namespace) -> Authenticator:
    if len(args.access_key) != len(args.secret_key):
        raise UsageError("give one --secret-key per --access-key")
    if args.auth == "none":
        if args.access_key or args.credentials_file:
            raise UsageError("--auth none takes no keys")
        print("stepline serve: --auth none: requests are NOT authenticated", file=sys.stderr)
        return NoAuth()
    from stepline.api.sigv4 import (
        CredentialsFileError,
        SigV4Authenticator,
        development_credentials,
        load_credentials,
    )

    credentials = dict(zip(args.access_key, args.secret_key, strict=True))
    if args.credentials_file:
        try:
            credentials.update(load_credentials(args.credentials_file))
        except CredentialsFileError as exc:
            raise UsageError(str(exc)) from None
    if not credentials:
        credentials = dict(development_credentials())
        print(
            "stepline serve: accepting the development key pair stepline / stepline-secret"
            " (give --access-key/--secret-key or --credentials-file for others)",
            file=sys.stderr,
        )
    try:
        return SigV4Authenticator(
            credentials,
            region=args.region,
            service="states",
            # boto3's glue, athena and sqs clients sign for their own services
            services_by_target={
                GLUE_TARGET_PREFIX: GLUE_SIGNING_NAME,
                ATHENA_TARGET_PREFIX: ATHENA_SIGNING_NAME,
                SQS_TARGET_PREFIX: SQS_SIGNING_NAME,
            },
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
