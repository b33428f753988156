"""The AmazonAthena JSON 1.1 API of a real ``stepline serve`` through boto3's athena client:
queries (start, results, stop, list), work groups, errors; and an athena .sync task run by
the server's worker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from athena_client import athena_client, wait_for_query
from sfn_client import Server, client, serving, wait_for_end

SLOW = "SELECT count(*) FROM range(100000000000) a"


@pytest.fixture(scope="module")
def athena_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory.mktemp("athena-serve"))


@pytest.fixture
def athena(athena_server: Server) -> Any:
    return athena_client(athena_server.url)


def run(athena: Any, sql: str, **members: Any) -> dict[str, Any]:
    started = athena.start_query_execution(QueryString=sql, **members)
    return wait_for_query(athena, started["QueryExecutionId"])


def rows(athena: Any, query_id: str, **members: Any) -> list[list[str | None]]:
    found = athena.get_query_results(QueryExecutionId=query_id, **members)
    return [[d.get("VarCharValue") for d in r["Data"]] for r in found["ResultSet"]["Rows"]]


def test_select_then_results_and_statistics(athena: Any) -> None:
    execution = run(athena, "SELECT 1 AS one, 'x' AS letter")
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert isinstance(execution["Status"]["SubmissionDateTime"], datetime)
    assert execution["StatementType"] == "DML"
    assert execution["WorkGroup"] == "primary"
    assert rows(athena, execution["QueryExecutionId"]) == [["one", "letter"], ["1", "x"]]
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    names = [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
    assert names == ["one", "letter"]


def test_tables_insert_and_paged_results(athena: Any) -> None:
    database = f"db_{uuid.uuid4().hex[:8]}"
    assert run(athena, f"CREATE DATABASE {database}")["Status"]["State"] == "SUCCEEDED"
    context = {"Database": database, "Catalog": "AwsDataCatalog"}
    ddl = (
        "CREATE EXTERNAL TABLE t (v int) PARTITIONED BY (p string) STORED AS PARQUET"
        f" LOCATION 's3://lake/{database}/t/'"
    )
    assert run(athena, ddl, QueryExecutionContext=context)["Status"]["State"] == "SUCCEEDED"
    insert = run(
        athena,
        "INSERT INTO t SELECT CAST(x AS integer), CAST(x % 2 AS varchar) FROM range(5) r(x)",
        QueryExecutionContext=context,
    )
    assert insert["Status"]["State"] == "SUCCEEDED", insert
    assert athena.get_query_results(QueryExecutionId=insert["QueryExecutionId"])["UpdateCount"] == 5
    select = run(athena, "SELECT v FROM t ORDER BY v", QueryExecutionContext=context)
    paginator = athena.get_paginator("get_query_results")
    pages = list(
        paginator.paginate(
            QueryExecutionId=select["QueryExecutionId"], PaginationConfig={"PageSize": 2}
        )
    )
    values = [d["Data"][0].get("VarCharValue") for p in pages for d in p["ResultSet"]["Rows"]]
    assert values == ["v", "0", "1", "2", "3", "4"]
    assert len(pages) == 3


def test_failed_query_and_errors(athena: Any) -> None:
    failed = run(athena, "SELECT * FROM no_such_table_here")
    assert failed["Status"]["State"] == "FAILED"
    assert failed["Status"]["AthenaError"]["ErrorCategory"] == 2
    with pytest.raises(athena.exceptions.InvalidRequestException) as caught:
        athena.get_query_results(QueryExecutionId=failed["QueryExecutionId"])
    assert "FAILED" in caught.value.response["Error"]["Message"]
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_query_execution(QueryExecutionId=str(uuid.uuid4()))
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="no-such-group")


def test_client_request_token_is_idempotent(athena: Any) -> None:
    token = uuid.uuid4().hex
    first = athena.start_query_execution(QueryString="SELECT 2", ClientRequestToken=token)
    again = athena.start_query_execution(QueryString="SELECT 2", ClientRequestToken=token)
    assert first["QueryExecutionId"] == again["QueryExecutionId"]


def test_stop_list_and_batch_get(athena: Any) -> None:
    slow = athena.start_query_execution(QueryString=SLOW)["QueryExecutionId"]
    athena.stop_query_execution(QueryExecutionId=slow)
    assert wait_for_query(athena, slow)["Status"]["State"] == "CANCELLED"
    listed = athena.list_query_executions(WorkGroup="primary", MaxResults=50)
    assert slow in listed["QueryExecutionIds"]
    missing = str(uuid.uuid4())
    batch = athena.batch_get_query_execution(QueryExecutionIds=[slow, missing])
    assert [q["QueryExecutionId"] for q in batch["QueryExecutions"]] == [slow]
    [unprocessed] = batch["UnprocessedQueryExecutionIds"]
    assert unprocessed["QueryExecutionId"] == missing
    assert unprocessed["ErrorCode"] == "InvalidRequestException"


def test_workgroups(athena: Any, athena_server: Server) -> None:
    name = f"wg-{uuid.uuid4().hex[:8]}"
    output = f"s3://results/{name}/"
    athena.create_work_group(
        Name=name,
        Description="for the tests",
        Configuration={"ResultConfiguration": {"OutputLocation": output}},
        Tags=[{"Key": "team", "Value": "data"}],
    )
    group = athena.get_work_group(WorkGroup=name)["WorkGroup"]
    assert group["State"] == "ENABLED" and group["Description"] == "for the tests"
    assert group["Configuration"]["ResultConfiguration"]["OutputLocation"] == output
    names = [g["Name"] for g in athena.list_work_groups()["WorkGroups"]]
    assert "primary" in names and name in names
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.create_work_group(Name=name)
    query = run(athena, "SELECT 3", WorkGroup=name)
    location = query["ResultConfiguration"]["OutputLocation"]
    assert location == f"{output}{query['QueryExecutionId']}.csv"
    athena.update_work_group(WorkGroup=name, State="DISABLED", Description="off")
    assert athena.get_work_group(WorkGroup=name)["WorkGroup"]["State"] == "DISABLED"
    with pytest.raises(athena.exceptions.InvalidRequestException) as caught:
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup=name)
    assert "disabled" in caught.value.response["Error"]["Message"]
    athena.delete_work_group(WorkGroup=name, RecursiveDeleteOption=True)
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_work_group(WorkGroup=name)
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.delete_work_group(WorkGroup="primary")


def test_unknown_operation_is_answered(athena_server: Server) -> None:
    athena = athena_client(athena_server.url)
    with pytest.raises(athena.exceptions.ClientError) as caught:
        athena.list_data_catalogs()
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"


def test_a_sync_task_on_the_servers_worker(athena: Any, athena_server: Server) -> None:
    sfn = client(athena_server.url)
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {"QueryString": "SELECT count(*) FROM range(7)"},
                "Next": "Results",
            },
            "Results": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:getQueryResults",
                "Parameters": {"QueryExecutionId.$": "$.QueryExecution.QueryExecutionId"},
                "OutputPath": "$.ResultSet.Rows[1].Data[0]",
                "End": True,
            },
        },
    }
    arn = sfn.create_state_machine(
        name=f"athena-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/r",
    )["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input="{}")
    ended = wait_for_end(sfn, started["executionArn"], 60)
    assert ended["status"] == "SUCCEEDED", ended
    assert json.loads(ended["output"]) == {"VarCharValue": "7"}


def test_named_queries(athena: Any) -> None:
    name = f"wg-{uuid.uuid4().hex[:8]}"
    athena.create_work_group(Name=name)
    token = uuid.uuid4().hex
    made = athena.create_named_query(
        Name="daily",
        Database="sales",
        QueryString="SELECT 1",
        Description="the daily count",
        WorkGroup=name,
        ClientRequestToken=token,
    )["NamedQueryId"]
    again = athena.create_named_query(
        Name="daily", Database="sales", QueryString="SELECT 1", WorkGroup=name,
        ClientRequestToken=token,
    )["NamedQueryId"]  # fmt: skip
    assert again == made
    other = athena.create_named_query(
        Name="other", Database="sales", QueryString="SELECT 2", WorkGroup=name
    )["NamedQueryId"]
    found = athena.get_named_query(NamedQueryId=made)["NamedQuery"]
    assert found == {
        "Name": "daily",
        "Description": "the daily count",
        "Database": "sales",
        "QueryString": "SELECT 1",
        "NamedQueryId": made,
        "WorkGroup": name,
    }
    first = athena.list_named_queries(WorkGroup=name, MaxResults=1)
    rest = athena.list_named_queries(WorkGroup=name, NextToken=first["NextToken"])
    assert sorted(first["NamedQueryIds"] + rest["NamedQueryIds"]) == sorted([made, other])
    missing = str(uuid.uuid4())
    batch = athena.batch_get_named_query(NamedQueryIds=[made, missing])
    assert [q["NamedQueryId"] for q in batch["NamedQueries"]] == [made]
    assert batch["UnprocessedNamedQueryIds"][0]["NamedQueryId"] == missing
    athena.delete_named_query(NamedQueryId=made)
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.get_named_query(NamedQueryId=made)
    assert athena.list_named_queries(WorkGroup=name)["NamedQueryIds"] == [other]
