"""PySpark names that Glue scripts import but sqlframe does not provide (DuckDB engine only).

``sqlframe.activate(engine="duckdb")`` routes ``pyspark.sql`` (SparkSession, DataFrame,
functions, types, Window) to DuckDB. Glue scripts also import ``SparkContext`` (from
``pyspark.context`` or ``pyspark``), ``SparkConf``, ``StorageLevel`` and ``AnalysisException``;
:func:`install` makes those imports resolve to the small stand-ins below. A SparkContext here
is only a handle to pass to ``GlueContext``: RDD methods raise a clear error.
"""

from __future__ import annotations

import sys
import types
from typing import Any, ClassVar

_ENGINE_HINT = "run the job with engine 'spark' to use the RDD API"


class AnalysisException(Exception):
    """Raised for Spark-style analysis errors (missing path, existing output path...)."""

    def __init__(self, message: str, error_class: str | None = None) -> None:
        super().__init__(f"[{error_class}] {message}" if error_class else message)
        self._error_class = error_class

    def getErrorClass(self) -> str | None:
        return self._error_class


class SparkConf:
    """A key/value bag with PySpark's SparkConf methods."""

    def __init__(self, loadDefaults: bool = True) -> None:
        self._values: dict[str, str] = {}

    def set(self, key: str, value: Any) -> SparkConf:
        self._values[key] = str(value)
        return self

    def setAll(self, pairs: Any) -> SparkConf:
        for key, value in pairs:
            self.set(key, value)
        return self

    def setAppName(self, value: str) -> SparkConf:
        return self.set("spark.app.name", value)

    def setMaster(self, value: str) -> SparkConf:
        return self.set("spark.master", value)

    def get(self, key: str, defaultValue: str | None = None) -> str | None:
        return self._values.get(key, defaultValue)

    def getAll(self) -> list[tuple[str, str]]:
        return sorted(self._values.items())

    def contains(self, key: str) -> bool:
        return key in self._values


class SparkContext:
    """Stands for the driver's SparkContext; GlueContext(sc) accepts it."""

    version: ClassVar[str] = "3.5.4"  # Glue 5.0's Spark

    def __init__(
        self,
        master: str | None = None,
        appName: str | None = None,
        conf: SparkConf | None = None,
        **_: Any,
    ) -> None:
        self._conf = conf or SparkConf()
        if master:
            self._conf.setMaster(master)
        if appName:
            self._conf.setAppName(appName)

    @classmethod
    def getOrCreate(cls, conf: SparkConf | None = None) -> SparkContext:
        return cls(conf=conf)

    @property
    def master(self) -> str:
        return self._conf.get("spark.master") or "local[*]"

    @property
    def appName(self) -> str:
        return self._conf.get("spark.app.name") or "glue-job"

    @property
    def defaultParallelism(self) -> int:
        return 1

    @property
    def applicationId(self) -> str:
        return "local-stepline"

    def getConf(self) -> SparkConf:
        return self._conf

    def setLogLevel(self, logLevel: str) -> None:
        return None

    def stop(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotImplementedError(
            f"SparkContext.{name} is not available on stepline's DuckDB engine; {_ENGINE_HINT}"
        )


class StorageLevel:
    """PySpark's storage level names (sqlframe takes them as strings)."""

    DISK_ONLY = "DISK_ONLY"
    MEMORY_ONLY = "MEMORY_ONLY"
    MEMORY_AND_DISK = "MEMORY_AND_DISK"
    MEMORY_AND_DISK_SER = "MEMORY_AND_DISK_SER"
    MEMORY_AND_DISK_DESER = "MEMORY_AND_DISK_DESER"
    OFF_HEAP = "OFF_HEAP"


def _module(name: str, **names: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(names)
    return module


def install() -> None:
    """Register the stand-ins; call after ``sqlframe.activate(engine="duckdb")``."""
    errors = {"AnalysisException": AnalysisException, "PySparkException": AnalysisException}
    sys.modules["pyspark.context"] = _module("pyspark.context", SparkContext=SparkContext)
    sys.modules["pyspark.conf"] = _module("pyspark.conf", SparkConf=SparkConf)
    sys.modules["pyspark.storagelevel"] = _module("pyspark.storagelevel", StorageLevel=StorageLevel)
    sys.modules["pyspark.errors"] = _module("pyspark.errors", **errors)
    sys.modules["pyspark.sql.utils"] = _module("pyspark.sql.utils", **errors)
    root = sys.modules.get("pyspark")
    if root is not None:
        for name, value in (
            ("SparkContext", SparkContext),
            ("SparkConf", SparkConf),
            ("StorageLevel", StorageLevel),
            ("context", sys.modules["pyspark.context"]),
            ("conf", sys.modules["pyspark.conf"]),
            ("errors", sys.modules["pyspark.errors"]),
        ):
            setattr(root, name, value)
