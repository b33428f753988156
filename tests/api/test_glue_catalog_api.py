"""The Glue Data Catalog of a real ``stepline serve`` through boto3's glue client, and the
same tables through boto3's athena client (one catalog)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from athena_client import athena_client, wait_for_query
from glue_client import glue_client
from sfn_client import Server, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory.mktemp("glue-catalog-serve"))


def table_input(name: str, location: str) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "csv"},
        "PartitionKeys": [{"Name": "day", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "int"}, {"Name": "amount", "Type": "double"}],
            "Location": location,
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                "Parameters": {"field.delim": ","},
            },
        },
    }


def test_databases_tables_partitions_then_athena_reads_them(server: Server) -> None:
    glue = glue_client(server.url)
    database = f"db_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": database, "Description": "tests"})
    assert glue.get_database(Name=database)["Database"]["Description"] == "tests"
    names = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert database in names
    with pytest.raises(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": database})
    location = f"s3://lake/{database}/sales/"
    glue.create_table(DatabaseName=database, TableInput=table_input("sales", location))
    table = glue.get_table(DatabaseName=database, Name="sales")["Table"]
    assert table["StorageDescriptor"]["Location"] == location
    assert [k["Name"] for k in table["PartitionKeys"]] == ["day"]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]] == ["sales"]
    assert glue.get_tables(DatabaseName=database, Expression="sal*")["TableList"]
    # a partition's files, written where the lake keeps s3://lake/...
    folder = server.directory / ".stepline" / "lake" / "lake" / database / "sales" / "day=d1"
    folder.mkdir(parents=True)
    (folder / "part.csv").write_text("1,2.5\n2,3.5\n")
    created = glue.batch_create_partition(
        DatabaseName=database,
        TableName="sales",
        PartitionInputList=[
            {"Values": ["d1"], "StorageDescriptor": {"Location": f"{location}day=d1/"}},
            {"Values": ["d2", "extra"]},
        ],
    )
    [error] = created["Errors"]
    assert error["PartitionValues"] == ["d2", "extra"]
    assert error["ErrorDetail"]["ErrorCode"] == "InvalidInputException"
    again = glue.batch_create_partition(
        DatabaseName=database, TableName="sales", PartitionInputList=[{"Values": ["d1"]}]
    )
    assert again["Errors"][0]["ErrorDetail"]["ErrorCode"] == "AlreadyExistsException"
    partitions = glue.get_partitions(DatabaseName=database, TableName="sales")["Partitions"]
    assert [p["Values"] for p in partitions] == [["d1"]]
    athena = athena_client(server.url)
    started = athena.start_query_execution(
        QueryString="SELECT day, sum(amount) FROM sales GROUP BY day",
        QueryExecutionContext={"Database": database},
    )
    ended = wait_for_query(athena, started["QueryExecutionId"])
    assert ended["Status"]["State"] == "SUCCEEDED", ended
    page = athena.get_query_results(QueryExecutionId=started["QueryExecutionId"])
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    assert rows[1:] == [["d1", "6.0"]]
    updated = table_input("sales", location)
    updated["Description"] = "changed"
    glue.update_table(DatabaseName=database, TableInput=updated)
    assert glue.get_table(DatabaseName=database, Name="sales")["Table"]["Description"] == (
        "changed"
    )
    glue.delete_table(DatabaseName=database, Name="sales")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName=database, Name="sales")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_database(Name=f"{database}_missing")


def test_partition_pages(server: Server) -> None:
    glue = glue_client(server.url)
    database = f"db_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": database})
    location = f"s3://lake/{database}/t/"
    glue.create_table(DatabaseName=database, TableInput=table_input("t", location))
    days = [f"d{i}" for i in range(5)]
    glue.batch_create_partition(
        DatabaseName=database,
        TableName="t",
        PartitionInputList=[
            {"Values": [d], "StorageDescriptor": {"Location": f"{location}day={d}/"}} for d in days
        ],
    )
    paginator = glue.get_paginator("get_partitions")
    pages = list(
        paginator.paginate(DatabaseName=database, TableName="t", PaginationConfig={"PageSize": 2})
    )
    assert [p["Values"][0] for page in pages for p in page["Partitions"]] == days
