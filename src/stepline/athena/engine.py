"""The query engine: Athena's StartQueryExecution, GetQueryExecution, GetQueryResults,
StopQueryExecution and ListQueryExecutions over DuckDB, with durable state in the store.

A query is recorded QUEUED and runs on this engine's thread pool, on its own DuckDB
connection (one in-memory database per engine: the macros, settings and cache are shared;
each query's views are its own), so queries run concurrently. It becomes RUNNING, then
SUCCEEDED, FAILED or CANCELLED; every change is a conditional write in the store (the state
it expects), so a stop and an end never both win. A stop interrupts DuckDB; a stop recorded
by another process is noticed by a watcher thread (every ``watch_seconds``).

Queries whose engine died (same host, process gone) are marked FAILED when looked at.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb

from stepline.athena.catalog import DEFAULT_DATABASE, LakeCatalog
from stepline.athena.errors import SYSTEM, InvalidRequest, QueryFailure, duckdb_failure
from stepline.athena.execution import check_catalog, execute, parse, statement_text
from stepline.athena.process import open_database, orphaned
from stepline.athena.query import Outcome, Run
from stepline.athena.results import (
    MAX_RESULTS,
    ResultPage,
    TokenError,
    columns_from_json,
    columns_json,
    read_page,
)
from stepline.athena.statements import statement_type, substatement_type
from stepline.athena.views import local_dir
from stepline.athena.workgroups import PRIMARY, WorkGroups
from stepline.lake.paths import LakePathError, LakePaths, is_s3_url
from stepline.runtime.clock import Clock, RealClock
from stepline.store.lake_records import QUERY_OPEN, QueryExecutionRecord
from stepline.store.protocol import Store

DEFAULT_OUTPUT_LOCATION: Final = "s3://stepline-athena-results/"
_MAX_QUERY: Final = 262144  # AWS: QueryString is 1 to 262144 characters
_LOG: Final = logging.getLogger("stepline.athena")


@dataclass(frozen=True)
class AthenaSettings:
    """``output_location``: the primary work group's, unless one was stored for it."""

    output_location: str = DEFAULT_OUTPUT_LOCATION
    threads: int = 4  # queries running at once
    database: str = DEFAULT_DATABASE  # when the request names none
    watch_seconds: float = 0.5  # how often stops recorded elsewhere are looked for
    duckdb_threads: int | None = None  # DuckDB's threads per query (None: its default)
    memory_limit: str | None = None  # DuckDB's memory_limit, e.g. "4GB"


