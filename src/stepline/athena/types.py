"""Column types: Hive's (as the Glue Data Catalog keeps them: ``bigint``, ``decimal(10,2)``,
``array<struct<a:int,b:string>>``), DuckDB's, and Athena's result types (GetQueryResults'
ColumnInfo). Pure.

DuckDB types come as ``duckdb.DuckDBPyType`` values, read through their ``id`` and
``children`` only (``DuckType``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

# Hive type name -> DuckDB type (scalar types)
_SCALARS: Final = {
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "real": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "binary": "BLOB",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_SIZED: Final = ("decimal", "char", "varchar")
_INTEGERS: Final = {"tinyint": 3, "smallint": 5, "integer": 10, "bigint": 19}
# DuckDB type id -> (Athena type, precision, Hive type)
_DUCK_SCALARS: Final[dict[str, tuple[str, int, str]]] = {
    "boolean": ("boolean", 0, "boolean"),
    "tinyint": ("tinyint", 3, "tinyint"),
    "smallint": ("smallint", 5, "smallint"),
    "integer": ("integer", 10, "int"),
    "bigint": ("bigint", 19, "bigint"),
    "utinyint": ("smallint", 5, "smallint"),
    "usmallint": ("integer", 10, "int"),
    "uinteger": ("bigint", 19, "bigint"),
    "ubigint": ("bigint", 19, "bigint"),
    "hugeint": ("decimal", 38, "decimal(38,0)"),
    "uhugeint": ("decimal", 38, "decimal(38,0)"),
    "float": ("real", 17, "float"),
    "double": ("double", 17, "double"),
    "varchar": ("varchar", 2147483647, "string"),
    "blob": ("varbinary", 2147483647, "binary"),
    "date": ("date", 0, "date"),
    "time": ("time", 3, "string"),
    "timestamp": ("timestamp", 3, "timestamp"),
    "timestamp_s": ("timestamp", 3, "timestamp"),
    "timestamp_ms": ("timestamp", 3, "timestamp"),
    "timestamp_ns": ("timestamp", 3, "timestamp"),
    "timestamp with time zone": ("timestamp with time zone", 3, "timestamp"),
    "interval": ("interval day to second", 0, "string"),
    "uuid": ("uuid", 0, "string"),
    "null": ("unknown", 0, "string"),
}


class DuckType(Protocol):
    """What we read of a ``duckdb.DuckDBPyType``."""

    @property
    def id(self) -> str: ...

    @property
    def children(self) -> list[tuple[str, Any]]: ...


class HiveTypeError(ValueError):
    """A column type Hive (Athena DDL) does not know; the message names it."""


@dataclass(frozen=True, slots=True)
class ResultType:
    """A result column's type as Athena's ColumnInfo gives it."""

    name: str  # varchar, integer, decimal, array...
    precision: int
    scale: int = 0

    @property
    def case_sensitive(self) -> bool:
        return self.name in ("varchar", "char")


# ---- Hive type text -------------------------------------------------------------------------


def _split_top(text: str, separator: str = ",") -> list[str]:
    """``text`` split at ``separator``s outside <> and () nesting."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def normalize_hive_type(text: str) -> str:
    """``text`` as Glue keeps it: lower case, no spaces (``array<struct<a:int>>``). Raises
    HiveTypeError for a type Hive does not have."""
    return _normal(text.strip(), text)


def _normal(text: str, whole: str) -> str:
    lower = text.strip().lower()
    compact = "".join(lower.split()) if "<" not in lower else lower
    if compact in _SCALARS or compact in ("char", "varchar"):
        return compact
    for name in _SIZED:
        if compact.startswith(name):
            args = compact[len(name) :].replace(" ", "")
            if name == "decimal" and not args:
                return "decimal(10,0)"  # Hive's default precision and scale
            if args.startswith("(") and args.endswith(")"):
                numbers = args[1:-1].split(",")
                if all(n.isdigit() for n in numbers) and len(numbers) <= 2:
                    return f"{name}({','.join(numbers)})"
    for name in ("array", "map", "struct"):
        if lower.startswith(name) and lower[len(name) :].lstrip().startswith("<"):
            inner = lower[len(name) :].strip()
            if not inner.endswith(">"):
                break
            return f"{name}<{_inner(name, inner[1:-1], whole)}>"
    raise HiveTypeError(f"unknown column type {whole.strip()!r}")


