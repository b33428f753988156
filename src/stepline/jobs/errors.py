"""A job script's exception as Glue reports it in JobRun.ErrorMessage.

Glue 4.0 and later report a failed Python job as, for example::

    Error Category: INVALID_ARGUMENT_ERROR; Failed Line Number: 59; KeyError: 'LFTagOnColumns'
    Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 20; DatasetNotFoundError: ...
    Error Category: SYNTAX_ERROR; SyntaxError: invalid syntax (job.py, line 63)
    Error Category: QUERY_ERROR; Spark Error Class: MISSING_COLUMN; AnalysisException: ...

i.e. a category, the script line that raised (when known), the Spark error class (when the
exception has one) and ``<ExceptionClass>: <message>`` with the unqualified class name.
# AWS: the category table is not documented; the mapping below follows the messages AWS
# gives for these exception types, and everything else is UNCLASSIFIED_ERROR.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass

_CATEGORIES: dict[str, str] = {
    "SyntaxError": "SYNTAX_ERROR",
    "IndentationError": "SYNTAX_ERROR",
    "TabError": "SYNTAX_ERROR",
    "KeyError": "INVALID_ARGUMENT_ERROR",
    "NameError": "INVALID_ARGUMENT_ERROR",
    "GlueArgumentError": "INVALID_ARGUMENT_ERROR",
    "FileNotFoundError": "RESOURCE_NOT_FOUND_ERROR",
    "PermissionError": "PERMISSION_ERROR",
    "AnalysisException": "QUERY_ERROR",
}


@dataclass(frozen=True)
class GlueError:
    """The parts of a Glue ErrorMessage."""

    category: str
    exception: str
    detail: str
    failed_line: int | None = None
    spark_error_class: str | None = None

    @property
    def message(self) -> str:
        parts = [f"Error Category: {self.category}"]
        if self.failed_line is not None:
            parts.append(f"Failed Line Number: {self.failed_line}")
        if self.spark_error_class:
            parts.append(f"Spark Error Class: {self.spark_error_class}")
        parts.append(f"{self.exception}: {self.detail}" if self.detail else self.exception)
        return "; ".join(parts)


def _category(error: BaseException) -> str:
    for klass in type(error).__mro__:
        category = _CATEGORIES.get(klass.__name__)
        if category:
            return category
    return "UNCLASSIFIED_ERROR"


def _failed_line(error: BaseException, script: str) -> int | None:
    if isinstance(error, SyntaxError):
        return None
    wanted = os.path.realpath(script)
    line: int | None = None
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.realpath(frame.filename) == wanted:
            line = frame.lineno
    return line


def _spark_error_class(error: BaseException) -> str | None:
    getter = getattr(error, "getErrorClass", None)
    if not callable(getter):
        return None
    try:
        value = getter()
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def describe_exception(error: BaseException, script: str) -> GlueError:
    """Describe ``error``, raised while running the job script at ``script``."""
    detail = str(error)
    if isinstance(error, SystemExit):
        detail = str(error.code)
    return GlueError(
        category=_category(error),
        exception=type(error).__name__,
        detail=detail.strip(),
        failed_line=_failed_line(error, script),
        spark_error_class=_spark_error_class(error),
    )
