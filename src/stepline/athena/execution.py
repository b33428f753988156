"""One statement of one query execution, start to end: parameters substituted, parsed,
dispatched (SELECT, INSERT INTO, CTAS, DDL), its result written. Failures are
``QueryFailure``s; the engine (stepline.athena.engine) records the outcome."""

from __future__ import annotations

from stepline.athena import statements as s
from stepline.athena.ddl import Ddl
from stepline.athena.errors import SYSTEM, QueryFailure, failure, syntax_failure
from stepline.athena.parse import parse_statement
from stepline.athena.query import Outcome, Run, run_select
from stepline.athena.results import varchar_columns, write_rows
from stepline.athena.tokens import SqlSyntaxError, substitute_parameters
from stepline.athena.translate import DEFAULT_CATALOG
from stepline.athena.writes import run_create_table_as, run_insert
from stepline.lake.paths import LakePathError


def statement_text(query: str, parameters: tuple[str, ...]) -> str:
    """The statement to run: ``query`` with its ``?`` placeholders replaced."""
    if not parameters:
        return query
    try:
        return substitute_parameters(query, parameters)
    except SqlSyntaxError as error:
        raise syntax_failure(query, error, "INVALID_PARAMETER_USAGE") from None


def parse(text: str) -> s.Statement:
    try:
        return parse_statement(text)
    except SqlSyntaxError as error:
        raise syntax_failure(text, error) from None


def check_catalog(catalog: str | None) -> None:
    if catalog and catalog.lower() != DEFAULT_CATALOG:
        raise failure("CATALOG_NOT_FOUND", f"Catalog '{catalog}' does not exist")


def execute(run: Run, statement: s.Statement) -> Outcome:
    """Run ``statement``; its result file is written when it returns."""
    try:
        if isinstance(statement, s.Query):
            return run_select(run, statement)
        if isinstance(statement, s.Insert):
            return run_insert(run, statement)
        if isinstance(statement, s.CreateTableAs):
            return run_create_table_as(run, statement)
        if isinstance(statement, s.Unsupported):
            raise failure(
                "NOT_SUPPORTED",
                f"stepline does not run {statement.kind} statements (see docs/sql.md)",
            )
        rows = Ddl(run.catalog, run.lake, run.database).run(statement)
        write_rows(run.output, rows.names, rows.rows)
        return Outcome(varchar_columns(*rows.names), len(rows.rows), header=False)
    except LakePathError as error:
        raise failure("INVALID_LOCATION", str(error)) from None
    except OSError as error:
        # AWS: ErrorType 401, the results (or data) could not be written.
        raise QueryFailure("HIVE_FILESYSTEM_ERROR", str(error), SYSTEM, 401) from None
