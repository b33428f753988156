"""Tables over CSV, TSV and JSON files, partitions by DDL, and the catalog statements."""

from __future__ import annotations

from pathlib import Path

from athena_support import copy_to, failed, ok, rows

from stepline.athena import QueryEngine
from stepline.lake import LakePaths


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_csv_with_header_and_types(engine: QueryEngine, lake: LakePaths) -> None:
    folder = lake.local_path("s3://raw/orders")
    write(folder / "a.csv", "id,name,amount,day\n1,alice,10.5,2025-01-26\n2,bob,,2025-01-27\n")
    write(folder / "sub" / "b.csv", "id,name,amount,day\n3,carol,x,bad\n4,dan,2,2025-01-26,extra\n")
    write(folder / "_SUCCESS", "")
    write(folder / ".hidden.csv", "id\n99\n")
    ok(
        engine,
        "CREATE EXTERNAL TABLE raw_orders (id int, name string, amount double, day date)"
        " ROW FORMAT DELIMITED FIELDS TERMINATED BY ','"
        " LOCATION 's3://raw/orders/' TBLPROPERTIES ('skip.header.line.count'='1')",
    )
    assert rows(engine, "SELECT id, name, amount, day FROM raw_orders ORDER BY id") == [
        ("1", "alice", "10.5", "2025-01-26"),
        ("2", "bob", None, "2025-01-27"),  # Hive: a value that is not a number is NULL
        ("3", "carol", None, None),
        ("4", "dan", "2.0", "2025-01-26"),  # extra fields are ignored
    ]


def test_tsv_without_header_and_string_nulls(engine: QueryEngine, lake: LakePaths) -> None:
    write(lake.local_path("s3://raw/tsv/part-0.tsv"), "1\ta b\n2\t\\N\n3\t\n")
    ok(
        engine,
        "CREATE EXTERNAL TABLE t (id bigint, label string)"
        " ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' STORED AS TEXTFILE"
        " LOCATION 's3://raw/tsv/'",
    )
    assert rows(engine, "SELECT * FROM t ORDER BY id") == [("1", "a b"), ("2", None), ("3", "")]


def test_open_csv_serde_reads_quotes(engine: QueryEngine, lake: LakePaths) -> None:
    write(lake.local_path("s3://raw/quoted/q.csv"), '"1","a, b"\n"2","say ""hi"""\n')
    ok(
        engine,
        "CREATE EXTERNAL TABLE q (id int, text string)"
        " ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'"
        " LOCATION 's3://raw/quoted/'",
    )
    assert rows(engine, "SELECT * FROM q ORDER BY id") == [("1", "a, b"), ("2", 'say "hi"')]


def test_json_lines(engine: QueryEngine, lake: LakePaths) -> None:
    write(
        lake.local_path("s3://raw/events/e.json"),
        '{"id": 1, "kind": "click", "tags": ["a"], "extra": true}\n{"id": 2, "kind": "view"}\n',
    )
    ok(
        engine,
        "CREATE EXTERNAL TABLE events (id int, kind string, tags array<string>)"
        " ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://raw/events/'",
    )
    assert rows(engine, "SELECT id, kind, tags FROM events ORDER BY id") == [
        ("1", "click", "[a]"),
        ("2", "view", None),
    ]
    assert rows(engine, "SELECT cardinality(tags) FROM events WHERE id = 1") == [("1",)]


def test_partitions_by_ddl_at_any_location(engine: QueryEngine, lake: LakePaths) -> None:
    copy_to("SELECT 1 AS v", lake.local_path("s3://data/elsewhere/x.parquet"))
    copy_to("SELECT 2 AS v", lake.local_path("s3://data/t/region=eu/day=2/y.parquet"))
    copy_to("SELECT 3 AS v", lake.local_path("s3://data/t/region=us/day=3/z.parquet"))
    ok(
        engine,
        "CREATE EXTERNAL TABLE t (v int) PARTITIONED BY (region string, day int)"
        " STORED AS PARQUET LOCATION 's3://data/t/'",
    )
    ok(
        engine,
        "ALTER TABLE t ADD PARTITION (region = 'asia', day = 1)"
        " LOCATION 's3://data/elsewhere/' PARTITION (day = 2, region = 'eu')",
    )
    assert rows(engine, "SELECT region, day, v FROM t ORDER BY v") == [
        ("asia", "1", "1"),
        ("eu", "2", "2"),  # us is on disk, not registered: not read
    ]
    assert rows(engine, "SELECT v FROM t WHERE region = 'eu' AND day = 2") == [("2",)]
    exists = failed(engine, "ALTER TABLE t ADD PARTITION (region = 'eu', day = 2)")
    assert (
        exists.state_change_reason == "ALREADY_EXISTS: Partition already exists: t:region=eu/day=2"
    )
    ok(engine, "ALTER TABLE t ADD IF NOT EXISTS PARTITION (region = 'eu', day = 2)")
    spec = failed(engine, "ALTER TABLE t ADD PARTITION (region = 'eu')")
    assert spec.state_change_reason.startswith("INVALID_PARTITION_SPEC")
    ok(engine, "MSCK REPAIR TABLE t")
    assert rows(engine, "SELECT count(*) FROM t") == [("3",)]
    ok(engine, "ALTER TABLE t DROP PARTITION (region = 'asia', day = 1)")
    assert rows(engine, "SELECT sum(v) FROM t") == [("5",)]
    missing = failed(engine, "ALTER TABLE t DROP PARTITION (region = 'asia', day = 1)")
    assert missing.state_change_reason.startswith("PARTITION_NOT_FOUND")
    ok(engine, "ALTER TABLE t DROP IF EXISTS PARTITION (region = 'asia', day = 1)")


