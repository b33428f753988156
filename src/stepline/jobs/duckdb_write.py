"""``df.write`` on the DuckDB engine: Spark's directory layout, save modes, atomic publishing.

sqlframe writes one file at the given path. Glue scripts expect Spark's layout instead: the
path is a directory of ``part-*`` files with a ``_SUCCESS`` marker, ``partitionBy`` makes
``key=value`` sub-directories, and the save modes errorifexists (default), overwrite,
append and ignore apply to the directory. The writer installed here does that, and builds
the output in a hidden staging directory that is published by rename (see
:mod:`stepline.lake.atomic`), so a killed job never leaves half an output or half a
partition. ``spark.sql.sources.partitionOverwriteMode=dynamic`` (session conf or writer
option ``partitionOverwriteMode``) replaces only the partitions written.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stepline.jobs.compat import AnalysisException
from stepline.jobs.duckdb_read import truthy
from stepline.jobs.lakefiles import display_path, resolve_path
from stepline.lake import atomic
from stepline.lake.paths import LakePaths

_MODES = {
    None: "errorifexists",
    "error": "errorifexists",
    "errorifexists": "errorifexists",
    "default": "errorifexists",
    "overwrite": "overwrite",
    "append": "append",
    "ignore": "ignore",
}
_FORMATS = {"parquet": "parquet", "csv": "csv", "json": "json"}
_PARQUET_CODECS = {"snappy", "gzip", "zstd", "lz4", "brotli", "uncompressed", "none"}
PARTITION_OVERWRITE_MODE = "spark.sql.sources.partitionOverwriteMode"
# partitionBy() keeps its columns among the writer's options under this name, because
# sqlframe's save() passes a partitionBy keyword of its own.
_PARTITION_KEY = "stepline.partitionby"


class WriteError(ValueError):
    """A write this engine cannot do; the message names the option and the path."""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names: list[str] = []
    for item in value:
        names += _columns(item)
    return names


def copy_options(
    fmt: str, options: Mapping[str, Any], partition_by: list[str], run_id: str, path: str
) -> tuple[list[str], str]:
    """DuckDB COPY options for a Spark writer's options, and the data file's suffix."""
    lowered = {str(k).lower(): v for k, v in options.items() if v is not None}
    parts = [f"FORMAT {fmt}"]
    suffix = ""
    codec = str(lowered.get("compression", "snappy" if fmt == "parquet" else "none")).lower()
    if fmt == "parquet":
        if codec not in _PARQUET_CODECS:
            raise WriteError(
                f"parquet compression {codec!r} for {path!r} is not supported "
                f"(use one of {', '.join(sorted(_PARQUET_CODECS))})"
            )
        codec = "uncompressed" if codec == "none" else codec
        parts.append(f"COMPRESSION {codec}")
        suffix = "" if codec == "uncompressed" else f".{codec}"
    elif codec not in {"none", "uncompressed"}:
        if codec != "gzip":
            raise WriteError(f"{fmt} compression {codec!r} for {path!r} is not supported (gzip)")
        parts.append("COMPRESSION gzip")
    if fmt == "csv":
        parts.append(f"HEADER {str(truthy(lowered.get('header', False))).lower()}")
        delimiter = lowered.get("sep", lowered.get("delimiter"))
        if delimiter is not None:
            parts.append(f"DELIMITER {_sql_string(str(delimiter))}")
        for spark_name, duck_name in (("quote", "QUOTE"), ("escape", "ESCAPE")):
            if spark_name in lowered:
                parts.append(f"{duck_name} {_sql_string(str(lowered[spark_name]))}")
        if "nullvalue" in lowered:
            parts.append(f"NULLSTR {_sql_string(str(lowered['nullvalue']))}")
    if partition_by:
        parts.append("PARTITION_BY (" + ", ".join(_identifier(c) for c in partition_by) + ")")
        parts.append(f"FILENAME_PATTERN {_sql_string(f'part-{{i}}-{run_id}-c000{suffix}')}")
    extension = {"parquet": "parquet", "csv": "csv", "json": "json"}[fmt]
    gz = ".gz" if fmt != "parquet" and codec == "gzip" else ""
    return parts, f"{suffix}.{extension}{gz}"


def writer_class(base: type[Any], paths: LakePaths | None) -> type[Any]:
    """A subclass of sqlframe's DuckDB writer with the behaviour described above."""

    class LakeDataFrameWriter(base):  # type: ignore[misc]
        def partitionBy(self, *cols: Any) -> Any:
            self.state_options[_PARTITION_KEY] = _columns(cols)
            return self

        def _write(
            self,
            path: str,
            mode: str | None,
            format: str | None = None,
            partitionBy: Any = None,
            **options: Any,
        ) -> None:
            fmt = str(format or self._state_format_to_write or "parquet").lower()
            if fmt not in _FORMATS:
                raise WriteError(
                    f"writing format {fmt!r} to {path!r} is not supported by stepline's "
                    "DuckDB engine (parquet, csv and json are)"
                )
            save_mode = _MODES.get(mode.lower() if isinstance(mode, str) else mode)
            if save_mode is None:
                raise WriteError(
                    f"unknown save mode {mode!r} for {path!r} "
                    "(use append, overwrite, ignore, error or errorifexists)"
                )
            lowered = {str(k).lower(): v for k, v in options.items()}
            columns = _columns(partitionBy) or _columns(lowered.pop(_PARTITION_KEY, None))
            target = Path(resolve_path(paths, path, where=f"DataFrameWriter ({fmt})"))
            if os.path.lexists(target):
                if save_mode == "errorifexists":
                    raise AnalysisException(
                        f"Path {display_path(paths, path)} already exists. "
                        'Set mode as "overwrite" to overwrite the existing path.',
                        "PATH_ALREADY_EXISTS",
                    )
                if save_mode == "ignore":
                    return
            dynamic = str(
                lowered.get("partitionoverwritemode") or self._session_conf_mode()
            ).lower()
            atomic.sweep_leftovers(target)
            staging = atomic.staging_dir(target)
            try:
                self._copy_into(staging, fmt, lowered, columns, str(path))
                (staging / "_SUCCESS").touch()
                if save_mode == "append":
                    atomic.publish_append(staging, target)
                elif save_mode == "overwrite" and columns and dynamic == "dynamic":
                    atomic.publish_partitions(staging, target)
                else:
                    atomic.publish_directory(staging, target)
            except BaseException:
                atomic.remove_path(staging)
                raise

        def _session_conf_mode(self) -> str:
            conf = getattr(self._df.session, "conf", None)
            getter = getattr(conf, "get", None)
            if getter is None:
                return "static"
            try:
                return str(getter(PARTITION_OVERWRITE_MODE, "static"))
            except Exception:
                return "static"

        def _copy_into(
            self,
            staging: Path,
            fmt: str,
            options: Mapping[str, Any],
            columns: list[str],
            shown: str,
        ) -> None:
            run_id = str(uuid.uuid4())
            parts, suffix = copy_options(fmt, options, columns, run_id, shown)
            destination = staging if columns else staging / f"part-00000-{run_id}-c000{suffix}"
            session = self._df.session
            expressions = self._df._get_expressions()
            for expression in expressions[:-1]:
                session._collect(expression, skip_rows=True)
            query = session._to_sql(expressions[-1])
            statement = f"COPY ({query}) TO {_sql_string(str(destination))} ({', '.join(parts)})"
            session._collect(statement, skip_rows=True)

    return LakeDataFrameWriter
