"""What only some backends have: store URLs, files on disk, concurrent migrations."""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stepline.store import DEFAULT_URL, MemoryStore, StoreError, open_store
from stepline.store.migrate import load_migrations, migrate, sqlite_statements
from stepline.store.open import open_backend, sqlite_path
from stepline.store.protocol import Append, VersionConflict
from stepline.store.records import ExecutionRecord, WorkItem
from stepline.store.sqlite import SqliteStore


@pytest.mark.parametrize(
    "url",
    [
        "mysql://localhost/db",
        "sqlite:///:memory:",
        "sqlite://relative.db",
        "stepline.db",
        "",
        "memory://x",
    ],
)
def test_bad_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(ValueError, match=r"memory://|sqlite:///"):
        open_store(url)


def test_memory_url() -> None:
    assert isinstance(open_store("memory://"), MemoryStore)


def test_sqlite_paths_follow_sqlalchemy() -> None:
    assert DEFAULT_URL == "sqlite:///.stepline/stepline.db"
    assert sqlite_path(DEFAULT_URL) == (".stepline/stepline.db", {})
    assert sqlite_path("sqlite:////var/lib/x.db?synchronous=full") == (
        "/var/lib/x.db",
        {"synchronous": "full"},
    )
    with pytest.raises(ValueError, match="unknown SQLite URL options"):
        sqlite_path("sqlite:///x.db?journal=delete")


def test_sqlite_creates_parent_directories_and_uses_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store(DEFAULT_URL)
    store.close()
    db = tmp_path / ".stepline" / "stepline.db"
    assert db.is_file()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
    assert names == [m.name for m in load_migrations("sqlite")]


def test_sqlite_store_is_closed_for_every_thread(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "x.db"))
    other = threading.Thread(target=store.list_state_machines)
    other.start()
    other.join()
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.list_state_machines()


def test_both_dialects_ship_the_same_migrations() -> None:
    sqlite_names = [m.name for m in load_migrations("sqlite")]
    assert sqlite_names == [m.name for m in load_migrations("postgres")]
    assert sqlite_names[0] == "0001_initial"
    versions = [m.version for m in load_migrations("sqlite")]
    assert versions == list(range(1, len(versions) + 1))  # numbered 1, 2, 3... without gaps


def test_sqlite_statement_splitting() -> None:
    script = (
        "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT ';');\n\n"
        "CREATE INDEX i ON a (x);\n-- end\n"
    )
    assert sqlite_statements(script) == [
        "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE INDEX i ON a (x);",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        sqlite_statements("CREATE TABLE a (x TEXT)")


def test_migrate_url(durable_url: str) -> None:
    assert migrate(durable_url) == [m.name for m in load_migrations("sqlite")]
    assert migrate(durable_url) == []


def test_concurrent_migrations_apply_once(durable_url: str) -> None:
    stores = [open_backend(durable_url, migrate=False) for _ in range(4)]
    applied: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def run(store: MemoryStore | SqliteStore | object) -> None:
        barrier.wait()
        try:
            applied.append(store.migrate())  # type: ignore[attr-defined]
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert errors == []
    assert sorted(applied) == [[], [], [], [m.name for m in load_migrations("sqlite")]]


def test_postgres_keeps_utc_whatever_the_server_zone(postgres_url: str) -> None:
    store = open_backend(postgres_url)
    conn = store._conn()  # type: ignore[union-attr]
    assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)
    store.close()


def test_unreachable_databases_raise_store_errors(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match=r"cannot connect to PostgreSQL at .*:\*\*\*@127\.0\.0\.1:1/"
    ):
        open_store("postgresql://postgres:secret@127.0.0.1:1/test?connect_timeout=2")
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreError, match="cannot open the SQLite database"):
        open_store(f"sqlite:///{tmp_path}/dir.db")


def test_memory_and_sqlite_agree_on_random_work_operations(tmp_path: Path) -> None:
    """The memory store's claim heaps against SQL's plain query, on the same random ops
    (clocks going back and forth, re-armed keys, cancels, renewals, consumed items)."""
    rng = random.Random(20261120)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    stores = [MemoryStore(), SqliteStore(str(tmp_path / "r.db"))]
    arns = [f"arn:aws:states:us-east-1:1:execution:m:e{n}" for n in range(3)]
    for store in stores:
        for arn in arns:
            record = ExecutionRecord(arn, "arn:sm", arn[-2:], "RUNNING", "{}", t0, "{}")
            store.create_execution(record, [], [])
    versions = dict.fromkeys(arns, 0)
    held: list[tuple[int, str]] = []  # (work id, worker) of claimed items
    stats = dict.fromkeys(["claimed", "consumed", "gone"], 0)
    now = 0.0
    for _ in range(1500):
        now = max(0.0, now + rng.uniform(-3, 5))
        at = t0 + timedelta(seconds=now)
        op = rng.random()
        arn = rng.choice(arns)
        if op < 0.35:
            add = [
                WorkItem(
                    arn,
                    f"k{rng.randrange(12)}",
                    "timer",
                    at + timedelta(seconds=rng.uniform(-2, 8)),
                )
                for _ in range(rng.randrange(1, 3))
            ]
            cancel = [f"k{rng.randrange(12)}" for _ in range(rng.randrange(0, 2))]
            step = Append(arn, versions[arn], "{}", "RUNNING", [], add, cancel)
            results = [s.append(step) for s in stores]
            versions[arn] = results[0]
        elif op < 0.7:
            worker, limit, lease = rng.choice("ab"), rng.randrange(0, 4), rng.uniform(0, 6)
            claims = [s.claim(worker, at, limit, lease) for s in stores]
            assert claims[0] == claims[1]
            stats["claimed"] += len(claims[0])
            held.extend((w.id, worker) for w in claims[0])
        elif op < 0.85 and held:
            work_id, worker = rng.choice(held)
            until = at + timedelta(seconds=rng.uniform(-1, 6))
            renewed = [s.renew(work_id, worker, until) for s in stores]
            assert renewed[0] == renewed[1]
        elif held:
            work_id, _ = held.pop(rng.randrange(len(held)))
            items = {w.id: w for w in stores[1].work_items()}
            owner = items[work_id].execution_arn if work_id in items else arn
            step = Append(owner, versions[owner], "{}", "RUNNING", [], done_work_id=work_id)
            outcomes = []
            for s in stores:
                try:
                    outcomes.append(s.append(step))
                except VersionConflict:
                    outcomes.append(-1)
            assert outcomes[0] == outcomes[1]
            stats["consumed" if outcomes[0] > 0 else "gone"] += 1
            if outcomes[0] > 0:
                versions[owner] = outcomes[0]
        assert stores[0].work_items() == stores[1].work_items()
        assert stores[0].next_due() == stores[1].next_due()
    for store in stores:
        store.close()
    assert min(stats.values()) > 20, stats  # every path was exercised