class QueryEngine:
    """Runs Athena queries for one process. Share it; close it once."""

    def __init__(
        self,
        store: Store,
        lake: LakePaths,
        clock: Clock | None = None,
        settings: AthenaSettings | None = None,
    ) -> None:
        self.store = store
        self.lake = lake
        self.clock = clock or RealClock()
        self.settings = settings or AthenaSettings()
        self.catalog = LakeCatalog(store, self.clock)
        self.workgroups = WorkGroups(store, self.clock, self.settings.output_location)
        self.engine_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._db = open_database(self.settings.duckdb_threads, self.settings.memory_limit)
        self._pool = ThreadPoolExecutor(self.settings.threads, thread_name_prefix="athena")
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._generation = 0  # bumped by every state change seen here (for wait)
        self._running: dict[str, Any] = {}  # query id -> its DuckDB connection
        self._queued: set[str] = set()
        self._active = 0  # pool threads running a query (_execute)
        self._closed = False
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()  # set by close: the watcher ends
        self.catalog.ensure_database(self.settings.database)

    # ---- the API ------------------------------------------------------------------------------
    def start_query_execution(
        self,
        query: str,
        *,
        database: str | None = None,
        catalog: str | None = None,
        workgroup: str | None = None,
        output_location: str | None = None,
        client_request_token: str | None = None,
        execution_parameters: tuple[str, ...] | list[str] = (),
    ) -> str:
        """Record the query QUEUED and run it; its QueryExecutionId, at once."""
        if not isinstance(query, str) or not 1 <= len(query) <= _MAX_QUERY:
            raise InvalidRequest("QueryString must be 1 to 262144 characters long")
        group = self.workgroups.get(workgroup or PRIMARY)
        if group.state != "ENABLED":
            raise InvalidRequest(f"WorkGroup {group.name} is disabled.")
        base = self.workgroups.output_location(group, output_location)
        if not is_s3_url(base):  # a local folder: absolute, for every process
            base = os.path.abspath(base.removeprefix("file://"))
        try:
            local_dir(self.lake, base, "ResultConfiguration.OutputLocation")
        except LakePathError as error:
            raise InvalidRequest(str(error)) from None
        query_id = str(uuid.uuid4())
        try:
            kind, sub = _kinds(query)
        except QueryFailure:
            kind, sub = "DML", None
        record = QueryExecutionRecord(
            id=query_id,
            query=query,
            statement_type=kind,
            state="QUEUED",
            submitted_at=self.clock.now(),
            workgroup=group.name,
            database=(database or self.settings.database).lower(),
            catalog=catalog or "AwsDataCatalog",
            output_location=f"{base.rstrip('/')}/{query_id}.csv",
            execution_parameters=tuple(execution_parameters),
            client_request_token=client_request_token,
            substatement_type=sub,
            owner=self.engine_id,
        )
        stored = self.store.create_query_execution(record)
        if stored.id != query_id:  # the token of an earlier request: that execution
            return stored.id
        with self._lock:
            if self._closed:
                raise InvalidRequest("the query engine is closed")
            self._queued.add(query_id)
        self._pool.submit(self._execute, query_id, time.perf_counter())
        return query_id

    def get_query_execution(self, query_id: str) -> QueryExecutionRecord:
        record = self.store.get_query_execution(query_id)
        if record is None:
            raise InvalidRequest(f"QueryExecution {query_id} was not found")
        if record.state in QUERY_OPEN and orphaned(record.owner, self.engine_id):
            lost = QueryFailure("ENGINE_LOST", "the engine running the query stopped", SYSTEM, 100)
            self._end(record, lost, record.state)
            record = self.store.get_query_execution(query_id) or record
        return record

    def get_query_results(
        self, query_id: str, max_results: int = MAX_RESULTS, next_token: str | None = None
    ) -> ResultPage:
        if not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
            raise InvalidRequest("MaxResults must be between 1 and 1000")
        record = self.get_query_execution(query_id)
        if record.state in QUERY_OPEN:
            raise InvalidRequest(f"Query has not yet finished. Current state: {record.state}")
        if record.state != "SUCCEEDED":
            raise InvalidRequest(
                f"Query did not finish successfully. Final query state: {record.state}"
            )
        path = local_dir(self.lake, record.output_location or "", "the result location")
        try:
            rows, token = read_page(path, record.result_header, max_results, next_token)
        except TokenError as error:
            raise InvalidRequest(str(error)) from None
        except FileNotFoundError:
            raise InvalidRequest(f"the result file {record.output_location} is gone") from None
        columns = columns_from_json(record.result_columns)
        return ResultPage(columns, rows, token, record.update_count or 0)

    def stop_query_execution(self, query_id: str) -> None:
        """Cancel it (QUEUED or RUNNING -> CANCELLED); an ended query stays as it is."""
        while True:
            record = self.get_query_execution(query_id)
            if record.ended:
                return
            cancelled = dataclasses.replace(
                record,
                state="CANCELLED",
                completed_at=self.clock.now(),
                state_change_reason="Query was cancelled by user",
            )
            if self.store.update_query_execution(cancelled, [record.state]):
                break
        self._interrupt(query_id)

    def list_query_executions(
        self, workgroup: str | None = None, max_results: int = 50, next_token: str | None = None
    ) -> tuple[list[str], str | None]:
        """ListQueryExecutions: ids, newest first, of a work group (primary by default)."""
        group = self.workgroups.get(workgroup or PRIMARY)
        found = self.store.list_query_executions(group.name, max_results + 1, next_token)
        ids = [q.id for q in found[:max_results]]
        return ids, (ids[-1] if len(found) > max_results and ids else None)

    def wait(self, query_id: str, timeout: float | None = None) -> QueryExecutionRecord:
        """Block until the query has ended (or ``timeout`` seconds passed); its record."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._changed:
                seen = self._generation
            record = self.get_query_execution(query_id)
            if record.ended or (deadline is not None and time.monotonic() >= deadline):
                return record
            with self._changed:
                if self._generation == seen:  # no change since the read: sleep on it
                    self._changed.wait(0.05)

    def run(
        self, query: str, *, timeout: float | None = None, **options: Any
    ) -> QueryExecutionRecord:
        """Start a query and wait for its end (``options``: start_query_execution's)."""
        return self.wait(self.start_query_execution(query, **options), timeout)

    def close(self) -> None:
        """Stop taking queries; interrupt the running ones (they end FAILED: the engine
        stopped); queries not started end FAILED too."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping.set()  # under the lock: a query registering after sees it
            queued = set(self._queued)
        self._pool.shutdown(wait=False, cancel_futures=True)
        # Interrupt until every pool thread is done: a query whose cursor was registered
        # just before DuckDB began to run it would not see a single interrupt.
        while True:
            with self._lock:
                running = list(self._running.values())
                busy = self._active
            if not busy:
                break
            for cursor in running:
                cursor.interrupt()
            time.sleep(0.02)
        self._pool.shutdown(wait=True)
        stopped = QueryFailure("ENGINE_SHUTDOWN", "the query engine was closed", SYSTEM, 100)
        for query_id in queued:
            record = self.store.get_query_execution(query_id)
            if record is not None and record.state == "QUEUED":
                self._end(record, stopped, "QUEUED")
        if self._watcher is not None:
            self._watcher.join()
        self._db.close()

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- running ------------------------------------------------------------------------------
    def _execute(self, query_id: str, submitted: float) -> None:
        """(A pool thread.) Run the query; a store that fails here is logged, and the query
        is left to the orphan check."""
        with self._lock:
            self._queued.discard(query_id)
            self._active += 1
        try:
            self._run_query(query_id, submitted)
        except Exception:
            _LOG.exception("could not record the end of query %s", query_id)
        finally:
            with self._lock:
                self._active -= 1

    def _run_query(self, query_id: str, submitted: float) -> None:
        record = self.store.get_query_execution(query_id)
        if record is None or record.state != "QUEUED":
            return
        queue_ms = int((time.perf_counter() - submitted) * 1000)
        running = dataclasses.replace(record, state="RUNNING", queue_ms=queue_ms)
        if not self.store.update_query_execution(running, ["QUEUED"]):
            return  # cancelled meanwhile
        self._notify()
        started = time.perf_counter()
        with self._lock:
            cursor = self._db.cursor()  # its own connection (made one at a time)
            self._running[query_id] = cursor
            self._start_watcher()
        try:
            if self._stopping.is_set():  # closed while it was starting
                raise QueryFailure("ENGINE_SHUTDOWN", "the query engine was closed", SYSTEM, 100)
            outcome = self._statement(running, cursor)
        except QueryFailure as error:
            self._end(running, error, "RUNNING", started)
        except duckdb.Error as error:
            self._end(running, duckdb_failure(error), "RUNNING", started)
        except Exception as error:  # a bug: the query fails, the engine carries on
            _LOG.exception("query %s failed unexpectedly", query_id)
            internal = QueryFailure(
                "GENERIC_INTERNAL_ERROR", f"{type(error).__name__}: {error}", SYSTEM, 200
            )
            self._end(running, internal, "RUNNING", started)
        else:
            self._succeed(running, outcome, started)
        finally:
            with self._lock:
                self._running.pop(query_id, None)
            cursor.close()
            self._notify()

    def _statement(self, record: QueryExecutionRecord, cursor: Any) -> Outcome:
        check_catalog(record.catalog)
        text = statement_text(record.query, record.execution_parameters)
        statement = parse(text)
        database = record.database or self.settings.database
        output = local_dir(self.lake, record.output_location or "", "the result location")
        base = (record.output_location or "").rsplit("/", 1)[0] + "/"
        run = Run(
            query_id=record.id,
            text=text,
            cursor=cursor,
            catalog=self.catalog,
            lake=self.lake,
            database=database,
            output=Path(output),
            output_location=base,
            cancelled=lambda: self._is_cancelled(record.id),
        )
        return execute(run, statement)

    def _succeed(self, record: QueryExecutionRecord, outcome: Outcome, started: float) -> None:
        engine_ms = int((time.perf_counter() - started) * 1000)
        done = dataclasses.replace(
            record,
            state="SUCCEEDED",
            completed_at=self.clock.now(),
            engine_ms=engine_ms,
            total_ms=engine_ms + (record.queue_ms or 0),
            scanned_bytes=outcome.scanned_bytes,
            result_columns=columns_json(outcome.columns),
            result_header=outcome.header,
            result_rows=outcome.rows,
            update_count=outcome.update_count,
        )
        self.store.update_query_execution(done, ["RUNNING"])

    def _end(
        self,
        record: QueryExecutionRecord,
        error: QueryFailure,
        expected: str,
        started: float | None = None,
    ) -> None:
        """Record the failure, unless the query was cancelled (or ended) meanwhile."""
        engine_ms = None if started is None else int((time.perf_counter() - started) * 1000)
        failed = dataclasses.replace(
            record,
            state="FAILED",
            completed_at=self.clock.now(),
            state_change_reason=error.reason,
            error_category=error.category,
            error_type=error.error_type,
            error_message=error.reason,
            engine_ms=engine_ms,
            total_ms=None if engine_ms is None else engine_ms + (record.queue_ms or 0),
        )
        self.store.update_query_execution(failed, [expected])  # type: ignore[list-item]

    def _is_cancelled(self, query_id: str) -> bool:
        record = self.store.get_query_execution(query_id)
        return record is None or record.state == "CANCELLED"

    def _interrupt(self, query_id: str) -> None:
        with self._lock:
            cursor = self._running.get(query_id)
        if cursor is not None:
            cursor.interrupt()
        self._notify()

    def _notify(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def _start_watcher(self) -> None:
        """(Holding the lock.) Watch the running queries for stops recorded elsewhere."""
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name="athena-stops", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._running:
                    return
                ids = list(self._running)
            for query_id in ids:
                try:
                    if self._is_cancelled(query_id):
                        self._interrupt(query_id)
                except Exception:  # the store is briefly unreachable: look again later
                    _LOG.warning("could not check query %s for a stop", query_id, exc_info=True)
            self._stopping.wait(self.settings.watch_seconds)


def _kinds(query: str) -> tuple[Any, str | None]:
    statement = parse(query)
    return statement_type(statement), substatement_type(statement)
