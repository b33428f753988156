"""``spark.read`` on the DuckDB engine: s3:// paths, Spark's directory listing and options.

sqlframe hands reader paths straight to DuckDB's ``read_csv``/``read_parquet``/``read_json``.
Glue scripts expect Spark's behaviour instead, so the reader installed here

* maps s3:// paths to the lake's data root;
* lists directories like Spark (recursively, skipping ``_*`` and ``.*`` such as ``_SUCCESS``)
  and turns on hive partitioning when it finds ``key=value`` directories;
* translates Spark's option names (``sep``, ``nullValue``, ``inferSchema``...) to DuckDB's,
  ignores Spark options DuckDB has no use for, and passes ``duckdb.<name>`` options through;
* reads CSV columns as strings unless ``inferSchema`` is true (Spark's default), and names
  the columns of a header-less CSV ``_c0, _c1, ...`` like Spark.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from stepline.jobs.lakefiles import display_path, list_data_files, resolve_path
from stepline.lake.paths import LakePaths

# DuckDB names this reader produces or accepts as they are (the recursion in sqlframe's
# load() passes them back in).
_DUCKDB_NAMES = frozenset(
    {
        "header",
        "delim",
        "quote",
        "escape",
        "nullstr",
        "all_varchar",
        "hive_partitioning",
        "union_by_name",
        "comment",
        "encoding",
        "ignore_errors",
        "columns",
        "filename",
        "compression",
        "dateformat",
        "timestampformat",
        "sample_size",
    }
)
_SPARK_TO_DUCKDB = {
    "sep": "delim",
    "delimiter": "delim",
    "nullvalue": "nullstr",
    "mergeschema": "union_by_name",
    "linesep": None,
}
# Spark options that change nothing here (DuckDB already behaves so, or has no equivalent).
_IGNORED = frozenset(
    {
        "inferschema",
        "multiline",
        "mode",
        "ignoreleadingwhitespace",
        "ignoretrailingwhitespace",
        "enforceschema",
        "samplingratio",
        "charset",
        "recursivefilelookup",
        "pathglobfilter",
        "columnnameofcorruptrecord",
        "emptyvalue",
        "nanvalue",
        "positiveinf",
        "negativeinf",
        "maxcolumns",
        "maxcharspercolumn",
        "unescapedquotehandling",
        "locale",
        "primitivesasstring",
        "prefersdecimal",
        "allowcomments",
        "allowunquotedfieldnames",
        "allowsinglequotes",
        "allownumericleadingzero",
        "allowbackslashescapinganycharacter",
        "allowunquotedcontrolchars",
        "droppedfieldsinference",
        "datetimerebasemode",
        "int96rebasemode",
        "charToEscapeQuoteEscaping".lower(),
        "modifiedbefore",
        "modifiedafter",
        "dateformat",
        "timestampformat",
        "timestampntzformat",
    }
)


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def duckdb_read_options(
    fmt: str, options: Mapping[str, Any], *, has_schema: bool, hive: bool
) -> dict[str, Any]:
    """Spark reader options -> DuckDB ``read_<fmt>`` parameters."""
    lowered = {str(key).lower(): value for key, value in options.items() if value is not None}
    out: dict[str, Any] = {}
    ignored: list[str] = []
    for key, value in lowered.items():
        if key.startswith("duckdb."):
            out[key[len("duckdb.") :]] = value
        elif key in _SPARK_TO_DUCKDB:
            target = _SPARK_TO_DUCKDB[key]
            if target:
                out[target] = truthy(value) if target == "union_by_name" else value
        elif key in _IGNORED:
            if key not in {"inferschema", "multiline", "mode"}:
                ignored.append(key)
        elif key in _DUCKDB_NAMES and (fmt == "csv" or key not in {"header", "delim"}):
            out[key] = truthy(value) if key in {"header", "all_varchar"} else value
        else:
            ignored.append(key)
    if fmt == "csv":
        out["header"] = truthy(out.get("header", False))
        if not has_schema and not truthy(lowered.get("inferschema", False)):
            out.setdefault("all_varchar", True)
        if str(lowered.get("mode", "")).upper() == "DROPMALFORMED":
            out["ignore_errors"] = True
    # Always explicit: DuckDB would also take key=value directories *above* the path read
    # (``.../process_date=2025-01-20/``) as partition columns, which Spark does not.
    out["hive_partitioning"] = hive
    if ignored:
        print(
            f"stepline: {fmt} reader ignores option(s) it has no DuckDB equivalent for: "
            + ", ".join(sorted(ignored)),
            file=sys.stderr,
        )
    return out


def reader_class(base: type[Any], paths: LakePaths | None) -> type[Any]:
    """A subclass of sqlframe's DuckDB reader with the behaviour described above."""

    class LakeDataFrameReader(base):  # type: ignore[misc]
        state_options: dict[str, Any]
        _user_schema: Any = None

        def schema(self, schema: Any) -> Any:
            """``spark.read.schema(...)``: a StructType or a DDL string for the next load."""
            self._user_schema = schema
            return self

        def load(
            self,
            path: Any = None,
            format: str | None = None,
            schema: Any = None,
            **options: Any,
        ) -> Any:
            fmt = (format or self.state_format_to_read or "parquet").lower()
            schema = schema if schema is not None else self._user_schema
            if path is None or fmt == "delta":
                return super().load(path=path, format=format, schema=schema, **options)
            shown = [path] if isinstance(path, str) else list(path)
            where = f"spark.read ({fmt})"
            local = [resolve_path(paths, item, where=where) for item in shown]
            found = list_data_files(local, [display_path(paths, item) for item in shown])
            merged = {**self.state_options, **options}
            translated = duckdb_read_options(
                fmt, merged, has_schema=schema is not None, hive=found.hive_partitioned
            )
            saved, self.state_options = self.state_options, {}
            try:
                frame = super().load(
                    path=list(found.files), format=fmt, schema=schema, **translated
                )
            finally:
                self.state_options = saved
            if fmt == "csv" and schema is None and not translated.get("header"):
                frame = frame.toDF(*[f"_c{index}" for index in range(len(frame.columns))])
            return frame

    return LakeDataFrameReader
