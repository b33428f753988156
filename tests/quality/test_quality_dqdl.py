"""The DQDL parser and the SQL-check splitter: pure, text in, records or located errors out."""

from __future__ import annotations

import pytest

from stepline.quality.checks import ChecksError, parse_checks
from stepline.quality.dqdl import Composite, DqdlError, Expression, Rule, Value, parse_ruleset


def test_a_ruleset_parses_to_rule_records() -> None:
    text = """# orders
Rules = [
    RowCount > 0,
    ColumnValues "status" in ["new", "paid", NULL] where "amount > 0",
    DataFreshness "order_ts" <= 24 hours,
    ColumnValues "amount" between 0 and 10000 with threshold > 0.9,
    (IsComplete "id") and (IsUnique "id"),
]"""
    rules = parse_ruleset(text).rules
    assert rules[0] == Rule(
        "RowCount", (), Expression(">", (Value("number", 0.0),)), "RowCount > 0", 3, 5
    )
    second = rules[1]
    assert isinstance(second, Rule) and second.where == "amount > 0"
    assert second.expression == Expression(
        "in", (Value("string", text="new"), Value("string", text="paid"), Value("null"))
    )
    fresh = rules[2]
    assert isinstance(fresh, Rule) and fresh.expression is not None
    assert fresh.expression.values[0].seconds == 86400
    ranged = rules[3]
    assert isinstance(ranged, Rule) and ranged.threshold == Expression(">", (Value("number", 0.9),))
    both = rules[4]
    assert isinstance(both, Composite) and both.op == "and" and len(both.parts) == 2
    assert both.text == '(IsComplete "id") and (IsUnique "id")'


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        ("RowCount > 0", 1, 1, "a ruleset starts with 'Rules = ['"),
        ("Rules = [ RowCount > 0 ", 1, 24, "expected ',' or ']'"),
        ('Rules = [\n  RowCount > 0,\n  Entropy "a" > 1 ]', 3, 3, "not supported by stepline"),
        ("Rules = [ rowcount > 0 ]", 1, 11, "unknown rule type 'rowcount'"),
        ("Rules = [ IsComplete ]", 1, 22, "IsComplete needs a quoted column name"),
        ("Rules = [ RowCount ]", 1, 20, "RowCount needs an expression"),
        ('Rules = [ CustomSql "select 1" ]', 1, 32, "row-level CustomSql is not supported"),
        ('Rules = [ DataFreshness "t" <= 24 ]', 1, 32, "needs a time unit"),
        ("Rules = [ RowCount between 1 10 ]", 1, 30, "expected 'and'"),
        ('Rules = [ ColumnValues "a" matches "[" ]', 1, 36, "invalid regular expression"),
        ("Rules = [ (RowCount > 0) and RowCount > 1 ]", 1, 30, "must be in parentheses"),
        (
            "Rules = [ (RowCount > 0) and (RowCount > 1) or (RowCount > 2) ]",
            1,
            45,
            "mixing 'and' and 'or'",
        ),
        ("Rules = [ RowCount > 0 with threshold > 0.5 ]", 1, 24, "'with threshold' applies"),
        ("Rules = [ ]", 1, 1, "the ruleset has no rules"),
        ("Rules = [ RowCount > 0 ] extra", 1, 26, "after the rules' closing ']'"),
        ("Rules = [ RowCount > 0 ; ]", 1, 24, "unexpected character ';'"),
    ],
)
def test_bad_rulesets_name_line_and_column(text: str, line: int, column: int, says: str) -> None:
    with pytest.raises(DqdlError) as caught:
        parse_ruleset(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert says in str(caught.value)
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


def test_sql_checks_are_named_by_comment_or_by_file_and_position() -> None:
    text = """-- check: no_negative_amounts
SELECT * FROM primary WHERE amount < 0;
SELECT count(*) = 4 FROM primary;
-- a comment that names nothing
-- check: status known
SELECT * FROM primary WHERE status NOT IN ('new', 'paid'); -- trailing
"""
    checks = parse_checks(text, "orders")
    assert [c.name for c in checks] == ["no_negative_amounts", "orders_2", "status known"]
    assert checks[1].sql == "SELECT count(*) = 4 FROM primary"
    assert "amount < 0" in checks[0].sql


def test_bad_checks_files() -> None:
    with pytest.raises(ChecksError, match="no SQL statement"):
        parse_checks("-- nothing\n", "x")
    with pytest.raises(ChecksError, match="line 2, column 8: unterminated"):
        parse_checks("select 1;\nselect 'oops", "x")
    with pytest.raises(ChecksError, match="two checks are named 'a'"):
        parse_checks("-- check: a\nselect 1;\n-- check: a\nselect 2", "x")
