"""What a query engine needs of its process: its DuckDB database, and whether the engine
that owns a query (``host:pid:id``) is gone."""

from __future__ import annotations

import os
import socket
from typing import Any

import duckdb

from stepline.athena import macros


def orphaned(owner: str | None, me: str) -> bool:
    """Whether ``owner`` (host:pid:id) is an engine of this host whose process is gone."""
    if owner is None or owner == me:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    if int(pid_text) == os.getpid():
        return False  # another engine of this process: it may still run it
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def open_database(threads: int | None = None, memory_limit: str | None = None) -> Any:
    """One in-memory DuckDB database with Athena's settings and the macros."""
    db = duckdb.connect(":memory:")
    db.execute("SET GLOBAL TimeZone = 'UTC'")  # AWS: Athena's session time zone is UTC
    db.execute("SET GLOBAL integer_division = true")  # Trino: 5 / 2 = 2
    db.execute("SET GLOBAL parquet_metadata_cache = true")
    if threads:
        db.execute(f"SET GLOBAL threads = {int(threads)}")
    if memory_limit:
        db.execute("SET GLOBAL memory_limit = ?", [memory_limit])
    macros.install(db)
    return db