def test_columns_missing_from_older_files_are_null(engine: QueryEngine, lake: LakePaths) -> None:
    copy_to("SELECT 1 AS id", lake.local_path("s3://data/evolving/old.parquet"))
    copy_to("SELECT 2 AS id, 'new' AS note", lake.local_path("s3://data/evolving/new.parquet"))
    ok(
        engine,
        "CREATE EXTERNAL TABLE evolving (id int, note string, never double)"
        " STORED AS PARQUET LOCATION 's3://data/evolving/'",
    )
    assert rows(engine, "SELECT id, note, never FROM evolving ORDER BY id") == [
        ("1", None, None),
        ("2", "new", None),
    ]


def test_catalog_statements(engine: QueryEngine, lake: LakePaths) -> None:
    ok(engine, "CREATE DATABASE sales COMMENT 'the sales' LOCATION 's3://lake/sales/'")
    assert failed(engine, "CREATE DATABASE sales").state_change_reason == (
        "ALREADY_EXISTS: Database sales already exists"
    )
    ok(engine, "CREATE DATABASE IF NOT EXISTS sales")
    ok(engine, "CREATE DATABASE staging")
    assert rows(engine, "SHOW DATABASES") == [("default",), ("sales",), ("staging",)]
    assert rows(engine, "SHOW SCHEMAS LIKE 's*'") == [("sales",), ("staging",)]
    ddl = (
        "CREATE EXTERNAL TABLE sales.orders (id bigint COMMENT 'the id', amount decimal(10,2))"
        " PARTITIONED BY (day date) STORED AS PARQUET LOCATION 's3://lake/sales/orders/'"
        " TBLPROPERTIES ('owner' = 'data')"
    )
    ok(engine, ddl)
    assert failed(engine, ddl).state_change_reason == (
        "ALREADY_EXISTS: Table sales.orders already exists"
    )
    ok(engine, ddl.replace("TABLE", "TABLE IF NOT EXISTS", 1))
    ok(engine, "CREATE EXTERNAL TABLE sales.items (id int) LOCATION 's3://lake/items/'")
    assert rows(engine, "SHOW TABLES IN sales") == [("items",), ("orders",)]
    assert rows(engine, "SHOW TABLES IN sales 'ord*|x'") == [("orders",)]
    assert rows(engine, "SHOW COLUMNS IN sales.orders") == [("id",), ("amount",), ("day",)]
    assert rows(engine, "DESCRIBE sales.orders") == [
        ("id", "bigint", "the id"),
        ("amount", "decimal(10,2)", ""),
        ("day", "date", ""),
        ("", None, None),
        ("# Partition Information", None, None),
        ("# col_name", "data_type", "comment"),
        ("", None, None),
        ("day", "date", ""),
    ]
    assert ("owner", "data") in rows(engine, "SHOW TBLPROPERTIES sales.orders")
    create = "\n".join(r[0] or "" for r in rows(engine, "SHOW CREATE TABLE sales.orders"))
    assert "CREATE EXTERNAL TABLE `sales`.`orders`(" in create
    assert "LOCATION\n  's3://lake/sales/orders/'" in create

    assert failed(engine, "DROP DATABASE sales").state_change_reason.startswith(
        "INVALID_OPERATION: Database sales is not empty"
    )
    copy_to("SELECT 1 AS id", lake.local_path("s3://lake/items/f.parquet"))
    ok(engine, "DROP TABLE sales.items")
    assert lake.local_path("s3://lake/items/f.parquet").exists()  # external: files stay
    assert failed(engine, "DROP TABLE sales.items").state_change_reason == (
        "TABLE_NOT_FOUND: Table sales.items does not exist"
    )
    ok(engine, "DROP TABLE IF EXISTS sales.items")
    ok(engine, "DROP DATABASE sales CASCADE")
    assert rows(engine, "SHOW DATABASES") == [("default",), ("staging",)]
    assert failed(engine, "SHOW TABLES IN sales").state_change_reason == (
        "SCHEMA_NOT_FOUND: Database sales does not exist"
    )


def test_unsupported_formats_fail_clearly(engine: QueryEngine) -> None:
    orc = failed(engine, "CREATE EXTERNAL TABLE o (a int) STORED AS ORC LOCATION 's3://lake/o/'")
    assert orc.state_change_reason.startswith("NOT_SUPPORTED: STORED AS ORC")
    bad = failed(engine, "CREATE EXTERNAL TABLE b (a int) LOCATION 's3://X/'")
    assert bad.state_change_reason.startswith("INVALID_LOCATION")
