"""Set up real PySpark for a job script (``pip install 'stepline[spark]'``, Java 17).

The master is ``local[*]``, ``spark://host:port`` (a standalone cluster that shares the
lake's file system) or ``sc://host:port`` (Spark Connect; the server must see the lake at
the same paths). Before the script runs, :func:`activate`

* points PySpark at this interpreter and the master (``PYSPARK_SUBMIT_ARGS`` or
  ``SPARK_REMOTE``), with quiet local defaults (no UI, few shuffle partitions) that the job
  spec's ``spark_conf`` can override;
* wraps the DataFrameReader/Writer path methods so that s3:// paths map to the lake and
  every write goes to a hidden staging directory that is published by rename (see
  :mod:`stepline.lake.atomic`): a killed job never leaves half an output or partition.
"""

from __future__ import annotations

import functools
import inspect
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from stepline.jobs.lakefiles import resolve_path
from stepline.lake import atomic
from stepline.lake.paths import LakePaths

_READ_METHODS = ("load", "csv", "json", "parquet", "orc", "text")
_WRITE_METHODS = ("save", "csv", "json", "parquet", "orc", "text")
_LOCAL_DEFAULTS = (
    ("spark.ui.enabled", "false"),
    ("spark.ui.showConsoleProgress", "false"),
    ("spark.sql.shuffle.partitions", "8"),
    ("spark.driver.host", "127.0.0.1"),
    ("spark.driver.bindAddress", "127.0.0.1"),
)
_MODES = {"error": "errorifexists", "default": "errorifexists"}


class SparkSetupError(RuntimeError):
    """PySpark is missing or the master is unusable; the message says what to do."""


def submit_arguments(master: str, conf: Sequence[tuple[str, str]]) -> str:
    """``PYSPARK_SUBMIT_ARGS`` for a classic (non-Connect) master."""
    settings = dict(_LOCAL_DEFAULTS) if master.startswith("local") else {}
    settings.update(dict(conf))
    words = ["--master", master]
    for key, value in settings.items():
        words += ["--conf", f"{key}={value}"]
    return " ".join(shlex.quote(word) for word in words) + " pyspark-shell"


def _map_paths(paths: LakePaths | None, value: Any, where: str) -> Any:
    if isinstance(value, str):
        return resolve_path(paths, value, where=where)
    if isinstance(value, list | tuple):
        return type(value)(_map_paths(paths, item, where) for item in value)
    return value


def _wrap_reader(method: Callable[..., Any], paths: LakePaths | None) -> Callable[..., Any]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def read(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        for name in ("path", "paths"):
            if name in bound.arguments:
                where = f"spark.read.{method.__name__}"
                bound.arguments[name] = _map_paths(paths, bound.arguments[name], where)
        return method(*bound.args, **bound.kwargs)

    return read


def _remember(method: Callable[..., Any], attribute: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def remember(self: Any, value: Any) -> Any:
        setattr(self, attribute, value)
        return method(self, value)

    return remember


def _dynamic(writer: Any) -> bool:
    mode = getattr(writer, "_stepline_partition_overwrite", None)
    if mode is None:
        try:
            mode = writer._spark.conf.get("spark.sql.sources.partitionOverwriteMode", "static")
        except Exception:
            mode = "static"
    return str(mode).lower() == "dynamic"


def _wrap_writer(
    method: Callable[..., Any], set_mode: Callable[..., Any], paths: LakePaths | None
) -> Callable[..., Any]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        path = bound.arguments.get("path")
        if path is None:
            return method(*bound.args, **bound.kwargs)
        mode = bound.arguments.get("mode") or getattr(self, "_stepline_mode", None) or "error"
        mode = _MODES.get(str(mode).lower(), str(mode).lower())
        target = Path(resolve_path(paths, path, where=f"DataFrameWriter.{method.__name__}"))
        if os.path.lexists(target) and mode in {"errorifexists", "ignore"}:
            return method(*bound.args, **bound.kwargs)  # Spark raises or skips itself
        atomic.sweep_leftovers(target)
        staging = atomic.staging_dir(target, create=False)
        bound.arguments["path"] = str(staging)
        if "mode" in signature.parameters:
            bound.arguments["mode"] = "overwrite"
        set_mode(self, "overwrite")
        try:
            method(*bound.args, **bound.kwargs)
            if mode == "append":
                atomic.publish_append(staging, target)
            elif mode == "overwrite" and _dynamic(self):
                atomic.publish_partitions(staging, target)
            else:
                atomic.publish_directory(staging, target)
        except BaseException:
            atomic.remove_path(staging)
            raise
        return None

    return write


def _remember_options(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def options(self: Any, *args: Any, **kwargs: Any) -> Any:
        pairs = dict(kwargs)
        if len(args) == 2:
            pairs[str(args[0])] = args[1]
        for key, value in pairs.items():
            if str(key).lower() == "partitionoverwritemode":
                self._stepline_partition_overwrite = value
        return method(self, *args, **kwargs)

    return options


def patch_classes(reader: type[Any], writer: type[Any], paths: LakePaths | None) -> None:
    """Wrap one pair of PySpark reader/writer classes (classic or Connect)."""
    for name in _READ_METHODS:
        if hasattr(reader, name):
            setattr(reader, name, _wrap_reader(getattr(reader, name), paths))
    set_mode = writer.mode
    writer.mode = _remember(set_mode, "_stepline_mode")
    writer.option = _remember_options(writer.option)
    writer.options = _remember_options(writer.options)
    for name in _WRITE_METHODS:
        if hasattr(writer, name):
            setattr(writer, name, _wrap_writer(getattr(writer, name), set_mode, paths))


def activate(paths: LakePaths | None, master: str, conf: Sequence[tuple[str, str]] = ()) -> None:
    """Prepare PySpark in this process; the script creates its session as usual."""
    try:
        from pyspark.sql import readwriter
    except ImportError:
        raise SparkSetupError(
            "engine 'spark' needs PySpark in the job's Python environment: "
            "pip install 'stepline[spark]' (and Java 17)"
        ) from None
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    if master.startswith("sc://"):
        os.environ["SPARK_REMOTE"] = master
        try:
            from pyspark.sql.connect import readwriter as connect_readwriter
        except ImportError as error:
            raise SparkSetupError(
                f"Spark Connect master {master!r} needs PySpark's Connect client: "
                f"pip install 'pyspark[connect]' ({error})"
            ) from None
        patch_classes(connect_readwriter.DataFrameReader, connect_readwriter.DataFrameWriter, paths)
    elif master.startswith(("local", "spark://")):
        os.environ["PYSPARK_SUBMIT_ARGS"] = submit_arguments(master, conf)
    else:
        raise SparkSetupError(
            f"spark master {master!r} is not supported "
            "(use local[*], local[N], spark://host:port or sc://host:port)"
        )
    patch_classes(readwriter.DataFrameReader, readwriter.DataFrameWriter, paths)
