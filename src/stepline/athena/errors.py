"""Errors: why a query FAILED (Athena's StateChangeReason and AthenaError), and the API
errors of the query and catalog operations (InvalidRequestException, Glue's
EntityNotFoundException...).

A failed query's reason reads as Athena engine v3 writes it: ``CODE: message`` with Trino's
error names (SYNTAX_ERROR, TABLE_NOT_FOUND, COLUMN_NOT_FOUND...); DuckDB's own message is kept
after the code, so the user sees what the engine said.
"""

from __future__ import annotations

import re
from typing import Final

from stepline.athena.tokens import SqlSyntaxError, position

# AWS: AthenaError.ErrorCategory: 1 SYSTEM, 2 USER, 3 OTHER; ErrorType (Athena error catalog):
# 1000 user error, 1001 data error, 1003 DDL task failed, 1006 syntax error, 200 engine error,
# 401 results not written.
SYSTEM: Final = 1
USER: Final = 2
USER_ERROR: Final = 1000
DATA_ERROR: Final = 1001
DDL_FAILED: Final = 1003
SYNTAX: Final = 1006
ENGINE_ERROR: Final = 200
RESULTS_NOT_WRITTEN: Final = 401

_CODE_TYPES: Final = {
    "SYNTAX_ERROR": SYNTAX,
    "INVALID_CAST_ARGUMENT": DATA_ERROR,
    "HIVE_BAD_DATA": DATA_ERROR,
    "HIVE_CANNOT_OPEN_SPLIT": DATA_ERROR,
    "NUMERIC_VALUE_OUT_OF_RANGE": DATA_ERROR,
}
_DUCKDB_LINE: Final = re.compile(r"\n\s*\nLINE \d+:.*", re.DOTALL)
_DUCKDB_PREFIX: Final = re.compile(r"^[A-Za-z ]+ Error: ")
_VIEW_NAME: Final = re.compile(r'"?__stepline_\d+_(?P<table>\w+?)"?(?=\W|$)')


class QueryFailure(Exception):
    """Why a query failed. ``reason`` is its StateChangeReason."""

    def __init__(
        self, code: str, message: str, category: int = USER, error_type: int = USER_ERROR
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code  # TABLE_NOT_FOUND, SYNTAX_ERROR...
        self.message = message
        self.category = category
        self.error_type = error_type

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


def failure(
    code: str, message: str, category: int = USER, error_type: int | None = None
) -> QueryFailure:
    return QueryFailure(code, message, category, error_type or _CODE_TYPES.get(code, USER_ERROR))


def ddl_failure(code: str, message: str) -> QueryFailure:
    return QueryFailure(code, message, USER, DDL_FAILED)


def syntax_failure(text: str, error: SqlSyntaxError, code: str = "SYNTAX_ERROR") -> QueryFailure:
    """A parse error at its line and column of ``text`` (the statement as submitted)."""
    line, column = position(text, error.offset)
    return failure(code, f"line {line}:{column}: {error.message}")


def duckdb_failure(error: Exception) -> QueryFailure:
    """A DuckDB error as Athena would name it. Its position (in the translated SQL) is
    dropped; its message is kept."""
    kind = type(error).__name__
    text = _DUCKDB_LINE.sub("", str(error)).strip()
    text = _VIEW_NAME.sub(lambda m: m["table"], text)  # the tables' views, as the tables
    message = " ".join(_DUCKDB_PREFIX.sub("", text, count=1).split())
    if kind == "ParserException":
        return failure("SYNTAX_ERROR", message)
    if kind == "BinderException":
        if "column" in message.lower() and "not found" in message.lower():
            return failure("COLUMN_NOT_FOUND", message)
        if "No function matches" in message:
            return failure("FUNCTION_NOT_FOUND", message)
        return failure("TYPE_MISMATCH" if "type" in message.lower() else "SEMANTIC_ERROR", message)
    if kind == "CatalogException":
        if "Function with name" in message:
            return failure("FUNCTION_NOT_FOUND", message)
        if "Table with name" in message:
            return failure("TABLE_NOT_FOUND", message)
        return failure("SEMANTIC_ERROR", message)
    if kind == "ConversionException":
        return failure("INVALID_CAST_ARGUMENT", message)
    if kind == "OutOfRangeException":
        return failure("NUMERIC_VALUE_OUT_OF_RANGE", message)
    if kind == "InvalidInputException":
        bad_data = "malformed" in message.lower() or "csv" in message.lower()
        return failure("HIVE_BAD_DATA" if bad_data else "INVALID_FUNCTION_ARGUMENT", message)
    if kind == "IOException":
        return failure("HIVE_CANNOT_OPEN_SPLIT", message)
    if kind == "OutOfMemoryException":
        # AWS: "Query exhausted resources at this scale factor" (ErrorType 0-8).
        return QueryFailure("EXCEEDED_LOCAL_MEMORY_LIMIT", message, SYSTEM, 0)
    if kind == "InterruptException":
        return QueryFailure("USER_CANCELED", "Query was interrupted", USER, USER_ERROR)
    return QueryFailure("GENERIC_INTERNAL_ERROR", message or kind, SYSTEM, ENGINE_ERROR)


# ---- API errors ---------------------------------------------------------------------------------


class ApiError(Exception):
    """An error the API answers with: ``aws_type`` is AWS's ``__type`` name."""

    aws_type: str = "InvalidRequestException"

    def __init__(self, message: str, athena_error_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.athena_error_code = athena_error_code  # Athena's AthenaErrorCode member


class InvalidRequest(ApiError):
    """Athena's InvalidRequestException (unknown query id, bad token, bad work group...)."""


class ResourceNotFound(ApiError):
    aws_type = "ResourceNotFoundException"


class EntityNotFound(ApiError):
    """Glue's EntityNotFoundException."""

    aws_type = "EntityNotFoundException"


class AlreadyExists(ApiError):
    """Glue's AlreadyExistsException."""

    aws_type = "AlreadyExistsException"


class InvalidInput(ApiError):
    """Glue's InvalidInputException."""

    aws_type = "InvalidInputException"
