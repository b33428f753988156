"""Numbered SQL migrations (``migrations/<dialect>/NNNN_name.sql``), applied once each.

Applied migrations are recorded in ``schema_migrations``; applying again is a no-op. Each
run is one transaction: SQLite serialises concurrent runs with ``BEGIN IMMEDIATE``,
PostgreSQL with a transaction-level advisory lock.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    import psycopg

Dialect: TypeAlias = Literal["sqlite", "postgres"]

# pg_advisory_xact_lock key: b"Stepline" as a big-endian integer.
ADVISORY_LOCK_KEY = 0x537465706C696E65

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_SQLITE_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""

_POSTGRES_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str  # the file name without ".sql", e.g. "0001_initial"
    sql: str


def load_migrations(dialect: Dialect) -> list[Migration]:
    """The dialect's migrations shipped with the package, in order."""
    folder = resources.files("stepline.store").joinpath("migrations", dialect)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), entry.name[:-4], entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two {dialect} migrations share a number: {versions}")
    return found


def sqlite_statements(sql: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit on its own)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if _has_code(buffer):
                statements.append(buffer.strip())
            buffer = ""
    if _has_code(buffer):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer.strip()!r}")
    return statements


def _has_code(sql: str) -> bool:
    return any(line.split("--", 1)[0].strip(" ;\t\r\n") for line in sql.splitlines())


def apply_sqlite(conn: sqlite3.Connection, up_to: int | None = None) -> list[str]:
    """Apply pending migrations (those numbered up to ``up_to``, when given); returns the
    names applied. ``conn`` must be in autocommit mode (``isolation_level=None``)."""
    pending = [m for m in load_migrations("sqlite") if up_to is None or m.version <= up_to]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_SQLITE_TABLE)
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for migration in pending:
            if migration.version in done:
                continue
            for statement in sqlite_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                (migration.version, migration.name),
            )
            applied.append(migration.name)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied


def apply_postgres(
    conn: psycopg.Connection[tuple[object, ...]], up_to: int | None = None
) -> list[str]:
    """Apply pending migrations (those numbered up to ``up_to``, when given) in the
    connection's schema (its ``search_path``); returns the names applied. Safe to run from
    several processes at once."""
    pending = [m for m in load_migrations("postgres") if up_to is None or m.version <= up_to]
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        conn.execute(_POSTGRES_TABLE)
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for migration in pending:
            if migration.version in done:
                continue
            conn.execute(migration.sql.encode("utf-8"))
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied.append(migration.name)
    return applied


def migrate(url: str) -> list[str]:
    """Bring the database at ``url`` up to date (``stepline migrate``); returns the names of
    the migrations applied (empty when it already was)."""
    from stepline.store.open import open_backend

    store = open_backend(url, migrate=False)
    try:
        return store.migrate()
    finally:
        store.close()
