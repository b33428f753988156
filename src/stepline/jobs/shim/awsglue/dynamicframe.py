"""``awsglue.dynamicframe``: DynamicFrame as a thin wrapper over a DataFrame, S3 I/O.

Supported: ``create_dynamic_frame.from_options`` and ``write_dynamic_frame.from_options``
for ``connection_type="s3"`` (csv, json, parquet/glueparquet, orc), job bookmarks on S3
sources (``transformation_ctx``), ``toDF``/``fromDF``, ``count``, ``show``,
``printSchema``, ``select_fields``, ``drop_fields``, ``rename_field``, ``apply_mapping``,
``resolveChoice`` with ``cast:`` specs, ``repartition``/``coalesce``. The Data Catalog
(``from_catalog``) and record-level functions (``filter``, ``map``) raise a clear error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stepline.jobs.lakefiles import display_path, file_mtimes, list_data_files, resolve_path
from stepline.lake.paths import LakePathError, LakePaths

from ._runtime import lake_paths

_NO_CATALOG = (
    "the Glue Data Catalog is not available to stepline jobs yet; "
    "read and write s3:// paths with from_options(connection_type='s3', ...)"
)
_READ_FORMATS = {"csv", "json", "parquet", "glueparquet", "orc"}


class DynamicFrame:
    def __init__(self, dataframe: Any, glue_ctx: Any = None, name: str = "") -> None:
        self._df = dataframe
        self.glue_ctx = glue_ctx
        self.name = name

    @staticmethod
    def fromDF(dataframe: Any, glue_ctx: Any, name: str) -> DynamicFrame:
        return DynamicFrame(dataframe, glue_ctx, name)

    def toDF(self, options: Any = None) -> Any:
        return self._df

    def _derive(self, dataframe: Any) -> DynamicFrame:
        return DynamicFrame(dataframe, self.glue_ctx, self.name)

    def count(self) -> int:
        return int(self._df.count())

    def show(self, num_rows: int = 20) -> None:
        self._df.show(num_rows)

    def printSchema(self) -> None:
        self._df.printSchema()

    def schema(self) -> Any:
        return self._df.schema

    def select_fields(self, paths: Sequence[str], transformation_ctx: str = "", **_: Any) -> Any:
        return self._derive(self._df.select(*paths))

    def drop_fields(self, paths: Sequence[str], transformation_ctx: str = "", **_: Any) -> Any:
        return self._derive(self._df.drop(*paths))

    def rename_field(self, oldName: str, newName: str, **_: Any) -> DynamicFrame:
        return self._derive(self._df.withColumnRenamed(oldName, newName))

    def apply_mapping(self, mappings: Sequence[Sequence[str]], **_: Any) -> DynamicFrame:
        from pyspark.sql import functions

        columns = []
        for mapping in mappings:
            if len(mapping) != 4:
                raise ValueError(
                    f"apply_mapping: mapping {tuple(mapping)!r} must be "
                    "(source, source_type, target, target_type)"
                )
            source, _source_type, target, target_type = mapping
            columns.append(functions.col(source).cast(target_type).alias(target))
        return self._derive(self._df.select(*columns))

    def resolveChoice(self, specs: Any = None, choice: str = "", **_: Any) -> DynamicFrame:
        # DataFrame columns have one type each, so only "cast:<type>" changes anything.
        frame = self._df
        for column, action in specs or []:
            if str(action).startswith("cast:"):
                from pyspark.sql import functions

                frame = frame.withColumn(column, functions.col(column).cast(action[5:]))
        return self._derive(frame)

    def repartition(self, num_partitions: int, **_: Any) -> DynamicFrame:
        return self._derive(self._df.repartition(num_partitions))

    def coalesce(self, num_partitions: int, **_: Any) -> DynamicFrame:
        return self._derive(self._df.coalesce(num_partitions))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotImplementedError(
            f"DynamicFrame.{name} is not supported by stepline's awsglue; "
            "use toDF() and the DataFrame API"
        )


def _bookmark_name(paths: LakePaths | None, path: str) -> str:
    if paths is None:
        return path
    try:
        return paths.url_for(path)
    except LakePathError:
        return path


def _reader_options(fmt: str, options: Mapping[str, Any]) -> dict[str, Any]:
    if fmt != "csv":
        return {}
    return {
        "header": bool(options.get("withHeader", False)),
        "sep": options.get("separator", ","),
        "quote": options.get("quoteChar", '"'),
        "inferSchema": True,  # Glue's CSV reader infers column types
    }


class DynamicFrameReader:
    """``glueContext.create_dynamic_frame``."""

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_options(
        self,
        connection_type: str,
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        options = dict(connection_options or {})
        _s3_only("create_dynamic_frame.from_options", connection_type)
        fmt = (format or "").lower()
        if fmt not in _READ_FORMATS:
            raise NotImplementedError(
                f"create_dynamic_frame.from_options: format {format!r} is not supported "
                f"(use one of {', '.join(sorted(_READ_FORMATS))})"
            )
        shown = options.get("paths") or ([options["path"]] if "path" in options else [])
        if isinstance(shown, str):
            shown = [shown]
        if not shown:
            raise ValueError(
                "create_dynamic_frame.from_options: connection_options['paths'] is empty"
            )
        where = "create_dynamic_frame.from_options"
        paths = lake_paths()
        local = [resolve_path(paths, item, where=where) for item in shown]
        files = list(list_data_files(local, [display_path(paths, i) for i in shown]).files)
        run = self._glue_context._bookmark_run
        fresh = files
        if run is not None:
            # Bookmarks name files by their s3:// URL, so they survive a moved data root.
            names = {_bookmark_name(paths, path): path for path in files}
            seen = file_mtimes(files)
            chosen = run.select(
                transformation_ctx, [(_bookmark_name(paths, p), t) for p, t in seen]
            )
            fresh = [names[name] for name in chosen]
        spark = self._glue_context.spark_session
        reader = spark.read.options(**_reader_options(fmt, format_options or {}))
        source = fresh or files[:1]  # nothing new: same schema, no rows
        if fmt == "csv":
            frame = reader.csv(source)
        elif fmt == "json":
            frame = reader.json(source)
        elif fmt == "orc":
            frame = reader.orc(source)
        else:
            frame = reader.parquet(*source)
        if not fresh:
            frame = frame.limit(0)
        return DynamicFrame(frame, self._glue_context, transformation_ctx)

    def from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        raise NotImplementedError(f"create_dynamic_frame.from_catalog: {_NO_CATALOG}")


class DynamicFrameWriter:
    """``glueContext.write_dynamic_frame``: appends to an S3 prefix, as Glue does."""

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_options(
        self,
        frame: DynamicFrame,
        connection_type: str = "s3",
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        options = dict(connection_options or {})
        _s3_only("write_dynamic_frame.from_options", connection_type)
        path = options.get("path")
        if not path:
            raise ValueError(
                "write_dynamic_frame.from_options: connection_options['path'] is missing"
            )
        fmt = (format or "json").lower()
        fmt = "parquet" if fmt == "glueparquet" else fmt
        writer = frame.toDF().write.mode("append").format(fmt)
        keys = list(options.get("partitionKeys") or [])
        if keys:
            writer = writer.partitionBy(*keys)
        if fmt == "csv":
            settings = format_options or {}
            writer = writer.option("header", bool(settings.get("writeHeader", True)))
            writer = writer.option("sep", settings.get("separator", ","))
        writer.save(path)
        return frame

    def from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        raise NotImplementedError(f"write_dynamic_frame.from_catalog: {_NO_CATALOG}")


def _s3_only(where: str, connection_type: str) -> None:
    if connection_type != "s3":
        raise NotImplementedError(
            f"{where}: connection_type {connection_type!r} is not supported by stepline (only 's3')"
        )
