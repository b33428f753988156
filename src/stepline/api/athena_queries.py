"""Athena query executions: StartQueryExecution, GetQueryExecution, GetQueryResults,
StopQueryExecution, ListQueryExecutions, BatchGetQueryExecution."""

from __future__ import annotations

from typing import Any, Final

from stepline.api.athena_operation import (
    AthenaContext,
    AthenaOperation,
    Body,
    Reply,
    athena_operation,
    query_id,
    workgroup_name,
)
from stepline.api.checks import integer, list_of, shape, string, structure
from stepline.athena import shapes
from stepline.athena.errors import ApiError as AthenaError

_TOKEN: Final = string("NextToken", min=1, max=1024)


def operations() -> dict[str, AthenaOperation]:
    return {
        "StartQueryExecution": start_query_execution,
        "GetQueryExecution": get_query_execution,
        "GetQueryResults": get_query_results,
        "StopQueryExecution": stop_query_execution,
        "ListQueryExecutions": list_query_executions,
        "BatchGetQueryExecution": batch_get_query_execution,
    }


@athena_operation(
    shape(
        string("QueryString", required=True, min=1, max=262144),
        string("ClientRequestToken", min=32, max=128),
        structure(
            "QueryExecutionContext",
            string("Database", min=1, max=255),
            string("Catalog", min=1, max=256),
        ),
        structure("ResultConfiguration", string("OutputLocation")),
        workgroup_name(),
        list_of("ExecutionParameters", string("", min=1, max=1024), min=1),
        structure("ResultReuseConfiguration"),
    )
)
def start_query_execution(ctx: AthenaContext, body: Body) -> Reply:
    context: dict[str, Any] = body.get("QueryExecutionContext") or {}
    result: dict[str, Any] = body.get("ResultConfiguration") or {}
    query = ctx.engine().start_query_execution(
        body["QueryString"],
        database=context.get("Database"),
        catalog=context.get("Catalog"),
        workgroup=body.get("WorkGroup"),
        output_location=result.get("OutputLocation"),
        client_request_token=body.get("ClientRequestToken"),
        execution_parameters=list(body.get("ExecutionParameters") or ()),
    )
    return {"QueryExecutionId": query}


@athena_operation(shape(query_id()))
def get_query_execution(ctx: AthenaContext, body: Body) -> Reply:
    record = ctx.engine().get_query_execution(body["QueryExecutionId"])
    return {"QueryExecution": shapes.query_execution(record)}


@athena_operation(
    shape(
        query_id(),
        _TOKEN,
        integer("MaxResults", min=1, max=1000),
        string("QueryResultType", enum=("DATA_MANIFEST", "DATA_ROWS")),
    )
)
def get_query_results(ctx: AthenaContext, body: Body) -> Reply:
    page = ctx.engine().get_query_results(
        body["QueryExecutionId"], body.get("MaxResults", 1000), body.get("NextToken")
    )
    return page.to_api()


@athena_operation(shape(query_id()))
def stop_query_execution(ctx: AthenaContext, body: Body) -> Reply:
    ctx.engine().stop_query_execution(body["QueryExecutionId"])
    return {}


@athena_operation(shape(_TOKEN, integer("MaxResults", min=0, max=50), workgroup_name()))
def list_query_executions(ctx: AthenaContext, body: Body) -> Reply:
    ids, token = ctx.engine().list_query_executions(
        body.get("WorkGroup"), body.get("MaxResults") or 50, body.get("NextToken")
    )
    reply: Reply = {"QueryExecutionIds": ids}
    if token is not None:
        reply["NextToken"] = token
    return reply


@athena_operation(
    shape(list_of("QueryExecutionIds", string("", min=1, max=128), required=True, min=1, max=50))
)
def batch_get_query_execution(ctx: AthenaContext, body: Body) -> Reply:
    engine = ctx.engine()
    found: list[dict[str, Any]] = []
    unprocessed: list[dict[str, Any]] = []
    for query in body["QueryExecutionIds"]:
        try:
            found.append(shapes.query_execution(engine.get_query_execution(query)))
        except AthenaError as error:
            unprocessed.append(
                {
                    "QueryExecutionId": query,
                    "ErrorCode": error.aws_type,
                    "ErrorMessage": error.message,
                }
            )
    return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": unprocessed}
