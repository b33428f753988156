"""The store contract for revisions, versions and aliases, and the revision an execution
pins: every test runs against memory, SQLite and PostgreSQL (the migration test against the
SQL backends)."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from stepline.store import _common as c
from stepline.store.memory import MemoryStore
from stepline.store.migrate import apply_postgres, apply_sqlite
from stepline.store.open import open_backend, sqlite_path
from stepline.store.postgres import PostgresStore
from stepline.store.protocol import AlreadyExists, Append, Conflict, NotFound
from stepline.store.records import (
    INITIAL_REVISION,
    AliasRecord,
    ExecutionRecord,
    RevisionRecord,
    Route,
    StateMachineRecord,
)
from stepline.store.sqlite import SqliteStore

AnyStore = MemoryStore | SqliteStore | PostgresStore
T0 = datetime(2026, 11, 20, 8, 30, 0, 123456, tzinfo=UTC)
SM = "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
OTHER = "arn:aws:states:us-east-1:123456789012:stateMachine:billing"
ROLE = "arn:aws:iam::1:role/r"
V1 = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
V2 = '{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}'


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def machine(arn: str = SM, definition: str = V1) -> StateMachineRecord:
    return StateMachineRecord(arn, arn.rsplit(":", 1)[1], definition, ROLE, "STANDARD", T0)


def revision(rev: str, definition: str = V2, arn: str = SM, role: str = ROLE) -> RevisionRecord:
    return RevisionRecord(arn, rev, definition, role, at(60))


def alias(name: str, *routes: tuple[int, int], arn: str = SM, when: float = 0) -> AliasRecord:
    return AliasRecord(arn, name, tuple(Route(v, w) for v, w in routes), at(when), at(when))


@pytest.fixture
def orders(store: AnyStore) -> AnyStore:
    store.create_state_machine(machine())
    return store


# ---- revisions ----------------------------------------------------------------------------


def test_a_new_machine_has_its_initial_revision(orders: AnyStore) -> None:
    found = orders.get_state_machine(SM)
    assert found is not None and found.revision_id == INITIAL_REVISION
    assert orders.get_revision(SM, INITIAL_REVISION) == RevisionRecord(
        SM, INITIAL_REVISION, V1, ROLE, T0
    )
    assert orders.get_revision(SM, "nope") is None
    assert orders.get_revision(OTHER, INITIAL_REVISION) is None


def test_an_update_keeps_every_revision(orders: AnyStore) -> None:
    updated = orders.update_state_machine(revision("r1", V2, role="arn:aws:iam::1:role/new"))
    assert updated == dataclasses.replace(
        machine(), definition=V2, role_arn="arn:aws:iam::1:role/new", revision_id="r1"
    )
    assert orders.get_state_machine(SM) == updated
    assert orders.list_state_machines() == [updated]
    assert orders.get_revision(SM, INITIAL_REVISION) == RevisionRecord(
        SM, INITIAL_REVISION, V1, ROLE, T0
    )
    assert orders.get_revision(SM, "r1") == RevisionRecord(
        SM, "r1", V2, "arn:aws:iam::1:role/new", at(60)
    )
    with pytest.raises(AlreadyExists, match="r1"):
        orders.update_state_machine(revision("r1", V1))
    assert orders.get_state_machine(SM) == updated  # unchanged by the refused update
    with pytest.raises(NotFound, match="billing"):
        orders.update_state_machine(revision("r2", arn=OTHER))
    assert orders.get_revision(OTHER, "r2") is None


def test_revisions_of_two_machines_may_share_ids(orders: AnyStore) -> None:
    orders.create_state_machine(machine(OTHER, V2))
    assert orders.get_revision(OTHER, INITIAL_REVISION) == RevisionRecord(
        OTHER, INITIAL_REVISION, V2, ROLE, T0
    )
    orders.update_state_machine(revision("same", V2))
    orders.update_state_machine(revision("same", V1, arn=OTHER))
    assert orders.get_revision(SM, "same").definition == V2  # type: ignore[union-attr]
    assert orders.get_revision(OTHER, "same").definition == V1  # type: ignore[union-attr]


# ---- versions -----------------------------------------------------------------------------


def test_versions_are_numbered_and_numbers_are_never_reused(orders: AnyStore) -> None:
    first = orders.publish_version(SM, None, at(1), "first")
    assert (first.number, first.revision_id, first.created_at, first.description) == (
        1,
        INITIAL_REVISION,
        at(1),
        "first",
    )
    assert first.arn == f"{SM}:1"
    # publishing the same revision again returns its version (AWS: idempotent)
    assert orders.publish_version(SM, None, at(2), "ignored") == first
    orders.update_state_machine(revision("r1"))
    second = orders.publish_version(SM, "r1", at(3))
    assert (second.number, second.revision_id, second.description) == (2, "r1", None)
    assert orders.delete_version(SM, 2) is True
    assert orders.delete_version(SM, 2) is False
    assert orders.get_version(SM, 2) is None
    third = orders.publish_version(SM, None, at(4))  # r1 again: its version was deleted
    assert (third.number, third.revision_id) == (3, "r1")
    assert [v.number for v in orders.list_versions(SM)] == [3, 1]
    assert orders.get_version(SM, 1) == first
    assert orders.get_version(SM, 3) == third
    assert orders.list_versions(OTHER) == []


def test_numbers_are_not_reused_after_deleting_the_newest(orders: AnyStore) -> None:
    for n in range(1, 4):
        orders.update_state_machine(revision(f"r{n}"))
        assert orders.publish_version(SM, None, at(n)).number == n
    for n in (3, 2, 1):
        assert orders.delete_version(SM, n)
    assert orders.list_versions(SM) == []
    orders.update_state_machine(revision("r4"))
    assert orders.publish_version(SM, None, at(9)).number == 4


def test_publishing_a_revision_that_is_not_current_conflicts(orders: AnyStore) -> None:
    assert orders.publish_version(SM, INITIAL_REVISION, at(1)).number == 1
    orders.update_state_machine(revision("r1"))
    with pytest.raises(Conflict) as caught:
        orders.publish_version(SM, INITIAL_REVISION, at(2))
    assert str(caught.value) == c.stale_revision(INITIAL_REVISION, "r1")
    assert [v.number for v in orders.list_versions(SM)] == [1]
    assert orders.publish_version(SM, "r1", at(3)).number == 2
    with pytest.raises(NotFound, match="billing"):
        orders.publish_version(OTHER, None, at(4))


def test_concurrent_publishers_of_one_revision_get_one_version(orders: AnyStore) -> None:
    barrier = threading.Barrier(8)
    numbers: list[int] = []

    def publish(i: int) -> None:
        barrier.wait()
        numbers.append(orders.publish_version(SM, None, at(i)).number)

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert numbers == [1] * 8
    assert [v.number for v in orders.list_versions(SM)] == [1]


# ---- aliases ------------------------------------------------------------------------------


def published(store: AnyStore, count: int) -> None:
    for n in range(1, count + 1):
        store.update_state_machine(revision(f"r{n}"))
        store.publish_version(SM, None, at(n))


def test_aliases_are_created_read_listed_and_deleted(orders: AnyStore) -> None:
    published(orders, 2)
    live = alias("live", (1, 80), (2, 20))
    orders.create_alias(live)
    assert orders.get_alias(SM, "live") == live
    assert live.arn == f"{SM}:live"
    described = dataclasses.replace(alias("beta", (2, 100), when=5), description="try me")
    orders.create_alias(described)
    orders.create_alias(alias("gamma", (1, 100), when=5))  # same time as beta: created later
    assert [a.name for a in orders.list_aliases(SM)] == ["gamma", "beta", "live"]
    assert orders.get_alias(SM, "beta") == described
    assert orders.list_aliases(OTHER) == []
    assert orders.get_alias(SM, "nope") is None
    assert orders.delete_alias(SM, "beta") is True
    assert orders.delete_alias(SM, "beta") is False
    assert [a.name for a in orders.list_aliases(SM)] == ["gamma", "live"]


def test_an_alias_name_is_taken_once_per_machine(orders: AnyStore) -> None:
    published(orders, 1)
    orders.create_alias(alias("live", (1, 100)))
    with pytest.raises(AlreadyExists, match="live"):
        orders.create_alias(alias("live", (1, 100), when=9))
    assert orders.get_alias(SM, "live") == alias("live", (1, 100))


def test_an_alias_routes_only_to_existing_versions(orders: AnyStore) -> None:
    published(orders, 1)
    with pytest.raises(NotFound, match=":2"):
        orders.create_alias(alias("live", (1, 50), (2, 50)))
    assert orders.get_alias(SM, "live") is None
    with pytest.raises(NotFound, match="billing"):
        orders.create_alias(alias("live", (1, 100), arn=OTHER))
    orders.create_alias(alias("live", (1, 100)))
    with pytest.raises(NotFound, match=":7"):
        orders.update_alias(alias("live", (7, 100), when=3))
    assert orders.get_alias(SM, "live") == alias("live", (1, 100))


def test_an_update_replaces_routes_and_description_but_not_creation(orders: AnyStore) -> None:
    published(orders, 2)
    orders.create_alias(alias("live", (1, 100)))
    changed = dataclasses.replace(
        alias("live", (1, 10), (2, 90), when=30), created_at=at(999), description="canary"
    )
    orders.update_alias(changed)
    assert orders.get_alias(SM, "live") == dataclasses.replace(changed, created_at=at(0))
    with pytest.raises(NotFound, match="nope"):
        orders.update_alias(alias("nope", (1, 100)))
    assert orders.get_alias(SM, "nope") is None


def test_a_version_an_alias_routes_to_cannot_be_deleted(orders: AnyStore) -> None:
    published(orders, 3)
    orders.create_alias(alias("live", (1, 70), (2, 30)))
    orders.create_alias(alias("beta", (2, 100)))
    with pytest.raises(Conflict) as caught:
        orders.delete_version(SM, 2)
    assert str(caught.value) == c.version_routed(["beta", "live"])
    assert orders.get_version(SM, 2) is not None
    orders.update_alias(alias("live", (1, 100), when=1))
    orders.delete_alias(SM, "beta")
    assert orders.delete_version(SM, 2) is True
    assert orders.delete_version(SM, 3) is True  # never routed
    assert [v.number for v in orders.list_versions(SM)] == [1]


# ---- executions pin their revision ----------------------------------------------------------


def test_an_execution_keeps_the_revision_version_and_alias_it_started_with(
    orders: AnyStore,
) -> None:
    pinned = ExecutionRecord(
        f"{SM.replace(':stateMachine:', ':execution:')}:run-1",
        SM,
        "run-1",
        "RUNNING",
        "{}",
        T0,
        '{"v": 0}',
        revision_id="r9",
        version_arn=f"{SM}:4",
        alias_arn=f"{SM}:live",
    )
    plain = ExecutionRecord(f"{pinned.arn[:-1]}2", SM, "run-2", "RUNNING", "{}", T0, "{}")
    orders.create_execution(pinned, [], [])
    orders.create_execution(plain, [], [])
    assert orders.get_execution(pinned.arn) == pinned
    stored = orders.get_execution(plain.arn)
    assert stored is not None
    assert (stored.revision_id, stored.version_arn, stored.alias_arn) == (
        INITIAL_REVISION,
        None,
        None,
    )
    orders.append(Append(pinned.arn, 0, '{"v": 1}', "SUCCEEDED", [], output="1", stop_date=T0))
    after = orders.get_execution(pinned.arn)
    assert after is not None and after.status == "SUCCEEDED"
    assert (after.revision_id, after.version_arn, after.alias_arn) == (
        "r9",
        f"{SM}:4",
        f"{SM}:live",
    )
    listed = {e.name: e for e in orders.list_executions(SM)}
    assert listed["run-1"].revision_id == "r9" and listed["run-1"].alias_arn == f"{SM}:live"


# ---- a database created before versions existed ------------------------------------------------


def test_a_database_at_0001_migrates_and_keeps_its_machines_and_executions(
    durable_url: str,
) -> None:
    execution_arn = SM.replace(":stateMachine:", ":execution:") + ":old"
    micros = c.to_micros(T0)
    if durable_url.startswith("sqlite"):
        path, _ = sqlite_path(durable_url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path, isolation_level=None) as conn:
            assert apply_sqlite(conn, up_to=1) == ["0001_initial"]
            conn.execute(
                "INSERT INTO state_machines VALUES (?, ?, ?, ?, ?, ?)",
                (SM, "orders", V1, ROLE, "STANDARD", micros),
            )
            conn.execute(
                "INSERT INTO executions (arn, state_machine_arn, name, status, input,"
                " start_date, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (execution_arn, SM, "old", "RUNNING", "{}", micros, "{}", 3),
            )
        conn.close()
    else:
        with psycopg.connect(durable_url, autocommit=True) as pg:
            assert apply_postgres(pg, up_to=1) == ["0001_initial"]
            pg.execute(
                "INSERT INTO state_machines VALUES (%s, %s, %s, %s, %s, %s)",
                (SM, "orders", V1, ROLE, "STANDARD", T0),
            )
            pg.execute(
                "INSERT INTO executions (arn, state_machine_arn, name, status, input,"
                " start_date, state, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (execution_arn, SM, "old", "RUNNING", "{}", T0, "{}", 3),
            )
    store = open_backend(durable_url)  # migrates to the head
    try:
        assert store.get_state_machine(SM) == machine()
        assert store.get_revision(SM, INITIAL_REVISION) == RevisionRecord(
            SM, INITIAL_REVISION, V1, ROLE, T0
        )
        old = store.get_execution(execution_arn)
        assert old is not None and old.version == 3
        assert (old.revision_id, old.version_arn, old.alias_arn) == (INITIAL_REVISION, None, None)
        assert store.list_versions(SM) == []
        assert store.publish_version(SM, INITIAL_REVISION, at(1)).number == 1
        store.update_state_machine(revision("r1"))
        assert store.publish_version(SM, None, at(2)).number == 2
        assert store.migrate() == []
    finally:
        store.close()
