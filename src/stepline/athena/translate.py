"""Athena's SQL (Trino) -> DuckDB's. Pure: text and syntax trees, no I/O.

sqlglot's Trino -> DuckDB transpiler does most of the work (``date_add``, ``date_format``
and ``date_parse`` formats, ``from_unixtime``, ``approx_distinct``, ``element_at``,
``regexp_like``, ``array_join``, ``DATE '...'`` literals...). Here, before it generates, the
tree is corrected where DuckDB's meaning differs from Trino's (docs/sql.md lists them):

* ``date_diff(unit, a, b)`` counts whole units elapsed (Trino) -> DuckDB's ``date_sub``
  (its ``date_diff`` counts unit boundaries crossed);
* ``cardinality`` stays ``cardinality`` (maps too; ``array_length`` takes lists only);
* ``json_extract_scalar`` is NULL for objects and arrays -> a macro
  (``stepline.athena.macros``);
* ``date_add``/``date_trunc`` of a DATE give a DATE (DuckDB: a TIMESTAMP);
* ``format_datetime``/``parse_datetime`` take Joda-Time patterns -> strftime formats;
* result columns without a name are ``_col0``, ``_col1``... as Trino names them;
* table references become the names of the views over the tables' files.

Integer division (``5 / 2 = 2``) is a DuckDB setting (``integer_division``) the engine sets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlglot
from sqlglot import exp
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ParseError, TokenError

from stepline.athena.tokens import SqlSyntaxError

DEFAULT_CATALOG: Final = "awsdatacatalog"
_QUERIES: Final = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery, exp.Values)
_ANSI: Final = re.compile(r"\x1b\[[0-9;]*m")
# Joda-Time pattern letters -> strftime (format_datetime, parse_datetime)
_JODA: Final = (
    ("yyyy", "%Y"),
    ("YYYY", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("M", "%-m"),
    ("dd", "%d"),
    ("d", "%-d"),
    ("HH", "%H"),
    ("H", "%-H"),
    ("hh", "%I"),
    ("h", "%-I"),
    ("mm", "%M"),
    ("m", "%-M"),
    ("ss", "%S"),
    ("s", "%-S"),
    ("SSSSSS", "%f"),
    ("SSS", "%g"),
    ("EEEE", "%A"),
    ("EEE", "%a"),
    ("a", "%p"),
    ("DDD", "%j"),
    ("ZZ", "%z"),
    ("Z", "%z"),
    ("z", "%Z"),
)


class Athena(Trino):
    """Trino as Athena writes it: MySQL-style date_format specifiers, %v included."""

    TIME_MAPPING = {**Trino.TIME_MAPPING, "%v": "%V"}  # noqa: RUF012 - sqlglot's own attribute


class TranslationError(SqlSyntaxError):
    """A query that cannot be translated; ``code`` is Athena's error name (SYNTAX_ERROR,
    NOT_SUPPORTED, CATALOG_NOT_FOUND...)."""

    def __init__(self, code: str, message: str, offset: int) -> None:
        super().__init__(message, offset)
        self.code = code


@dataclass(frozen=True, slots=True)
class TableRef:
    """A table a query reads: as written, resolved against the query's database."""

    database: str
    name: str
    offset: int  # where it is written in the statement


@dataclass(frozen=True)
class Prepared:
    """A parsed query. Its tree is never changed: ``duckdb_sql`` works on a copy."""

    tree: exp.Expression
    offset: int

    def tables(self, default_database: str) -> list[TableRef]:
        """The catalog tables it reads, in order of appearance, each once."""
        seen: dict[tuple[str, str], TableRef] = {}
        for node in _table_nodes(self.tree):
            key = _table_key(node, default_database, self.offset)
            if key not in seen:
                seen[key] = TableRef(*key, offset=self.offset + _start(node))
        return sorted(seen.values(), key=lambda ref: ref.offset)

    def duckdb_sql(
        self,
        default_database: str,
        views: Mapping[tuple[str, str], str],
        date_columns: frozenset[str] = frozenset(),
    ) -> str:
        """DuckDB's SQL for the query: tables read through ``views`` (database, table) ->
        view name; ``date_columns``: names of DATE columns of those tables."""
        tree = self.tree.copy()
        for node in _table_nodes(tree):
            view = views[_table_key(node, default_database, self.offset)]
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))
            node.replace(exp.Table(this=exp.to_identifier(view, quoted=True), alias=alias))
        tree = _fix_functions(tree, date_columns)
        tree = _name_columns(tree)
        return str(tree.sql(dialect="duckdb"))


def prepare(sql: str, offset: int = 0) -> Prepared:
    """Parse a query (SELECT, WITH, VALUES) written in Athena's SQL. Raises
    TranslationError with the position of the problem in the statement."""
    try:
        trees = sqlglot.parse(sql, read=Athena)
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        message = _ANSI.sub("", str(first.get("description") or error))
        where = offset + int(first.get("start") or 0)
        raise TranslationError("SYNTAX_ERROR", message, where) from None
    except TokenError as error:
        raise TranslationError("SYNTAX_ERROR", _ANSI.sub("", str(error)), offset) from None
    trees = [tree for tree in trees if tree is not None]
    if len(trees) != 1:
        raise TranslationError("SYNTAX_ERROR", "Only one sql statement is allowed", offset)
    tree = trees[0]
    if not isinstance(tree, _QUERIES):
        raise TranslationError("SYNTAX_ERROR", "expected a query (SELECT, WITH, VALUES)", offset)
    return Prepared(tree, offset)


