"""Athena named queries: CreateNamedQuery, GetNamedQuery, ListNamedQueries,
DeleteNamedQuery, BatchGetNamedQuery."""

from __future__ import annotations

from typing import Any

from stepline.api.athena_operation import (
    AthenaContext,
    AthenaOperation,
    Body,
    Reply,
    athena_operation,
    query_id,
    workgroup_name,
)
from stepline.api.checks import integer, list_of, shape, string
from stepline.athena.errors import ApiError as AthenaError
from stepline.athena.named_queries import NamedQueries, named_query


def operations() -> dict[str, AthenaOperation]:
    return {
        "CreateNamedQuery": create_named_query,
        "GetNamedQuery": get_named_query,
        "ListNamedQueries": list_named_queries,
        "DeleteNamedQuery": delete_named_query,
        "BatchGetNamedQuery": batch_get_named_query,
    }


def _named(ctx: AthenaContext) -> NamedQueries:
    engine = ctx.engine()
    return NamedQueries(engine.store, engine.clock, engine.workgroups)


@athena_operation(
    shape(
        string("Name", required=True, min=1, max=128),
        string("Description", max=1024),
        string("Database", required=True, min=1, max=255),
        string("QueryString", required=True, min=1, max=262144),
        string("ClientRequestToken", min=32, max=128),
        workgroup_name(),
    )
)
def create_named_query(ctx: AthenaContext, body: Body) -> Reply:
    record = _named(ctx).create(
        body["Name"],
        body["Database"],
        body["QueryString"],
        body.get("WorkGroup"),
        body.get("Description"),
        body.get("ClientRequestToken"),
    )
    return {"NamedQueryId": record.id}


@athena_operation(shape(query_id("NamedQueryId")))
def get_named_query(ctx: AthenaContext, body: Body) -> Reply:
    return {"NamedQuery": named_query(_named(ctx).get(body["NamedQueryId"]))}


@athena_operation(
    shape(
        string("NextToken", min=1, max=1024), integer("MaxResults", min=0, max=50), workgroup_name()
    )
)
def list_named_queries(ctx: AthenaContext, body: Body) -> Reply:
    ids, token = _named(ctx).list(
        body.get("WorkGroup"), body.get("MaxResults") or 50, body.get("NextToken")
    )
    reply: Reply = {"NamedQueryIds": ids}
    if token is not None:
        reply["NextToken"] = token
    return reply


@athena_operation(shape(query_id("NamedQueryId")))
def delete_named_query(ctx: AthenaContext, body: Body) -> Reply:
    _named(ctx).delete(body["NamedQueryId"])
    return {}


@athena_operation(
    shape(list_of("NamedQueryIds", string("", min=1, max=128), required=True, min=1, max=50))
)
def batch_get_named_query(ctx: AthenaContext, body: Body) -> Reply:
    named = _named(ctx)
    found: list[dict[str, Any]] = []
    unprocessed: list[dict[str, Any]] = []
    for query in body["NamedQueryIds"]:
        try:
            found.append(named_query(named.get(query)))
        except AthenaError as error:
            code, message = error.aws_type, error.message
            unprocessed.append({"NamedQueryId": query, "ErrorCode": code, "ErrorMessage": message})
    return {"NamedQueries": found, "UnprocessedNamedQueryIds": unprocessed}
