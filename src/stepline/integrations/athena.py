"""``arn:aws:states:::athena:*``: startQueryExecution (request-response and ``.sync``),
getQueryExecution, getQueryResults and stopQueryExecution (# AWS: connect-athena).

Request-response calls answer as Athena's API does (dates as epoch milliseconds, as every
SDK integration renders them). ``startQueryExecution.sync`` starts the query and returns
``{"QueryExecutionId"}`` (TaskSubmitted); the task then waits until the query ends:
SUCCEEDED gives GetQueryExecution's response as output; FAILED and CANCELLED fail the task
with States.TaskFailed and that response as the cause. Athena's errors surface as
``Athena.<Exception>`` so Retry and Catch can match them.

Waiting is a durable poll, not a hook in the engine: a query runs in the memory of the
process that started it (DuckDB), so a worker that dies orphans it, and an orphaned query
is only marked FAILED when someone looks at it. So the step that records TaskSubmitted
also writes a ``deliver`` work item ``{"athena_poll": {...}}`` (same transaction): a worker
that claims it waits a while for the query (``poll``) and either delivers its end to the
task or hands the item back, leased until the next look. A worker that dies while
waiting loses nothing: the lease expires and another worker looks (and finds the query
ended, or orphaned: FAILED).

Starting is idempotent per task attempt: unless the task gives a ClientRequestToken, the
token is derived from the execution and the task's token (Athena's own idempotency), so a
re-invoked start finds the query it started.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.athena.errors import ApiError
from stepline.athena.shapes import query_execution
from stepline.engine.records import (
    CallbackFailed,
    CallbackSucceeded,
    Inbound,
    Step,
    TaskSucceeded,
)
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.integrations.stepfunctions import epoch_millis
from stepline.store.records import WorkItem

PREFIX: Final = "arn:aws:states:::athena:"
START: Final = PREFIX + "startQueryExecution"
SYNC: Final = START + ".sync"
GET: Final = PREFIX + "getQueryExecution"
RESULTS: Final = PREFIX + "getQueryResults"
STOP: Final = PREFIX + "stopQueryExecution"
POLL: Final = "athena_poll"  # the deliver payload's member of a waiting .sync task
_START_MEMBERS: Final = frozenset(
    {
        "QueryString",
        "ClientRequestToken",
        "QueryExecutionContext",
        "ResultConfiguration",
        "WorkGroup",
        "ExecutionParameters",
        "ResultReuseConfiguration",
    }
)


class Athena:
    """The integration; ``engine`` gives the process's QueryEngine (made on first use)."""

    def __init__(self, engine: Callable[[], Any]) -> None:
        self._engine = engine

    def handler_for(self, resource: str) -> Handler | None:
        calls: dict[str, Callable[[dict[str, Any], TaskRequest], Json]] = {
            START: self._start,
            SYNC: self._start,
            GET: self._get,
            RESULTS: self._results,
            STOP: self._stop,
        }
        call = calls.get(resource)
        if call is None:
            return None

        def handle(request: TaskRequest) -> Json:
            params = request.parameters if isinstance(request.parameters, dict) else {}
            try:
                return call(params, request)
            except ApiError as error:
                raise TaskFailure(f"Athena.{error.aws_type}", error.message) from None

        return handle

    def _start(self, params: dict[str, Any], request: TaskRequest) -> Json:
        unknown = sorted(set(params) - _START_MEMBERS)
        if unknown:
            raise TaskFailure(
                "States.Runtime",
                f"The field(s) {unknown} are not StartQueryExecution parameters "
                f"(state '{request.state_name}')",
            )
        query = params.get("QueryString")
        if not isinstance(query, str):
            raise TaskFailure(
                "Athena.InvalidRequestException",
                f"QueryString is required (state '{request.state_name}')",
            )
        context = _object(params.get("QueryExecutionContext"))
        result = _object(params.get("ResultConfiguration"))
        token = params.get("ClientRequestToken")
        if not isinstance(token, str):
            token = client_token(request.execution_arn, request.token)
        parameters = params.get("ExecutionParameters") or []
        if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
            raise TaskFailure(
                "Athena.InvalidRequestException", "ExecutionParameters must be a list of strings"
            )
        query_id = self._engine().start_query_execution(
            query,
            database=_text(context.get("Database")),
            catalog=_text(context.get("Catalog")),
            workgroup=_text(params.get("WorkGroup")),
            output_location=_text(result.get("OutputLocation")),
            client_request_token=token,
            execution_parameters=parameters,
        )
        return {"QueryExecutionId": query_id}

    def _get(self, params: dict[str, Any], request: TaskRequest) -> Json:
        record = self._engine().get_query_execution(_query_id(params))
        return millis({"QueryExecution": query_execution(record)})

    def _results(self, params: dict[str, Any], request: TaskRequest) -> Json:
        max_results = params.get("MaxResults", 1000)
        next_token = _text(params.get("NextToken"))
        page = self._engine().get_query_results(_query_id(params), max_results, next_token)
        return millis(page.to_api())

    def _stop(self, params: dict[str, Any], request: TaskRequest) -> Json:
        self._engine().stop_query_execution(_query_id(params))
        return {}


