"""DQDL expressions as SQL (row-level rules) and as Python tests (a rule's metric). Pure.

# AWS: null behaviour of row-level rules ("ColumnValues ... Null behavior"): a NULL row fails
# every expression but ``!=`` and ``not in`` (unless NULL is among the values); ColumnLength
# reads NULL as a 0-length string; DataFreshness fails NULL rows.
"""

from __future__ import annotations

from datetime import datetime

from stepline.athena.types import quote_literal
from stepline.quality.dqdl import Expression, Value

_SPECIAL = ("null", "empty", "whitespaces")


def number_sql(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def literal_sql(value: Value, now: datetime, durations: bool = False) -> str:
    """A value as a SQL literal; ``durations``: a number with a unit is its seconds."""
    if value.kind == "string":
        return quote_literal(value.text)
    if value.kind == "now":
        stamp = quote_literal(now.replace(tzinfo=None).isoformat(sep=" "))
        return f"(TIMESTAMP {stamp} + INTERVAL ({number_sql(value.seconds or 0)}) SECOND)"
    if durations and value.seconds is not None:
        return number_sql(value.seconds)
    return number_sql(value.number)


def _operand(value: Value, column: str, typed: bool) -> str:
    """The left side compared with ``value``: text for strings, a number for numbers."""
    if not typed or value.kind == "now":
        return column
    if value.kind == "string":
        return f"CAST({column} AS VARCHAR)"
    return f"TRY_CAST({column} AS DOUBLE)"


def _special(value: Value, column: str) -> str:
    text = f"CAST({column} AS VARCHAR)"
    if value.kind == "null":
        return f"({column} IS NULL)"
    if value.kind == "empty":
        return f"({text} = '')"
    return f"(length({text}) > 0 AND trim({text}) = '')"


def _equals(value: Value, column: str, now: datetime, typed: bool, durations: bool) -> str:
    if value.kind in _SPECIAL:
        return _special(value, column)
    left = _operand(value, column, typed)
    return f"({left} = {literal_sql(value, now, durations)})"


def predicate_sql(
    expression: Expression,
    column: str,
    now: datetime,
    *,
    typed: bool = True,
    durations: bool = False,
) -> str:
    """The SQL condition a row's ``column`` (an SQL expression) must meet; NULL means fail.

    ``typed``: compare as text with strings and as numbers with numbers (ColumnValues);
    ``durations``: numbers with a unit are seconds (DataFreshness)."""
    op, values = expression.op, expression.values

    def lit(value: Value) -> str:
        if value.kind in _SPECIAL:
            raise ValueError(f"{value.kind.upper()} can only be used with =, != and in [...]")
        return literal_sql(value, now, durations)

    def side(value: Value) -> str:
        return _operand(value, column, typed)

    if op == "=":
        return _equals(values[0], column, now, typed, durations)
    if op == "!=":
        return f"(NOT coalesce({_equals(values[0], column, now, typed, durations)}, false))"
    if op in (">", ">=", "<", "<="):
        return f"({side(values[0])} {op} {lit(values[0])})"
    if op in ("between", "not between"):
        low, high = values
        # AWS: between is exclusive of both ends (awslabs/dqdl NumberBasedCondition)
        inside = f"({side(low)} > {lit(low)} AND {side(high)} < {lit(high)})"
        if op == "between":
            return inside
        return f"({side(low)} <= {lit(low)} OR {side(high)} >= {lit(high)})"
    if op in ("in", "not in"):
        parts = [_equals(v, column, now, typed, durations) for v in values]
        member = "(" + " OR ".join(parts) + ")"
        return member if op == "in" else f"(NOT coalesce({member}, false))"
    pattern = quote_literal(values[0].text)
    match = f"regexp_full_match(CAST({column} AS VARCHAR), {pattern})"
    return match if op == "matches" else f"(NOT {match})"


def holds(expression: Expression, metric: float | None) -> bool:
    """Whether a rule's metric meets ``expression`` (numbers only; None never does)."""
    if metric is None:
        return False
    numbers = [v.number for v in expression.values if v.kind == "number"]
    if len(numbers) != len(expression.values):
        return False
    op = expression.op
    if op == "between":
        return numbers[0] < metric < numbers[1]  # AWS: exclusive
    if op == "not between":
        return not numbers[0] < metric < numbers[1]
    if op == "in":
        return metric in numbers
    if op == "not in":
        return metric not in numbers
    target = numbers[0]
    return {
        ">": metric > target,
        ">=": metric >= target,
        "<": metric < target,
        "<=": metric <= target,
        "=": metric == target,
        "!=": metric != target,
    }.get(op, False)