def _inner(kind: str, inner: str, whole: str) -> str:
    parts = _split_top(inner)
    if kind == "array" and len(parts) == 1:
        return _normal(parts[0], whole)
    if kind == "map" and len(parts) == 2:
        return f"{_normal(parts[0], whole)},{_normal(parts[1], whole)}"
    if kind == "struct" and all(":" in p for p in parts):
        fields = []
        for part in parts:
            name, _, field_type = part.partition(":")
            fields.append(f"{name.strip().strip('`')}:{_normal(field_type, whole)}")
        return ",".join(fields)
    raise HiveTypeError(f"malformed column type {whole.strip()!r}")


def hive_to_duckdb(text: str) -> str:
    """The DuckDB type for a (normalized) Hive type."""
    hive = normalize_hive_type(text)
    if hive in _SCALARS:
        return _SCALARS[hive]
    if hive.startswith("decimal("):
        return hive.upper()
    if hive in ("char", "varchar") or hive.startswith(("char(", "varchar(")):
        return "VARCHAR"
    kind, inner = hive.split("<", 1)
    parts = _split_top(inner[:-1])
    if kind == "array":
        return f"{hive_to_duckdb(parts[0])}[]"
    if kind == "map":
        return f"MAP({hive_to_duckdb(parts[0])}, {hive_to_duckdb(parts[1])})"
    fields = []
    for part in parts:
        name, _, field_type = part.partition(":")
        fields.append(f"{quote_identifier(name)} {hive_to_duckdb(field_type)}")
    return f"STRUCT({', '.join(fields)})"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---- DuckDB result types ---------------------------------------------------------------------


def _child(duck: DuckType, index: int) -> DuckType:
    child: DuckType = duck.children[index][1]
    return child


def result_type(duck: DuckType) -> ResultType:
    """Athena's type (ColumnInfo Type, Precision, Scale) of a DuckDB result column."""
    kind = duck.id
    if kind in ("list", "array"):
        return ResultType("array", 0)
    if kind == "map":
        return ResultType("map", 0)
    if kind == "struct":
        return ResultType("row", 0)
    if kind == "decimal":
        return ResultType("decimal", int(duck.children[0][1]), int(duck.children[1][1]))
    name, precision, _ = _DUCK_SCALARS.get(kind, ("varchar", 2147483647, "string"))
    return ResultType(name, precision)


def duckdb_to_hive(duck: DuckType) -> str:
    """The Hive type a CTAS table column gets for a DuckDB result column."""
    kind = duck.id
    if kind in ("list", "array"):
        return f"array<{duckdb_to_hive(_child(duck, 0))}>"
    if kind == "map":
        return f"map<{duckdb_to_hive(_child(duck, 0))},{duckdb_to_hive(_child(duck, 1))}>"
    if kind == "struct":
        fields = ",".join(f"{name}:{duckdb_to_hive(child)}" for name, child in duck.children)
        return f"struct<{fields}>"
    if kind == "decimal":
        return f"decimal({int(duck.children[0][1])},{int(duck.children[1][1])})"
    return _DUCK_SCALARS.get(kind, ("varchar", 0, "string"))[2]


def text_expression(column: str, duck: DuckType) -> str:
    """A DuckDB expression giving ``column``'s values as Athena writes them in its result
    CSV: timestamps with milliseconds (``2025-01-26 10:00:00.000``), ``... UTC`` for those
    with a time zone, ``true``/``false``, arrays ``[1, 2]``, maps ``{k=1}``, NULL as NULL."""
    kind = duck.id
    if kind in ("timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns"):
        return f"strftime({column}, '%Y-%m-%d %H:%M:%S.%g')"
    if kind == "timestamp with time zone":
        return f"strftime({column}, '%Y-%m-%d %H:%M:%S.%g') || ' UTC'"
    if kind == "blob":
        # AWS: Athena shows varbinary as hex bytes separated by spaces.
        return f"array_to_string(regexp_extract_all(hex({column}), '..'), ' ')"
    return f"CAST({column} AS VARCHAR)"