def client_token(execution_arn: str, task_token: str) -> str:
    """The ClientRequestToken of a task attempt's query (AWS: 32 to 128 characters)."""
    return hashlib.sha256(f"{execution_arn}#{task_token}".encode()).hexdigest()


def poll_payload(resource: str, token: str, submitted: Json) -> str | None:
    """The deliver payload that waits for a ``.sync`` task's query (None: not one)."""
    if resource != SYNC or not isinstance(submitted, dict):
        return None
    query_id = submitted.get("QueryExecutionId")
    if not isinstance(query_id, str):
        return None
    return json.dumps({POLL: {"token": token, "query_id": query_id}})


def poll(engine: Any, payload: dict[str, Any], wait_seconds: float) -> Any:
    """Wait up to ``wait_seconds`` for the query; the task's Callback event once it has
    ended, else None (look again later)."""
    token, query_id = payload["token"], payload["query_id"]
    try:
        record = engine.wait(query_id, wait_seconds)
    except ApiError as error:  # the query is gone
        return CallbackFailed(token, f"Athena.{error.aws_type}", error.message)
    if not record.ended:
        return None
    response = millis({"QueryExecution": query_execution(record)})
    if record.state == "SUCCEEDED":
        return CallbackSucceeded(token, response)
    return CallbackFailed(token, "States.TaskFailed", json.dumps(response, ensure_ascii=False))


def poll_items(arn: str, event: Inbound, step: Step, now: datetime) -> list[WorkItem]:
    """The poll that waits for an athena .sync task's query, to write with the step that
    records its TaskSubmitted (``Service.apply``)."""
    if not isinstance(event, TaskSucceeded):
        return []
    for submitted in step.events:
        details = submitted.details if submitted.type == "TaskSubmitted" else None
        if details is not None and details.get("resourceType") == "athena":
            resource = f"{PREFIX}{details.get('resource')}"
            payload = poll_payload(resource, event.token, event.output)
            if payload is not None:
                return [WorkItem(arn, f"{event.token}:athena", "deliver", now, payload)]
    return []


def queries_to_stop(resource: str, submitted: Json) -> list[str]:
    """The query a cancelled ``.sync`` task started, to stop (AWS: best effort)."""
    if resource != SYNC or not isinstance(submitted, dict):
        return []
    query_id = submitted.get("QueryExecutionId")
    return [query_id] if isinstance(query_id, str) else []


def millis(value: Any) -> Any:
    """``value`` with its datetimes as epoch milliseconds."""
    if isinstance(value, datetime):
        return epoch_millis(value)
    if isinstance(value, dict):
        return {key: millis(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [millis(item) for item in value]
    return value


def _query_id(params: dict[str, Any]) -> str:
    query_id = params.get("QueryExecutionId")
    if not isinstance(query_id, str) or not query_id:
        raise ApiError("QueryExecutionId is required")
    return query_id


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
