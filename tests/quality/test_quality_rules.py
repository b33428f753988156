"""Every DQDL rule type on real Parquet (and CSV) files with DuckDB, against hand-computed
metrics of quality_support.ORDERS (4 rows: order_id 1, 2, 3, 3; status new, paid, NULL, void;
amount 10, 20, 30, NULL; ts 1 h, 30 h, NULL, 3 h before NOW; code AB12, CD, NULL, EF34)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from quality_support import ORDERS, run, runner, write

from stepline.quality.run import QualityRunner
from stepline.store.memory import MemoryStore

CASES = [
    # (rule, status, actual)
    ("RowCount = 4", "PASS", 4),
    ("RowCount > 4", "FAIL", 4),
    ("RowCount between 3 and 5", "PASS", 4),
    ("RowCount between 4 and 5", "FAIL", 4),  # AWS: between is exclusive
    ("RowCount in [1, 4]", "PASS", 4),
    ("ColumnCount = 5", "PASS", 5),
    ('ColumnExists "code"', "PASS", 1),
    ('ColumnExists "nope"', "FAIL", 0),
    ('IsComplete "order_id"', "PASS", 1),
    ('IsComplete "status"', "FAIL", 0.75),
    ('Completeness "status" >= 0.75', "PASS", 0.75),
    ('Completeness "status" > 0.75', "FAIL", 0.75),
    ('IsUnique "code"', "FAIL", 0.75),  # the NULL row counts
    ('IsUnique "order_id"', "FAIL", 0.5),
    ('Uniqueness "order_id" = 0.5', "PASS", 0.5),
    ('Uniqueness "order_id" > 0.5', "FAIL", 0.5),
    ('IsPrimaryKey "order_id"', "FAIL", 0.5),
    ('IsPrimaryKey "order_id" "status"', "FAIL", 0.75),  # unique pairs, one NULL status
    ('IsPrimaryKey "order_id" "status" where "status IS NOT NULL"', "PASS", 1),
    ('DistinctValuesCount "order_id" = 3', "PASS", 3),
    ('DistinctValuesCount "status" > 3', "FAIL", 3),
    ('Mean "amount" = 20', "PASS", 20),
    ('Sum "amount" between 59 and 61', "PASS", 60),
    ('Sum "amount" < 60', "FAIL", 60),
    ('StandardDeviation "amount" < 8.2', "PASS", math.sqrt(200 / 3)),  # population
    ('ColumnValues "status" in ["new", "paid", "void"]', "FAIL", 0.75),  # NULL fails
    ('ColumnValues "status" in ["new", "paid", "void", NULL]', "PASS", 1),
    ('ColumnValues "status" not in ["void"]', "FAIL", 0.75),  # NULL passes "not in"
    ('ColumnValues "status" != "void"', "FAIL", 0.75),
    ('ColumnValues "status" != NULL', "FAIL", 0.75),
    ('ColumnValues "status" = "new"', "FAIL", 0.25),
    ('ColumnValues "amount" between 10 and 30', "FAIL", 0.25),  # exclusive: only 20
    ('ColumnValues "amount" > 5', "FAIL", 0.75),
    ('ColumnValues "amount" > 5 with threshold >= 0.75', "PASS", 0.75),
    ('ColumnValues "amount" <= 30 where "amount IS NOT NULL"', "PASS", 1),
    ('ColumnValues "code" matches "[A-Z]{2}[0-9]{2}"', "FAIL", 0.5),
    ('ColumnValues "code" matches "[A-Z]{2}[0-9]*" with threshold > 0.7', "PASS", 0.75),
    ('ColumnValues "ts" > (now() - 1 days)', "FAIL", 0.5),
    ('ColumnValues "ts" > (now() - 2 days) with threshold = 0.75', "PASS", 0.75),
    ('ColumnLength "code" = 4', "FAIL", 0.5),
    ('ColumnLength "code" < 5', "PASS", 1),  # AWS: NULL is a 0-length string
    ('ColumnLength "code" > 1', "FAIL", 0.75),
    ('DataFreshness "ts" <= 24 hours', "FAIL", 0.5),
    ('DataFreshness "ts" <= 2 days', "FAIL", 0.75),  # NULL fails
    ('DataFreshness "ts" between 30 minutes and 4 hours', "FAIL", 0.5),
    ('DataFreshness "ts" <= 2 days with threshold > 0.7', "PASS", 0.75),
    ('CustomSql "select max(amount) from primary" = 30', "PASS", 30),
    ('CustomSql "SELECT count(*) FROM primary WHERE status IS NULL" > 0', "PASS", 1),
    ('CustomSql "select count(*) from primary" < 4', "FAIL", 4),
    ('RowCount = 2 where "amount > 15"', "PASS", 2),
    ('(RowCount = 4) and (IsComplete "order_id")', "PASS", None),
    ('(RowCount = 4) and (IsComplete "status")', "FAIL", None),
    ('(RowCount = 5) or (IsComplete "order_id")', "PASS", None),
    ('(RowCount = 5) or ((IsComplete "status") and (RowCount > 0))', "FAIL", None),
]


@pytest.fixture(scope="module")
def quality(tmp_path_factory: pytest.TempPathFactory) -> QualityRunner:
    root = tmp_path_factory.mktemp("lake")
    write(ORDERS, root / "data-bucket" / "orders" / "orders.parquet")
    write(ORDERS, root / "data-bucket" / "orders-csv" / "orders.csv", "FORMAT CSV, HEADER")
    write("SELECT * FROM (VALUES (1), (2)) t(id)", root / "data-bucket" / "customers" / "c.parquet")
    return runner(MemoryStore(), root)


@pytest.mark.parametrize(("rule", "status", "actual"), CASES)
def test_rule_against_hand_computed_result(
    quality: QualityRunner, rule: str, status: str, actual: float | None
) -> None:
    (result,) = run(quality, rule, path="s3://data-bucket/orders/")["results"]
    assert (result["rule"], result["status"]) == (rule, status), result["message"]
    if actual is None:
        assert result["actual"] is None
    else:
        assert result["actual"] == pytest.approx(actual)
    assert bool(result["message"]) == (status != "PASS")


def test_row_level_failures_say_what_share_passed(quality: QualityRunner) -> None:
    (result,) = run(quality, 'ColumnValues "status" in ["new"]', path="s3://data-bucket/orders")[
        "results"
    ]
    assert result["message"] == "25.00 % of rows passed the threshold"  # AWS's wording


def test_referential_integrity_against_a_reference_dataset(quality: QualityRunner) -> None:
    refs = {"customers": "s3://data-bucket/customers/"}
    rules = 'ReferentialIntegrity "order_id" "customers.id" = 0.5, '
    rules += 'ReferentialIntegrity "order_id" "customers.{id}" >= 0.9, '
    rules += 'ReferentialIntegrity "order_id" "nowhere.id" > 0'
    got = run(quality, rules, path="s3://data-bucket/orders", references=refs)["results"]
    assert [(r["status"], r["actual"]) for r in got] == [
        ("PASS", 0.5),
        ("FAIL", 0.5),
        ("ERROR", None),
    ]
    assert "no reference dataset named 'nowhere'" in got[2]["message"]


def test_csv_files_nulls_are_empty_fields(quality: QualityRunner) -> None:
    rules = 'RowCount = 4, Completeness "status" = 0.75, Mean "amount" = 20, IsUnique "code"'
    got = run(quality, rules, path="s3://data-bucket/orders-csv")["results"]
    assert [(r["status"], r["actual"]) for r in got] == [
        ("PASS", 4),
        ("PASS", 0.75),
        ("PASS", 20),
        ("FAIL", 0.75),
    ]


def test_errors_are_results_not_exceptions(quality: QualityRunner) -> None:
    rules = 'IsComplete "missing", CustomSql "select * from primary" > 0, RowCount > 0'
    answer = run(quality, rules, path="s3://data-bucket/orders")
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["ERROR", "ERROR", "PASS"]
    assert "missing" in answer["results"][0]["message"]
    assert "single numeric value" in answer["results"][1]["message"]
    assert answer["status"] == "FAIL" and answer["quality_score"] == pytest.approx(1 / 3)
    assert answer["failed_checks"] == [
        'IsComplete "missing"',
        'CustomSql "select * from primary" > 0',
    ]


def test_ratios_on_no_rows_fail(quality: QualityRunner) -> None:
    rules = 'RowCount = 0 where "false", Completeness "status" > 0 where "false", '
    rules += 'ColumnValues "status" = "new" where "false", Mean "amount" > 0 where "false"'
    got = run(quality, rules, path="s3://data-bucket/orders")["results"]
    assert [r["status"] for r in got] == ["PASS", "FAIL", "FAIL", "FAIL"]
    assert got[1]["message"] == "the dataset has no rows"
    assert got[3]["message"] == "column 'amount' has no values"


def test_profiles_decide_the_verdict(quality: QualityRunner) -> None:
    rules = 'RowCount = 4, ColumnCount = 5, IsComplete "order_id", IsUnique "order_id"'

    def verdict(profile: Any) -> tuple[str, float]:
        answer = run(quality, rules, path="s3://data-bucket/orders", profile=profile)
        return answer["status"], answer["quality_score"]

    assert verdict(None) == ("FAIL", 0.75)  # default: every rule must pass
    assert verdict({"min_score": 0.75}) == ("PASS", 0.75)
    assert verdict("lenient") == ("FAIL", 0.75)  # min_score 0.8
    assert verdict({"min_score": 0.5, "must_pass": ['IsUnique  "order_id"']}) == ("FAIL", 0.75)
    assert verdict({"min_score": 0.5, "must_pass": ['IsComplete "order_id"']}) == ("PASS", 0.75)
