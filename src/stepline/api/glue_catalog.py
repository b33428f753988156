"""The Glue Data Catalog (the lake's, the one Athena's queries read): CreateDatabase,
GetDatabase, GetDatabases, CreateTable, GetTable, GetTables, UpdateTable, DeleteTable,
GetPartitions, BatchCreatePartition."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from stepline.api.checks import Member, integer, list_of, shape, string, structure
from stepline.api.errors import ApiError
from stepline.api.glue_operation import Body, GlueContext, GlueOperation, Reply, glue_operation
from stepline.athena import shapes
from stepline.athena.catalog import LakeCatalog

_NAME: Final = r"[\u0020-\uD7FF\uE000-\uFFFD\t]*"
_CATALOG: Final = string("CatalogId", min=1, max=255)
_TOKEN: Final = string("NextToken")


def operations() -> dict[str, GlueOperation]:
    return {
        "CreateDatabase": create_database,
        "GetDatabase": get_database,
        "GetDatabases": get_databases,
        "CreateTable": create_table,
        "GetTable": get_table,
        "GetTables": get_tables,
        "UpdateTable": update_table,
        "DeleteTable": delete_table,
        "GetPartitions": get_partitions,
        "BatchCreatePartition": batch_create_partition,
    }


def _name(name: str) -> Member:
    return string(name, required=True, min=1, max=255, pattern=_NAME)


def _lake(ctx: GlueContext) -> LakeCatalog:
    if ctx.lake is None:
        raise ApiError("InternalServiceException", "this server has no Data Catalog", 500)
    return ctx.lake()


@glue_operation(
    shape(
        _CATALOG,
        structure(
            "DatabaseInput",
            _name("Name"),
            string("Description", max=2048),
            string("LocationUri", min=1, max=1024),
            structure("Parameters"),
            required=True,
        ),
        structure("Tags"),
    )
)
def create_database(ctx: GlueContext, body: Body) -> Reply:
    given = body["DatabaseInput"]
    _lake(ctx).create_database(
        given["Name"], given.get("Description"), given.get("LocationUri"), given.get("Parameters")
    )
    return {}


@glue_operation(shape(_CATALOG, _name("Name")))
def get_database(ctx: GlueContext, body: Body) -> Reply:
    found = _lake(ctx).get_database(body["Name"])
    return {"Database": shapes.database(found, body.get("CatalogId"))}


@glue_operation(
    shape(
        _CATALOG,
        _TOKEN,
        integer("MaxResults", min=1, max=100),
        string("ResourceShareType"),
        list_of("AttributesToGet", string("")),
    )
)
def get_databases(ctx: GlueContext, body: Body) -> Reply:
    found, token = _lake(ctx).databases(body.get("NextToken"), body.get("MaxResults") or 100)
    reply: Reply = {"DatabaseList": [shapes.database(d, body.get("CatalogId")) for d in found]}
    if token is not None:
        reply["NextToken"] = token
    return reply


@glue_operation(shape(_CATALOG, _name("DatabaseName"), structure("TableInput", required=True)))
def create_table(ctx: GlueContext, body: Body) -> Reply:
    lake = _lake(ctx)
    lake.get_database(body["DatabaseName"])
    lake.create_table(shapes.table_from_input(lake, body["DatabaseName"], body["TableInput"]))
    return {}


@glue_operation(shape(_CATALOG, _name("DatabaseName"), _name("Name")))
def get_table(ctx: GlueContext, body: Body) -> Reply:
    found = _lake(ctx).get_table(body["DatabaseName"], body["Name"])
    return {"Table": shapes.table(found, body.get("CatalogId"))}


@glue_operation(
    shape(
        _CATALOG,
        _name("DatabaseName"),
        string("Expression", max=2048),
        _TOKEN,
        integer("MaxResults", min=1, max=100),
    )
)
def get_tables(ctx: GlueContext, body: Body) -> Reply:
    lake = _lake(ctx)
    expression = body.get("Expression")
    if expression:  # Glue: a regular expression over the names ("*" is a wildcard)
        tables, token = lake.tables(body["DatabaseName"], None, 100_000)
        pattern = _names_pattern(expression)
        tables = [t for t in tables if pattern.fullmatch(t.name)]
    else:
        tables, token = lake.tables(
            body["DatabaseName"], body.get("NextToken"), body.get("MaxResults") or 100
        )
    reply: Reply = {"TableList": [shapes.table(t, body.get("CatalogId")) for t in tables]}
    if token is not None and not expression:
        reply["NextToken"] = token
    return reply


@glue_operation(
    shape(
        _CATALOG,
        _name("DatabaseName"),
        structure("TableInput", required=True),
        string("VersionId"),
        string("TransactionId"),
    )
)
def update_table(ctx: GlueContext, body: Body) -> Reply:
    lake = _lake(ctx)
    lake.update_table(shapes.table_from_input(lake, body["DatabaseName"], body["TableInput"]))
    return {}


@glue_operation(shape(_CATALOG, _name("DatabaseName"), _name("Name"), string("TransactionId")))
def delete_table(ctx: GlueContext, body: Body) -> Reply:
    _lake(ctx).delete_table(body["DatabaseName"], body["Name"])
    return {}


@glue_operation(
    shape(
        _CATALOG,
        _name("DatabaseName"),
        _name("TableName"),
        string("Expression", max=2048),
        _TOKEN,
        integer("MaxResults", min=1, max=1000),
        structure("Segment"),
    )
)
def get_partitions(ctx: GlueContext, body: Body) -> Reply:
    if body.get("Expression"):
        raise ApiError("InvalidInputException", "stepline does not filter GetPartitions")
    lake = _lake(ctx)
    table = lake.get_table(body["DatabaseName"], body["TableName"])
    after = _partition_token(body.get("NextToken"))
    found, token = lake.partitions(table, after, body.get("MaxResults") or 1000)
    reply: Reply = {"Partitions": [shapes.partition(p, body.get("CatalogId")) for p in found]}
    if token is not None:
        reply["NextToken"] = json.dumps(list(token))
    return reply


@glue_operation(
    shape(
        _CATALOG,
        _name("DatabaseName"),
        _name("TableName"),
        list_of("PartitionInputList", structure(""), required=True, max=100),
    )
)
def batch_create_partition(ctx: GlueContext, body: Body) -> Reply:
    lake = _lake(ctx)
    table = lake.get_table(body["DatabaseName"], body["TableName"])
    partitions = [shapes.partition_from_input(lake, table, p) for p in body["PartitionInputList"]]
    errors = lake.create_partitions(table, partitions)
    return {
        "Errors": [
            {
                "PartitionValues": list(e.values),
                "ErrorDetail": {"ErrorCode": e.code, "ErrorMessage": e.message},
            }
            for e in errors
        ]
    }


def _partition_token(token: Any) -> tuple[str, ...] | None:
    if token is None:
        return None
    try:
        values = json.loads(token)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ApiError("InvalidInputException", "NextToken is not one GetPartitions gave")
    return tuple(values)


def _names_pattern(expression: str) -> re.Pattern[str]:
    text = (
        expression.replace("*", ".*")
        if "*" in expression and ".*" not in expression
        else expression
    )
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise ApiError("InvalidInputException", f"Expression is not valid: {error}") from None
