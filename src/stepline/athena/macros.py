"""DuckDB macros for Trino functions that DuckDB has not (or has with another meaning) and
that the translator (stepline.athena.translate) cannot rewrite inline. Created once per
DuckDB database (``install``); docs/sql.md lists them with the translated functions."""

from __future__ import annotations

from typing import Any, Final

# name -> (parameters, body)
MACROS: Final[dict[str, tuple[str, str]]] = {
    # Trino: json_extract_scalar is NULL when the value at the path is an object or an array
    # (DuckDB's ->> gives their JSON text).
    "athena_json_extract_scalar": (
        "j, p",
        "CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL"
        " ELSE json_extract_string(j, p) END",
    ),
}


def install(connection: Any) -> None:
    """Create the macros in ``connection``'s database (visible to all its cursors)."""
    for name, (parameters, body) in MACROS.items():
        connection.execute(f"CREATE OR REPLACE MACRO {name}({parameters}) AS {body}")
