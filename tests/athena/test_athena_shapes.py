"""The API shapes of the records, checked against botocore's service models, and Glue's
inputs read into the catalog."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import pytest
from athena_support import ORDERS_DDL, failed, ok, write_orders

from stepline.athena import AlreadyExists as GlueAlreadyExists
from stepline.athena import EntityNotFound, QueryEngine, shapes
from stepline.lake import LakePaths

_DATA = Path(botocore.__file__).parent / "data"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


def model(service: str) -> dict[str, Any]:
    folder = next((_DATA / service).iterdir())
    with gzip.open(folder / "service-2.json.gz") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def check(value: Any, shape_name: str, shapes_: dict[str, Any], where: str = "") -> None:
    """Every member of ``value`` exists in the botocore shape, with a fitting kind."""
    shape = shapes_[shape_name]
    kind = shape["type"]
    if kind == "structure":
        assert isinstance(value, dict), where
        for key, member in value.items():
            assert key in shape["members"], f"{where}.{key} is not a member of {shape_name}"
            check(member, shape["members"][key]["shape"], shapes_, f"{where}.{key}")
    elif kind == "list":
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            check(item, shape["member"]["shape"], shapes_, f"{where}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), where
    elif kind == "string":
        assert isinstance(value, str), where
        assert "enum" not in shape or value in shape["enum"], f"{where}: {value!r}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind == "boolean":
        assert isinstance(value, bool), where
    elif kind == "timestamp":
        assert hasattr(value, "isoformat"), where


def test_query_execution_and_workgroup_shapes(engine: QueryEngine) -> None:
    athena = model("athena")["shapes"]
    done = engine.run("SELECT 1", timeout=30)
    bad = failed(engine, "SELECT nope")
    for record in (done, bad):
        check(shapes.query_execution(record), "QueryExecution", athena, "QueryExecution")
    shaped = shapes.query_execution(bad)
    assert shaped["Status"]["AthenaError"] == {
        "ErrorCategory": 2,
        "ErrorType": 1000,
        "Retryable": False,
        "ErrorMessage": bad.state_change_reason,
    }
    assert shapes.query_execution(done)["ResultConfiguration"]["OutputLocation"].endswith(
        f"{done.id}.csv"
    )
    primary = engine.workgroups.get("primary")
    check(shapes.workgroup(primary), "WorkGroup", athena, "WorkGroup")
    check(shapes.workgroup_summary(primary), "WorkGroupSummary", athena, "WorkGroupSummary")
    page = engine.get_query_results(done.id).to_api()
    check(page, "GetQueryResultsOutput", athena, "GetQueryResultsOutput")


def test_glue_shapes_of_tables_made_by_ddl(engine: QueryEngine, lake: LakePaths) -> None:
    glue = model("glue")["shapes"]
    write_orders(lake.local_path("s3://lake/orders"), 5)
    ok(engine, ORDERS_DDL.format(name="orders", location="s3://lake/orders/"))
    ok(engine, "MSCK REPAIR TABLE orders")
    table = engine.catalog.get_table("default", "orders")
    shaped = shapes.table(table, "123456789012")
    check(shaped, "Table", glue, "Table")
    assert shaped["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert shaped["PartitionKeys"] == [{"Name": "process_date", "Type": "date"}]
    assert shaped["TableType"] == "EXTERNAL_TABLE"
    partitions, _ = engine.catalog.partitions(table)
    check(shapes.partition(partitions[0]), "Partition", glue, "Partition")
    assert partitions[0].location == "s3://lake/orders/process_date=2025-01-25/"
    check(shapes.database(engine.catalog.get_database("default")), "Database", glue, "Database")


def test_glue_inputs_make_queryable_tables(engine: QueryEngine, lake: LakePaths) -> None:
    write_orders(lake.local_path("s3://lake/glue_orders"), 5)
    engine.catalog.create_database("glue_db", "made through Glue")
    with pytest.raises(GlueAlreadyExists, match=r"Database already exists\."):
        engine.catalog.create_database("GLUE_DB")
    table_input = {
        "Name": "Orders",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "PartitionKeys": [{"Name": "process_date", "Type": "date"}],
        "StorageDescriptor": {
            "Columns": [
                {"Name": "order_id", "Type": "bigint"},
                {"Name": "amount", "Type": "double"},
            ],
            "Location": "s3://lake/glue_orders/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE},
        },
    }
    table = engine.catalog.create_table(
        shapes.table_from_input(engine.catalog, "glue_db", table_input)
    )
    assert table.name == "orders"
    with pytest.raises(GlueAlreadyExists, match=r"Table already exists\."):
        engine.catalog.create_table(table)
    partition = shapes.partition_from_input(engine.catalog, table, {"Values": ["2025-01-26"]})
    assert partition.location == "s3://lake/glue_orders/process_date=2025-01-26/"
    errors = engine.catalog.create_partitions(table, [partition, partition])
    assert [(e.values, e.code) for e in errors] == [(("2025-01-26",), "AlreadyExistsException")]
    result = engine.run("SELECT count(*) FROM glue_db.orders", timeout=30)
    assert engine.get_query_results(result.id).rows[1] == ("5",)
    with pytest.raises(EntityNotFound, match=r"Table nope not found\."):
        engine.catalog.get_table("glue_db", "nope")
    with pytest.raises(EntityNotFound, match=r"Database nodb not found\."):
        engine.catalog.get_table("nodb", "orders")
    tables, token = engine.catalog.tables("glue_db")
    assert [t.name for t in tables] == ["orders"] and token is None
