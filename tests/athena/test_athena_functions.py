"""Trino functions as Athena users write them, run on DuckDB: each translated function gives
Athena's value (as GetQueryResults shows it)."""

from __future__ import annotations

import pytest
from athena_support import rows

from stepline.athena import QueryEngine
from stepline.athena.translate import TranslationError, joda_to_strftime, prepare

# (expression, its value as Athena shows it)
CASES = [
    ("date_add('day', 1, DATE '2025-01-31')", "2025-02-01"),
    ("date_add('month', 1, DATE '2025-01-31')", "2025-02-28"),
    ("date_add('hour', 2, TIMESTAMP '2025-01-31 23:00:00')", "2025-02-01 01:00:00.000"),
    ("date_add('day', -1, DATE '2025-03-01')", "2025-02-28"),
    ("date_diff('day', DATE '2025-01-01', DATE '2025-03-01')", "59"),
    # Trino counts whole units elapsed (DuckDB's date_diff counts boundaries: 1)
    ("date_diff('hour', TIMESTAMP '2025-01-01 10:59:00', TIMESTAMP '2025-01-01 11:01:00')", "0"),
    ("date_diff('second', TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 00:01:30')", "90"),
    ("from_iso8601_timestamp('2025-01-02T03:04:05.123Z')", "2025-01-02 03:04:05.123 UTC"),
    ("from_iso8601_timestamp('2025-01-02T05:04:05+02:00')", "2025-01-02 03:04:05.000 UTC"),
    ("from_iso8601_date('2025-01-02')", "2025-01-02"),
    ("date_format(TIMESTAMP '2025-01-26 13:04:05', '%Y-%m-%d %H:%i:%s')", "2025-01-26 13:04:05"),
    ("date_format(TIMESTAMP '2025-01-26 13:04:05', '%W %b %e %h %p')", "Sunday Jan 26 01 PM"),
    ("date_format(DATE '2025-01-26', '%Y%m%d')", "20250126"),
    ("date_parse('26/01/2025 13:04', '%d/%m/%Y %H:%i')", "2025-01-26 13:04:00.000"),
    ("to_unixtime(TIMESTAMP '2025-01-01 00:00:00')", "1735689600.0"),
    ("from_unixtime(1700000000)", "2023-11-14 22:13:20.000 UTC"),
    ("cardinality(ARRAY[1, 2, 3])", "3"),
    ("cardinality(MAP(ARRAY['a', 'b'], ARRAY[1, 2]))", "2"),
    ("element_at(ARRAY[10, 20, 30], 2)", "20"),
    ("element_at(ARRAY[10, 20, 30], -1)", "30"),
    ("element_at(MAP(ARRAY['k'], ARRAY[7]), 'k')", "7"),
    ("regexp_like('order-123', '\\d+')", "true"),
    ("regexp_like('order', '^x')", "false"),
    ("try_cast('12' AS integer)", "12"),
    ('json_extract_scalar(\'{"a": {"b": "x"}}\', \'$.a.b\')', "x"),
    ("json_extract_scalar('{\"a\": [1, 2]}', '$.a[1]')", "2"),
    ("split_part('a,b,c', ',', 2)", "b"),
    ("array_join(ARRAY['a', 'b', 'c'], '-')", "a-b-c"),
    ("DATE '2025-01-26'", "2025-01-26"),
    ("DATE '2025-01-26' + INTERVAL '1' DAY", "2025-01-27 00:00:00.000"),
    ("5 / 2", "2"),  # Trino: integer division
    ("5.0 / 2", "2.5"),
    (
        "format_datetime(TIMESTAMP '2025-01-26 13:04:05', 'yyyy-MM-dd''T''HH:mm')",
        "2025-01-26T13:04",
    ),
    ("parse_datetime('2025-01-26 13:04', 'yyyy-MM-dd HH:mm')", "2025-01-26 13:04:00.000"),
    ("date_trunc('month', DATE '2025-01-26')", "2025-01-01"),
    ("date_trunc('hour', TIMESTAMP '2025-01-26 13:04:05')", "2025-01-26 13:00:00.000"),
    ("approx_percentile(x, 0.5)", None),  # aggregate: checked below
    ("if(1 > 0, 'yes', 'no')", "yes"),
    ("substr('hello', 2, 3)", "ell"),
    ("ARRAY[1, 2]", "[1, 2]"),
    ("MAP(ARRAY['k'], ARRAY[1])", "{k=1}"),
    ("CAST(1.5 AS decimal(10, 2))", "1.50"),
    ("true AND false", "false"),
]


@pytest.mark.parametrize(("expression", "value"), [c for c in CASES if c[1] is not None])
def test_translated_function(engine: QueryEngine, expression: str, value: str) -> None:
    assert rows(engine, f"SELECT {expression}") == [(value,)]


@pytest.mark.parametrize(
    "path",
    ["$.a", "$.l", "$.n", "$.missing"],  # object, array, JSON null, no such key
)
def test_json_extract_scalar_is_null_for_non_scalars(engine: QueryEngine, path: str) -> None:
    document = '{"a": {"b": 1}, "l": [1], "n": null}'
    assert rows(engine, f"SELECT json_extract_scalar('{document}', '{path}')") == [(None,)]


def test_try_cast_of_bad_text_is_null(engine: QueryEngine) -> None:
    assert rows(engine, "SELECT try_cast('x' AS integer)") == [(None,)]


def test_aggregates(engine: QueryEngine) -> None:
    sql = (
        "SELECT approx_distinct(x), count(DISTINCT x), approx_percentile(x, 0.5), arbitrary(x)"
        " FROM (VALUES 1, 2, 2, 3) AS t(x)"
    )
    [(distinct, exact, median, anything)] = rows(engine, sql)
    assert (distinct, exact, median) == ("3", "3", "2")
    assert anything in {"1", "2", "3"}


def test_result_column_names_are_athenas(engine: QueryEngine) -> None:
    record = engine.run("SELECT 1, 'a' AS Name, x FROM (VALUES 1) AS t(x)", timeout=30)
    page = engine.get_query_results(record.id)
    assert [c.name for c in page.columns] == ["_col0", "name", "x"]
    assert page.rows[0] == ("_col0", "name", "x")
    values = engine.get_query_results(engine.run("VALUES (1, 'a')", timeout=30).id)
    assert [c.name for c in values.columns] == ["_col0", "_col1"]


def test_joda_patterns() -> None:
    assert joda_to_strftime("yyyy-MM-dd HH:mm:ss.SSS") == "%Y-%m-%d %H:%M:%S.%g"
    assert joda_to_strftime("EEE, d MMM yy 'at' h a") == "%a, %-d %b %y at %-I %p"
    assert joda_to_strftime("''") == "'"


def test_translation_is_pure_text() -> None:
    query = prepare("WITH x AS (SELECT * FROM t) SELECT count(*) FROM x JOIN sales.o ON true")
    refs = query.tables("default")
    assert [(r.database, r.name) for r in refs] == [("default", "t"), ("sales", "o")]
    sql = query.duckdb_sql("default", {("default", "t"): "v1", ("sales", "o"): "v2"})
    assert '"v1" AS t' in sql and '"v2" AS o' in sql and "AS _col0" in sql
    with pytest.raises(TranslationError) as error:
        prepare("SELECT (1")
    assert error.value.code == "SYNTAX_ERROR"
    with pytest.raises(TranslationError) as other:
        prepare("SELECT * FROM hive.db.t").tables("default")
    assert other.value.code == "CATALOG_NOT_FOUND" and other.value.offset == 14
