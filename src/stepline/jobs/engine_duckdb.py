"""Set up the default Glue ETL engine: PySpark's DataFrame API on DuckDB through sqlframe.

Called in the job's own process before the script runs: after :func:`activate`,
``from pyspark.sql import SparkSession`` resolves to sqlframe's DuckDB session, whose
reader and writer understand s3:// paths and Spark's directory layout (see
:mod:`stepline.jobs.duckdb_read` and :mod:`stepline.jobs.duckdb_write`).
"""

from __future__ import annotations

import functools
from functools import cached_property
from typing import Any

from stepline.jobs import compat
from stepline.jobs.duckdb_read import reader_class
from stepline.jobs.duckdb_write import writer_class
from stepline.lake.paths import LakePaths

_MISSING = object()
_TIMEZONE = "spark.sql.session.timeZone"


class RuntimeConfig:
    """``spark.conf``: the session time zone lives in DuckDB; other keys are kept here.

    sqlframe's own conf only knows the time zone; Glue scripts commonly set other keys
    (``spark.sql.sources.partitionOverwriteMode``...), which must not fail.
    """

    def __init__(self, session: Any, timezone: Any, builder_values: dict[str, Any]) -> None:
        self._session = session
        self._timezone = timezone
        self._values: dict[str, str] = {
            key: str(value) for key, value in builder_values.items() if key.startswith("spark.")
        }

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key == _TIMEZONE and self._timezone is not None:
            return self._timezone.get(key)
        if key in self._values:
            return self._values[key]
        if default is _MISSING:
            raise KeyError(f"spark conf {key!r} is not set")
        return default

    def set(self, key: str, value: Any) -> None:
        if key == _TIMEZONE and self._timezone is not None:
            self._timezone.set(key, value)
            return
        self._values[key] = str(value).lower() if isinstance(value, bool) else str(value)

    def unset(self, key: str) -> None:
        self._values.pop(key, None)

    def getAll(self) -> dict[str, str]:
        return dict(self._values)

    def isModifiable(self, key: str) -> bool:
        return True


def _conf_property(session_module: Any) -> cached_property[RuntimeConfig]:
    timezone_class = getattr(session_module, "_DuckDBRuntimeConfig", None)

    def conf(session: Any) -> RuntimeConfig:
        builder = getattr(type(session), "builder", None)
        values = dict(getattr(builder, "_session_kwargs", {}) or {})
        timezone = timezone_class(session) if timezone_class is not None else None
        return RuntimeConfig(session, timezone, values)

    return cached_property(conf)


def _accepting_spark_context(init: Any) -> Any:
    """``SparkSession(sc)`` (a common Glue line) passes the SparkContext stand-in as the
    connection; sqlframe would then use it as the DuckDB connection."""

    @functools.wraps(init)
    def accept(self: Any, conn: Any = None, *args: Any, **kwargs: Any) -> None:
        if isinstance(conn, compat.SparkContext):
            conn = None
        init(self, conn, *args, **kwargs)

    return accept


def activate(paths: LakePaths | None) -> None:
    """Route ``pyspark`` imports to sqlframe's DuckDB engine with stepline's reader/writer."""
    import sqlframe

    sqlframe.activate(engine="duckdb")
    from sqlframe.duckdb import readwriter
    from sqlframe.duckdb import session as session_module

    session_class = session_module.DuckDBSession
    session_class._reader = reader_class(readwriter.DuckDBDataFrameReader, paths)
    session_class._writer = writer_class(readwriter.DuckDBDataFrameWriter, paths)
    session_class.__init__ = _accepting_spark_context(session_class.__init__)  # type: ignore[method-assign]
    prop = _conf_property(session_module)
    prop.__set_name__(session_class, "conf")
    session_class.conf = prop  # type: ignore[method-assign, assignment]
    compat.install()
