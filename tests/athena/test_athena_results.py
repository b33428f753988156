"""Results as Athena gives them: the CSV file, GetQueryResults pages, work groups."""

from __future__ import annotations

from pathlib import Path

import pytest
from athena_support import ok, rows

from stepline.athena import InvalidRequest, QueryEngine
from stepline.athena.results import decode_token, encode_token, parse_record, read_page, write_rows
from stepline.lake import LakePaths

VALUES_SQL = """SELECT * FROM (VALUES
    (1, 'plain', TIMESTAMP '2025-01-26 10:00:00', true),
    (2, 'with "quotes", commas', TIMESTAMP '2025-01-26 10:00:00.5', false),
    (3, '', NULL, NULL),
    (4, NULL, NULL, NULL),
    (5, 'two
lines', NULL, NULL)
) AS t(id, text, ts, flag)"""


def test_result_csv_is_athenas(engine: QueryEngine, lake: LakePaths) -> None:
    record = ok(engine, VALUES_SQL)
    assert record.output_location == f"s3://stepline-athena-results/{record.id}.csv"
    written = lake.local_path(record.output_location).read_text()
    assert written == (
        '"id","text","ts","flag"\n'
        '"1","plain","2025-01-26 10:00:00.000","true"\n'
        '"2","with ""quotes"", commas","2025-01-26 10:00:00.500","false"\n'
        '"3","",,\n'
        '"4",,,\n'
        '"5","two\nlines",,\n'
    )
    page = engine.get_query_results(record.id).to_api()
    data = page["ResultSet"]["Rows"]
    assert data[0] == {"Data": [{"VarCharValue": n} for n in ("id", "text", "ts", "flag")]}
    assert data[3] == {"Data": [{"VarCharValue": "3"}, {"VarCharValue": ""}, {}, {}]}
    assert data[5]["Data"][1] == {"VarCharValue": "two\nlines"}
    info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"], c["Precision"]) for c in info] == [
        ("id", "integer", 10),
        ("text", "varchar", 2147483647),
        ("ts", "timestamp", 3),
        ("flag", "boolean", 0),
    ]
    assert info[1] == {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": "text",
        "Label": "text",
        "Type": "varchar",
        "Precision": 2147483647,
        "Scale": 0,
        "Nullable": "UNKNOWN",
        "CaseSensitive": True,
    }
    assert page["UpdateCount"] == 0 and "NextToken" not in page


def test_paging(engine: QueryEngine) -> None:
    record = ok(engine, "SELECT range AS n, 'row ' || range AS label FROM range(2500) ORDER BY n")
    assert record.result_rows == 2500
    first = engine.get_query_results(record.id, max_results=1000)
    assert first.rows[0] == ("n", "label")  # the header row counts in the first page
    assert first.rows[1] == ("0", "row 0") and len(first.rows) == 1000
    assert first.next_token is not None
    second = engine.get_query_results(record.id, 1000, first.next_token)
    assert second.rows[0] == ("999", "row 999") and len(second.rows) == 1000
    third = engine.get_query_results(record.id, 1000, second.next_token)
    assert third.rows[-1] == ("2499", "row 2499") and len(third.rows) == 501
    assert third.next_token is None
    with pytest.raises(InvalidRequest, match="invalid NextToken"):
        engine.get_query_results(record.id, 10, "garbage")
    with pytest.raises(InvalidRequest, match="MaxResults"):
        engine.get_query_results(record.id, 1001)
    with pytest.raises(InvalidRequest, match="was not found"):
        engine.get_query_results("no-such-query")


def test_ddl_and_show_results_have_no_header(engine: QueryEngine) -> None:
    ok(engine, "CREATE DATABASE sales")
    create = ok(engine, "CREATE DATABASE other")
    page = engine.get_query_results(create.id)
    assert page.rows == () and page.columns == ()
    show = ok(engine, "SHOW DATABASES")
    page = engine.get_query_results(show.id, 2)
    assert page.rows == (("default",), ("other",))
    assert [c.name for c in page.columns] == ["database_name"]
    assert engine.get_query_results(show.id, 2, page.next_token).rows == (("sales",),)


def test_workgroups_choose_the_output_location(
    engine: QueryEngine, lake: LakePaths, tmp_path: Path
) -> None:
    engine.workgroups.create(
        "etl",
        {
            "ResultConfiguration": {"OutputLocation": "s3://etl-results/athena/"},
            "EnforceWorkGroupConfiguration": False,
        },
        "ETL queries",
    )
    record = ok(engine, "SELECT 1", workgroup="etl")
    assert record.output_location == f"s3://etl-results/athena/{record.id}.csv"
    assert lake.local_path(record.output_location).is_file()
    local = tmp_path / "results"
    mine = ok(engine, "SELECT 2", workgroup="etl", output_location=str(local))
    assert mine.output_location == f"{local}/{mine.id}.csv"
    assert rows(engine, "SELECT 3", workgroup="etl", output_location=str(local)) == [("3",)]
    engine.workgroups.update("etl", configuration={"EnforceWorkGroupConfiguration": True})
    forced = ok(engine, "SELECT 4", workgroup="etl", output_location=str(local))
    assert forced.output_location.startswith("s3://etl-results/athena/")
    engine.workgroups.update("etl", state="DISABLED")
    with pytest.raises(InvalidRequest, match="WorkGroup etl is disabled"):
        engine.start_query_execution("SELECT 1", workgroup="etl")
    assert [w.name for w in engine.workgroups.list()] == ["etl", "primary"]
    assert engine.list_query_executions("etl")[0][0] == forced.id
    with pytest.raises(InvalidRequest, match="Cannot delete primary"):
        engine.workgroups.delete("primary")
    engine.workgroups.delete("etl")
    with pytest.raises(InvalidRequest, match="is not found"):
        engine.workgroups.get("etl")


def test_record_parsing() -> None:
    assert parse_record('"a","",,"x""y"\n') == ["a", "", None, 'x"y']
    assert parse_record("\n") == [None]
    assert parse_record('"a",\n') == ["a", None]
    assert parse_record(',"b"') == [None, "b"]
    assert decode_token(encode_token(12, 345)) == (12, 345)


def test_pages_of_a_written_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_rows(path, ["a", "b"], [["1", None], ["multi\nline", 'q"'], ["3", ""]])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    page, token = read_page(path, False, 2, None)
    assert page == (("1", None), ("multi\nline", 'q"'))
    rest, last = read_page(path, False, 2, token)
    assert rest == (("3", ""),) and last is None
    with_header, _ = read_page(path, True, 1, None)
    assert with_header == (("a", "b"),)
