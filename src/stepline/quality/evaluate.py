"""DQDL rules and SQL checks evaluated on DuckDB: each gives PASS, FAIL or ERROR, the metric
it measured and a message.

The dataset is a relation on a DuckDB connection (``"primary"``, see stepline.quality.target);
reference datasets of ReferentialIntegrity are relations named by their alias. Column names
come from the rules and are always quoted; ``where`` conditions, CustomSql and SQL checks are
the user's own SQL (DuckDB's dialect), run as written except that a bare ``primary`` names the
dataset (# AWS: "The primary alias stands in for the name of the data set", CustomSql).

Ratio metrics (Completeness, Uniqueness, ReferentialIntegrity, the share of rows passing a
row-level rule) are undefined on no rows: such a rule FAILs with "the dataset has no rows".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeAlias

import duckdb

from stepline.athena.tokens import SqlSyntaxError, tokenize
from stepline.athena.types import quote_identifier
from stepline.quality.checks import Check
from stepline.quality.dqdl import ROW_LEVEL, Composite, Node, Rule
from stepline.quality.predicates import holds, predicate_sql

Status: TypeAlias = Literal["PASS", "FAIL", "ERROR"]
PRIMARY = '"primary"'


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str  # the rule's text (DQDL) or the check's name
    status: Status
    actual: float | None = None  # the metric measured
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status,
            "actual": self.actual,
            "message": self.message,
        }


@dataclass(frozen=True)
class Dataset:
    """Where rules run: a DuckDB connection holding the dataset as ``relation``."""

    cursor: Any
    now: datetime  # for DataFreshness and now()
    relation: str = PRIMARY
    references: Mapping[str, str] | None = None  # alias -> relation (ReferentialIntegrity)


class _Fail(Exception):
    """A rule that cannot be measured (no rows, no values): FAIL with this message."""


def with_primary(sql: str) -> str:
    """``sql`` with each bare word ``primary`` quoted (DuckDB reserves the word)."""
    try:
        tokens = tokenize(sql)
    except SqlSyntaxError:
        return sql  # DuckDB will say what is wrong
    out, last = [], 0
    for token in tokens:
        if token.kind == "word" and token.value == "PRIMARY":
            out += [sql[last : token.start], PRIMARY]
            last = token.end
    return "".join(out) + sql[last:]


def _one(data: Dataset, sql: str) -> tuple[Any, ...]:
    row = data.cursor.execute(sql).fetchone()
    return tuple(row) if row is not None else ()


def _source(data: Dataset, rule: Rule) -> str:
    if rule.where is None:
        return data.relation
    return f"(SELECT * FROM {data.relation} WHERE {with_primary(rule.where)})"


def _ratio(part: int, whole: int) -> float:
    if not whole:
        raise _Fail("the dataset has no rows")
    return part / whole


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _columns(data: Dataset) -> list[str]:
    data.cursor.execute(f"SELECT * FROM {data.relation} LIMIT 0")
    return [d[0] for d in data.cursor.description]


# ---- one metric per rule type --------------------------------------------------------------
def _row_count(data: Dataset, rule: Rule) -> float:
    return float(_one(data, f"SELECT count(*) FROM {_source(data, rule)}")[0])


def _column_count(data: Dataset, rule: Rule) -> float:
    return float(len(_columns(data)))


def _column_exists(data: Dataset, rule: Rule) -> float:
    names = {name.lower() for name in _columns(data)}
    return 1.0 if rule.args[0].lower() in names else 0.0


def _completeness(data: Dataset, rule: Rule) -> float:
    col = quote_identifier(rule.args[0])
    total, filled = _one(data, f"SELECT count(*), count({col}) FROM {_source(data, rule)}")
    return _ratio(filled, total)


def _uniqueness(data: Dataset, rule: Rule) -> float:
    # Deequ's Uniqueness: values occurring exactly once / all rows (NULLs count as rows).
    col, source = quote_identifier(rule.args[0]), _source(data, rule)
    total, once = _one(
        data,
        f"SELECT (SELECT count(*) FROM {source}), (SELECT count(*) FROM (SELECT {col} "
        f"FROM {source} WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) = 1))",
    )
    return _ratio(once, total)


def _primary_key(data: Dataset, rule: Rule) -> float:
    cols = ", ".join(quote_identifier(a) for a in rule.args)
    filled = " AND ".join(f"{quote_identifier(a)} IS NOT NULL" for a in rule.args)
    source = _source(data, rule)
    total, once = _one(
        data,
        f"SELECT (SELECT count(*) FROM {source}), (SELECT count(*) FROM (SELECT {cols} "
        f"FROM {source} WHERE {filled} GROUP BY {cols} HAVING count(*) = 1))",
    )
    return _ratio(once, total)


def _aggregate(function: str) -> Callable[[Dataset, Rule], float]:
    def measure(data: Dataset, rule: Rule) -> float:
        col = quote_identifier(rule.args[0])
        close = "))" if function.endswith("DISTINCT") else ")"
        sql = f"SELECT {function}({col}{close} FROM {_source(data, rule)}"
        (value,) = _one(data, sql)
        number = _number(value)
        if number is None:
            raise _Fail(f"column {rule.args[0]!r} has no values")
        return number

    return measure


def _custom_sql(data: Dataset, rule: Rule) -> float:
    rows = data.cursor.execute(with_primary(rule.args[0])).fetchmany(2)
    if len(rows) != 1 or len(rows[0]) != 1 or _number(rows[0][0]) is None:
        raise ValueError("CustomSql's statement must return a single numeric value")
    return float(_number(rows[0][0]) or 0.0)


def _referential_integrity(data: Dataset, rule: Rule) -> float:
    alias, dot, spec = rule.args[1].partition(".")
    theirs = [c.strip() for c in spec.strip().removeprefix("{").removesuffix("}").split(",")]
    ours = [c.strip() for c in rule.args[0].split(",")]
    if not dot or not alias or len(theirs) != len(ours) or not all(theirs + ours):
        raise ValueError(
            'ReferentialIntegrity takes "col1,col2" "alias.{ref1,ref2}" '
            "(as many columns on both sides)"
        )
    reference = (data.references or {}).get(alias)
    if reference is None:
        raise ValueError(f"no reference dataset named {alias!r} (give it in 'references')")
    match = " AND ".join(
        f"r.{quote_identifier(t)} = p.{quote_identifier(o)}"
        for t, o in zip(theirs, ours, strict=True)
    )
    total, found = _one(
        data,
        f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {reference} r "
        f"WHERE {match})) FROM {_source(data, rule)} p",
    )
    return _ratio(found, total)


_METRICS: dict[str, Callable[[Dataset, Rule], float]] = {
    "RowCount": _row_count,
    "ColumnCount": _column_count,
    "ColumnExists": _column_exists,
    "IsComplete": _completeness,
    "Completeness": _completeness,
    "IsUnique": _uniqueness,
    "Uniqueness": _uniqueness,
    "IsPrimaryKey": _primary_key,
    "DistinctValuesCount": _aggregate("count(DISTINCT"),  # count(DISTINCT(col))
    "Mean": _aggregate("avg"),
    "Sum": _aggregate("sum"),
    "StandardDeviation": _aggregate("stddev_pop"),  # Deequ: the population's
    "CustomSql": _custom_sql,
    "ReferentialIntegrity": _referential_integrity,
}
_MUST_BE_ONE = frozenset({"IsComplete", "IsUnique", "IsPrimaryKey", "ColumnExists"})


def _row_level(data: Dataset, rule: Rule) -> RuleResult:
    col = quote_identifier(rule.args[0])
    assert rule.expression is not None
    if rule.type == "ColumnLength":
        value, typed, durations = f"length(coalesce(CAST({col} AS VARCHAR), ''))", False, False
    elif rule.type == "DataFreshness":
        now = data.now.replace(tzinfo=None).isoformat(sep=" ")
        value = f"(epoch(TIMESTAMP '{now}') - epoch(CAST({col} AS TIMESTAMP)))"
        typed, durations = False, True
    else:
        value, typed, durations = col, True, False
    condition = predicate_sql(rule.expression, value, data.now, typed=typed, durations=durations)
    total, passed = _one(
        data,
        f"SELECT count(*), count(*) FILTER (WHERE coalesce({condition}, false)) "
        f"FROM {_source(data, rule)}",
    )
    share = _ratio(passed, total)
    ok = holds(rule.threshold, share) if rule.threshold is not None else passed == total
    # AWS: the failure reason of row-level rules reads "80.00 % of rows passed the threshold"
    message = "" if ok else f"{share * 100:.2f} % of rows passed the threshold"
    return RuleResult(rule.text, "PASS" if ok else "FAIL", share, message)


def _rule(data: Dataset, rule: Rule) -> RuleResult:
    if rule.type in ROW_LEVEL:
        return _row_level(data, rule)
    metric = _METRICS[rule.type](data, rule)
    if rule.type == "ColumnExists" and metric != 1.0:
        return RuleResult(rule.text, "FAIL", metric, f"column {rule.args[0]!r} does not exist")
    ok = metric == 1.0 if rule.type in _MUST_BE_ONE else holds(rule.expression, metric)  # type: ignore[arg-type]
    message = "" if ok else f"Value: {_shown(metric)} does not meet the constraint requirement"
    return RuleResult(rule.text, "PASS" if ok else "FAIL", metric, message)


def _shown(metric: float) -> str:
    return str(int(metric)) if metric.is_integer() else f"{metric:.6g}"


def evaluate_rule(data: Dataset, node: Node) -> RuleResult:
    """One rule (or composite); never raises for what the data or the SQL does."""
    if isinstance(node, Composite):
        return _composite(data, node)
    try:
        return _rule(data, node)
    except _Fail as fail:
        return RuleResult(node.text, "FAIL", None, str(fail))
    except (duckdb.Error, ValueError) as error:
        return RuleResult(node.text, "ERROR", None, _error_text(error))


def _composite(data: Dataset, node: Composite) -> RuleResult:
    parts = [evaluate_rule(data, part) for part in node.parts]
    statuses = {p.status for p in parts}
    if node.op == "and":
        status: Status = "PASS" if statuses == {"PASS"} else "FAIL"
    else:
        status = "PASS" if "PASS" in statuses else "FAIL"
    if status == "FAIL" and "ERROR" in statuses:
        status = "ERROR"
    message = "; ".join(f"{p.rule}: {p.message}" for p in parts if p.status != "PASS")
    return RuleResult(node.text, status, None, "" if status == "PASS" else message)


def evaluate_rules(data: Dataset, rules: Sequence[Node]) -> list[RuleResult]:
    return [evaluate_rule(data, rule) for rule in rules]


def evaluate_check(data: Dataset, check: Check) -> RuleResult:
    """A SQL check FAILs when it returns rows, or a single false value; ERROR when it fails
    to run. Its metric: the rows returned."""
    try:
        relation = data.cursor.execute(with_primary(check.sql))
        rows = relation.fetchmany(1001) if relation.description else []
    except duckdb.Error as error:
        return RuleResult(check.name, "ERROR", None, _error_text(error))
    if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], bool):
        ok = rows[0][0]
        return RuleResult(check.name, "PASS" if ok else "FAIL", 1.0 if ok else 0.0,
                          "" if ok else "the check returned false")  # fmt: skip
    if not rows:
        return RuleResult(check.name, "PASS", 0.0)
    count = f"{len(rows)} row(s)" if len(rows) <= 1000 else "more than 1000 rows"
    return RuleResult(check.name, "FAIL", float(len(rows)), f"the check returned {count}")


def _error_text(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
