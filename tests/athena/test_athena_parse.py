"""Reading statements, classifying them, column types and file formats: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from stepline.athena import statements as s
from stepline.athena.ddl import hive_pattern
from stepline.athena.formats import FormatError, file_format, storage_descriptor
from stepline.athena.parse import parse_statement
from stepline.athena.tokens import (
    SqlSyntaxError,
    position,
    split_statements,
    substitute_parameters,
    tokenize,
)
from stepline.athena.types import (
    HiveTypeError,
    duckdb_to_hive,
    hive_to_duckdb,
    normalize_hive_type,
    result_type,
)
from stepline.store.lake_records import LakeColumn, LakeTable, SerDeInfo, StorageDescriptor

T0 = datetime(2025, 1, 26, tzinfo=UTC)


def test_create_external_table() -> None:
    statement = parse_statement(
        """CREATE EXTERNAL TABLE IF NOT EXISTS Sales.`Curated_Orders` (
            order_id BIGINT COMMENT 'the id',
            amount decimal(10, 2),
            tags array<string>,
            attrs MAP<string, int>,
            address struct<city:string, zip: int>
        )
        COMMENT 'orders'
        PARTITIONED BY (process_date date)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'
          LINES TERMINATED BY '\\n' NULL DEFINED AS ''
        STORED AS TEXTFILE
        LOCATION 's3://lake/curated/orders/'
        TBLPROPERTIES ('skip.header.line.count' = '1', 'classification' = 'csv');"""
    )
    assert statement == s.CreateExternalTable(
        table=s.TableName("sales", "curated_orders"),
        columns=(
            s.ColumnDef("order_id", "bigint", "the id"),
            s.ColumnDef("amount", "decimal(10,2)"),
            s.ColumnDef("tags", "array<string>"),
            s.ColumnDef("attrs", "map<string,int>"),
            s.ColumnDef("address", "struct<city:string,zip:int>"),
        ),
        location="s3://lake/curated/orders/",
        if_not_exists=True,
        partition_keys=(s.ColumnDef("process_date", "date"),),
        comment="orders",
        serde="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        serde_properties={
            "field.delim": "\t",
            "serialization.format": "\t",
            "escape.delim": "\\",
            "line.delim": "\n",
            "serialization.null.format": "",
        },
        stored_as="TEXTFILE",
        properties={"skip.header.line.count": "1", "classification": "csv"},
    )
    assert s.statement_type(statement) == "DDL"


def test_other_statements() -> None:
    ctas = parse_statement(
        "CREATE TABLE gold.t WITH (format = 'PARQUET', partitioned_by = ARRAY['d'],"
        " bucket_count = 4, is_external = true) AS SELECT a, d FROM x WITH NO DATA"
    )
    assert isinstance(ctas, s.CreateTableAs)
    assert ctas.properties == {
        "format": "PARQUET",
        "partitioned_by": ("d",),
        "bucket_count": 4,
        "is_external": True,
    }
    assert (ctas.sql, ctas.with_data) == ("SELECT a, d FROM x", False)
    insert = parse_statement("INSERT INTO t (a, b) SELECT 1, 2")
    assert insert == s.Insert(s.TableName(None, "t"), ("a", "b"), "SELECT 1, 2", 21)
    paren = parse_statement("insert into awsdatacatalog.db.t (select 1)")
    assert paren == s.Insert(s.TableName("db", "t"), None, "(select 1)", 32)
    assert parse_statement("  WITH a AS (SELECT 1) SELECT * FROM a") == s.Query(
        "WITH a AS (SELECT 1) SELECT * FROM a", 2
    )
    assert parse_statement("MSCK REPAIR TABLE db.t") == s.RepairTable(s.TableName("db", "t"))
    assert parse_statement("SHOW TABLES IN db 'a*'") == s.ShowTables("db", "a*")
    assert parse_statement("DESC FORMATTED t") == s.Describe(s.TableName(None, "t"))
    assert parse_statement("DROP SCHEMA IF EXISTS d CASCADE") == s.DropDatabase("d", True, True)
    alter = parse_statement("ALTER TABLE t ADD PARTITION (d = DATE '2025-01-01', h = 3)")
    assert alter == s.AddPartitions(
        s.TableName(None, "t"), (s.PartitionSpec((("d", "2025-01-01"), ("h", "3"))),)
    )
    assert parse_statement("DELETE FROM t") == s.Unsupported("DELETE")
    assert parse_statement("CREATE OR REPLACE VIEW v AS SELECT 1") == s.Unsupported("CREATE VIEW")


@pytest.mark.parametrize(
    ("sql", "message", "offset"),
    [
        ("SELEC 1", "mismatched input 'SELEC'", 0),
        ("CREATE EXTERNAL TABLE t (a int) STORED AS PARQUET", "need a LOCATION", 49),
        ("CREATE EXTERNAL TABLE t (a foo) LOCATION 's3://b/'", "unknown column type 'foo'", 27),
        ("SELECT 1; SELECT 2", "Only one sql statement is allowed", 8),
        ("MSCK REPAIR TABLE", "Expecting: a table name", 17),
        ("SELECT 'open", "unterminated string literal", 7),
        ("   ", "the query is empty", 0),
    ],
)
def test_syntax_errors(sql: str, message: str, offset: int) -> None:
    with pytest.raises(SqlSyntaxError, match=message) as error:
        parse_statement(sql)
    assert error.value.offset == offset


def test_classification() -> None:
    kinds = {
        "SELECT 1": ("DML", "SELECT", True),
        "INSERT INTO t SELECT 1": ("DML", "INSERT", True),
        "CREATE TABLE t AS SELECT 1": ("DML", "CREATE_TABLE_AS_SELECT", True),
        "CREATE DATABASE d": ("DDL", "CREATE_DATABASE", False),
        "MSCK REPAIR TABLE t": ("DDL", "MSCK_REPAIR_TABLE", False),
        "SHOW TABLES": ("UTILITY", "SHOW_TABLES", False),
        "DESCRIBE t": ("UTILITY", "DESCRIBE_TABLE", False),
    }
    for sql, (kind, sub, header) in kinds.items():
        statement = parse_statement(sql)
        assert (s.statement_type(statement), s.substatement_type(statement)) == (kind, sub)
        assert s.returns_header(statement) is header


def test_tokens_parameters_and_scripts() -> None:
    assert [t.kind for t in tokenize("a.`b` 'c''d' 1.5e3 ? -- x\n/* y */ ;")] == [
        "word",
        "symbol",
        "ident",
        "string",
        "number",
        "param",
        "symbol",
    ]
    assert tokenize(r"'a\tb'", backslash_escapes=True)[0].value == "a\tb"
    assert tokenize(r"'\001'", backslash_escapes=True)[0].value == "\x01"
    assert substitute_parameters("SELECT ?, '?', ?", ("'x'", "2")) == "SELECT 'x', '?', 2"
    with pytest.raises(SqlSyntaxError, match="expected 1 but found 0"):
        substitute_parameters("SELECT ?", ())
    script = "SELECT ';'; -- a comment; here\nSELECT 2;;  "
    assert split_statements(script) == ["SELECT ';'", "-- a comment; here\nSELECT 2"]
    assert position("ab\ncd", 4) == (2, 2)


def test_hive_types() -> None:
    assert normalize_hive_type("ARRAY< STRUCT<a:INT, `b c`:string> >") == (
        "array<struct<a:int,b c:string>>"
    )
    assert normalize_hive_type("decimal") == "decimal(10,0)"
    assert hive_to_duckdb("map<string,array<bigint>>") == "MAP(VARCHAR, BIGINT[])"
    assert hive_to_duckdb("struct<a:int,b:varchar(3)>") == 'STRUCT("a" INTEGER, "b" VARCHAR)'
    with pytest.raises(HiveTypeError, match="unknown column type 'uuid'"):
        normalize_hive_type("uuid")
    with pytest.raises(HiveTypeError, match="malformed"):
        normalize_hive_type("map<string>")
    relation = duckdb.sql(
        "SELECT 1::TINYINT a, [1] b, MAP(['k'], [1.5]) c, {'x': 1} d, 1.50::DECIMAL(5,2) e,"
        " 'x'::BLOB f, 1::UBIGINT g"
    )
    hive = [duckdb_to_hive(t) for t in relation.types]
    assert hive == [
        "tinyint",
        "array<int>",
        "map<string,decimal(2,1)>",
        "struct<x:int>",
        "decimal(5,2)",
        "binary",
        "bigint",
    ]
    athena = [(r.name, r.precision, r.scale) for r in map(result_type, relation.types)]
    assert athena[0] == ("tinyint", 3, 0) and athena[4] == ("decimal", 5, 2)
    assert [r[0] for r in athena[1:4]] == ["array", "map", "row"]


def _table(serde: str | None, **parameters: str) -> LakeTable:
    sd = StorageDescriptor("s3://b/t/", (LakeColumn("a", "int"),), serde_info=SerDeInfo(serde))
    return LakeTable("db", "t", sd, T0, T0, parameters=parameters)


def test_file_formats() -> None:
    assert (
        file_format(_table("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")).kind
        == "parquet"
    )
    assert file_format(_table("org.openx.data.jsonserde.JsonSerDe")).kind == "json"
    csv = file_format(_table(None, classification="csv", **{"skip.header.line.count": "1"}))
    assert (csv.kind, csv.delimiter, csv.header_lines) == ("csv", ",", 1)
    assert file_format(_table("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe")).delimiter == (
        "\x01"
    )
    with pytest.raises(FormatError, match=r"db\.t is stored as ORC"):
        file_format(_table("org.apache.hadoop.hive.ql.io.orc.OrcSerde"))
    sd = storage_descriptor("PARQUET", "s3://b/t/", ())
    assert sd.input_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    with pytest.raises(FormatError, match="unknown file format STORED AS CSVX"):
        storage_descriptor("CSVX", "s3://b/t/", ())


def test_show_patterns() -> None:
    match = hive_pattern("ord*|items")
    assert [n for n in ("orders", "ORDERS_2", "items", "items2", "xorders") if match(n)] == [
        "orders",
        "ORDERS_2",
        "items",
    ]
