"""``awsglue.context.GlueContext``: the Spark session, a logger, DynamicFrame I/O on S3.

``GlueContext(sc)`` accepts a real SparkContext (engine "spark") or stepline's stand-in
(engine "duckdb"); ``spark_session`` is ``SparkSession.builder.getOrCreate()`` of whichever
engine runs the job.
"""

from __future__ import annotations

import sys
from typing import Any

from stepline.jobs.bookmarks import BookmarkRun

from .dynamicframe import DynamicFrame, DynamicFrameReader, DynamicFrameWriter


class GlueLogger:
    """What ``glueContext.get_logger()`` returns: info/warn/error/debug to the job's log."""

    def __init__(self, name: str = "GlueLogger") -> None:
        self._name = name

    def _emit(self, level: str, message: object) -> None:
        print(f"{level} [{self._name}] {message}", file=sys.stderr, flush=True)

    def info(self, message: object) -> None:
        self._emit("INFO", message)

    def warn(self, message: object) -> None:
        self._emit("WARN", message)

    warning = warn

    def error(self, message: object) -> None:
        self._emit("ERROR", message)

    def debug(self, message: object) -> None:
        self._emit("DEBUG", message)


class GlueContext:
    def __init__(self, sparkContext: Any = None, **options: Any) -> None:
        self._spark_context = sparkContext
        self._session: Any = None
        self._bookmark_run: BookmarkRun | None = None
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)

    @property
    def spark_session(self) -> Any:
        if self._session is None:
            from pyspark.sql import SparkSession

            self._session = SparkSession.builder.getOrCreate()
        return self._session

    sparkSession = spark_session

    @property
    def sc(self) -> Any:
        return self._spark_context

    def get_logger(self) -> GlueLogger:
        return GlueLogger()

    def create_dynamic_frame_from_options(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.create_dynamic_frame.from_options(*args, **kwargs)

    def create_dynamic_frame_from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.create_dynamic_frame.from_catalog(*args, **kwargs)

    def write_dynamic_frame_from_options(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.write_dynamic_frame.from_options(*args, **kwargs)

    def write_dynamic_frame_from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.write_dynamic_frame.from_catalog(*args, **kwargs)