def _start(node: exp.Expression) -> int:
    """Where a (qualified) table name starts in the query."""
    starts = [
        int(part.meta["start"])
        for part in (node.args.get("catalog"), node.args.get("db"), node.this)
        if isinstance(part, exp.Expression) and "start" in part.meta
    ]
    return min(starts, default=0)


def _cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _table_nodes(tree: exp.Expression) -> list[exp.Table]:
    """The catalog table references: not CTEs, not table functions."""
    ctes = _cte_names(tree)
    found = []
    for node in tree.find_all(exp.Table):
        if not isinstance(node.this, exp.Identifier):
            continue
        if not node.args.get("db") and node.name.lower() in ctes:
            continue
        found.append(node)
    return found


def _table_key(node: exp.Table, default_database: str, offset: int) -> tuple[str, str]:
    catalog = node.catalog.lower()
    if catalog and catalog != DEFAULT_CATALOG:
        # AWS: a catalog Athena does not know.
        raise TranslationError(
            "CATALOG_NOT_FOUND",
            f"Catalog '{node.catalog}' does not exist",
            offset + _start(node),
        )
    return ((node.db or default_database).lower(), node.name.lower())


# ---- functions --------------------------------------------------------------------------------


def joda_to_strftime(pattern: str) -> str:
    """A Joda-Time pattern (``yyyy-MM-dd HH:mm:ss``) as a strftime format."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "'":
            close = pattern.find("'", i + 1)
            close = len(pattern) if close < 0 else close
            out.append(pattern[i + 1 : close].replace("%", "%%") or "'")
            i = close + 1
            continue
        for letters, code in _JODA:
            if pattern.startswith(letters, i):
                out.append(code)
                i += len(letters)
                break
        else:
            out.append("%%" if pattern[i] == "%" else pattern[i])
            i += 1
    return "".join(out)


def _is_date(node: exp.Expression, date_columns: frozenset[str]) -> bool:
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.DATE)
    if isinstance(node, exp.CurrentDate | exp.StrToDate | exp.FromISO8601Date):
        return True
    if isinstance(node, exp.Column):
        return node.name.lower() in date_columns
    if isinstance(node, exp.Paren):
        return _is_date(node.this, date_columns)
    return False


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    """A call of DuckDB's function ``name`` as is (never one of sqlglot's own kinds)."""
    return exp.Anonymous(this=name, expressions=list(args))


def _fix(node: Any, date_columns: frozenset[str]) -> Any:
    if isinstance(node, exp.DateDiff):
        unit = node.args.get("unit")
        name = unit.name.lower() if unit is not None else "day"
        return _call("date_sub", exp.Literal.string(name), node.expression, node.this)
    if isinstance(node, exp.ArraySize):
        return exp.cast(_call("cardinality", node.this), exp.DataType.Type.BIGINT)
    if isinstance(node, exp.JSONExtractScalar):
        return _call("athena_json_extract_scalar", node.this, node.expression)
    if isinstance(node, exp.DateAdd | exp.TimestampTrunc | exp.DateTrunc):
        if _is_date(node.this, date_columns):
            return exp.cast(node, exp.DataType.Type.DATE)
        return node
    if isinstance(node, exp.ParseDatetime):
        fmt = node.args.get("format")
        if isinstance(fmt, exp.Literal) and fmt.is_string:
            converted = exp.Literal.string(joda_to_strftime(fmt.this))
            return _call("strptime", node.this, converted)
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() == "format_datetime":
        args = node.expressions
        if len(args) == 2 and isinstance(args[1], exp.Literal) and args[1].is_string:
            converted = exp.Literal.string(joda_to_strftime(args[1].this))
            return _call("strftime", args[0], converted)
    return node


def _fix_functions(tree: Any, date_columns: frozenset[str]) -> Any:
    """Rewrite bottom up, so an outer call sees its arguments already fixed."""
    for node in list(tree.walk(bfs=False))[::-1]:
        fixed = _fix(node, date_columns)
        if fixed is not node:
            if node is tree:
                tree = fixed
            else:
                node.replace(fixed)
    return tree


# ---- result column names --------------------------------------------------------------------


def _leftmost_select(tree: exp.Expression) -> Any:
    node: Any = tree
    while isinstance(node, exp.Union | exp.Intersect | exp.Except | exp.Subquery):
        node = node.this
    return node


def _name_columns(tree: Any) -> Any:
    """Name unnamed result columns ``_colN`` (N: the column's position), as Trino does."""
    top = _leftmost_select(tree)
    if isinstance(top, exp.Values) and top is tree:
        width = len(top.expressions[0].expressions) if top.expressions else 0
        names = ", ".join(f"_col{i}" for i in range(width))
        return sqlglot.parse_one(
            f"SELECT * FROM ({top.sql(dialect='duckdb')}) AS _values({names})", read="duckdb"
        )
    if not isinstance(top, exp.Select):
        return tree
    projections: list[Any] = []
    for position, projection in enumerate(top.expressions):
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            return tree  # positions after a * are unknown here
        if isinstance(projection, exp.Alias | exp.Column):
            projections.append(projection)
        else:
            projections.append(exp.alias_(projection, f"_col{position}"))
    top.set("expressions", projections)
    return tree
