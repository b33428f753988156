"""The store contract for tags, configurations and the deletion of a state machine: every
test runs against memory, SQLite and PostgreSQL (the migration test against the SQL
backends)."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from factories import SM, T0, AnyStore, at, event, execution, step, work

from stepline.store import _common as c
from stepline.store.migrate import apply_postgres, apply_sqlite
from stepline.store.open import open_backend, sqlite_path
from stepline.store.protocol import AlreadyExists, NotFound, TooManyTags
from stepline.store.records import (
    INITIAL_REVISION,
    ActivityRecord,
    AliasRecord,
    RevisionRecord,
    Route,
    StateMachineRecord,
    Tag,
)

OTHER = "arn:aws:states:us-east-1:123456789012:stateMachine:billing"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:approvals"
ROLE = "arn:aws:iam::1:role/r"
V1 = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
LOGGING = '{"level": "OFF", "includeExecutionData": false}'


def machine(arn: str = SM) -> StateMachineRecord:
    return StateMachineRecord(arn, arn.rsplit(":", 1)[1], V1, ROLE, "STANDARD", T0)


@pytest.fixture
def orders(store: AnyStore) -> AnyStore:
    store.create_state_machine(machine())
    return store


# ---- configurations ----------------------------------------------------------------------


def test_configurations_are_kept_and_replaced_one_by_one(store: AnyStore) -> None:
    configured = dataclasses.replace(machine(), logging=LOGGING, encryption='{"type": "A"}')
    store.create_state_machine(configured)
    assert store.get_state_machine(SM) == configured
    changed = store.configure_state_machine(SM, tracing='{"enabled": true}')
    assert changed == dataclasses.replace(configured, tracing='{"enabled": true}')
    assert store.configure_state_machine(SM, encryption='{"type": "B"}').logging == LOGGING
    assert store.get_state_machine(SM) == dataclasses.replace(changed, encryption='{"type": "B"}')
    assert store.configure_state_machine(SM) == store.get_state_machine(SM)  # nothing given
    with pytest.raises(NotFound):
        store.configure_state_machine(OTHER, logging=LOGGING)


# ---- tags --------------------------------------------------------------------------------


def test_tags_of_machines_and_activities(orders: AnyStore) -> None:
    orders.create_activity(ActivityRecord(ACTIVITY, "approvals", T0))
    orders.tag_resource(SM, [Tag("team", "data"), Tag("env", "dev")], 50)
    orders.tag_resource(SM, [Tag("env", "prod"), Tag("cost", ""), Tag("cost", "42")], 50)
    assert orders.list_tags(SM) == [Tag("cost", "42"), Tag("env", "prod"), Tag("team", "data")]
    orders.untag_resource(SM, ["team", "absent", "team"])
    assert orders.list_tags(SM) == [Tag("cost", "42"), Tag("env", "prod")]
    assert orders.list_tags(ACTIVITY) == []
    orders.tag_resource(ACTIVITY, [Tag("Env", "x")], 50)
    assert orders.list_tags(ACTIVITY) == [Tag("Env", "x")]  # keys are case-sensitive
    orders.untag_resource(SM, [])
    assert len(orders.list_tags(SM)) == 2


def test_tags_of_an_unknown_resource_are_not_found(store: AnyStore) -> None:
    for call in (
        lambda: store.tag_resource(SM, [Tag("a", "b")], 50),
        lambda: store.untag_resource(SM, ["a"]),
        lambda: store.list_tags(SM),
    ):
        with pytest.raises(NotFound, match="Resource not found"):
            call()


def test_too_many_tags_changes_nothing(orders: AnyStore) -> None:
    orders.tag_resource(SM, [Tag(f"k{i}", "v") for i in range(3)], 4)
    orders.tag_resource(SM, [Tag("k0", "new")], 4)  # a replaced value does not count twice
    with pytest.raises(TooManyTags) as raised:
        orders.tag_resource(SM, [Tag("k3", "v"), Tag("k4", "v")], 4)
    assert raised.value.resource_arn == SM
    assert [t.key for t in orders.list_tags(SM)] == ["k0", "k1", "k2"]
    assert orders.list_tags(SM)[0] == Tag("k0", "new")


def test_created_with_tags_and_the_tags_go_with_the_resource(store: AnyStore) -> None:
    store.create_state_machine(machine(), [Tag("a", "1"), Tag("a", "2"), Tag("b", "")])
    assert store.list_tags(SM) == [Tag("a", "2"), Tag("b", "")]
    activity = ActivityRecord(ACTIVITY, "approvals", T0)
    store.create_activity(activity, [Tag("team", "ops")])
    store.create_activity(dataclasses.replace(activity, created_at=at(9)), [Tag("x", "y")])
    assert store.list_tags(ACTIVITY) == [Tag("team", "ops")]  # created again: tags unchanged
    assert store.delete_activity(ACTIVITY)
    store.create_activity(activity)
    assert store.list_tags(ACTIVITY) == []  # a new activity of that name starts untagged
    with pytest.raises(AlreadyExists):
        store.create_state_machine(machine(), [Tag("c", "3")])
    assert store.list_tags(SM) == [Tag("a", "2"), Tag("b", "")]


def test_concurrent_tagging_never_exceeds_the_limit(orders: AnyStore) -> None:
    errors: list[Exception] = []

    def tag(prefix: str) -> None:
        try:
            orders.tag_resource(SM, [Tag(f"{prefix}{i}", "v") for i in range(3)], 5)
        except TooManyTags as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tag, args=(p,)) for p in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1 and len(orders.list_tags(SM)) == 3


# ---- deleting a state machine --------------------------------------------------------------


def test_marking_flags_the_executions_of_the_machine(orders: AnyStore) -> None:
    running, done = execution("running"), execution("done", status="SUCCEEDED")
    other = execution("other", sm=OTHER)
    for record in (running, done, other):
        orders.create_execution(record, [event(record.arn, 1)], [])
    marked = orders.mark_state_machine_deleting(SM)
    assert marked == dataclasses.replace(machine(), status="DELETING")
    assert orders.get_state_machine(SM) == marked
    assert orders.list_state_machines() == [marked]
    assert orders.get_execution(running.arn) == dataclasses.replace(running, machine_deleting=True)
    assert orders.get_execution(done.arn) == dataclasses.replace(done, machine_deleting=True)
    assert orders.get_execution(other.arn) == other
    assert orders.mark_state_machine_deleting(OTHER) is None
    # A step keeps the flag (the version guard is unaffected by the mark).
    orders.append(step(running.arn, 0, status="FAILED", stop_date=at(1)))
    flagged = orders.get_execution(running.arn)
    assert flagged is not None and flagged.machine_deleting and flagged.version == 1


def test_purge_waits_for_running_executions_and_a_deleting_status(orders: AnyStore) -> None:
    running = execution("running")
    orders.create_execution(running, [event(running.arn, 1)], [work(running.arn, "t#1")])
    assert orders.purge_state_machine(SM) is False  # ACTIVE
    orders.mark_state_machine_deleting(SM)
    assert orders.purge_state_machine(SM) is False  # an execution still runs
    assert orders.get_state_machine(SM) is not None
    orders.append(step(running.arn, 0, status="ABORTED", stop_date=at(1), cancel_keys=["t#1"]))
    assert orders.purge_state_machine(SM) is True
    assert orders.purge_state_machine(SM) is False
    assert orders.purge_state_machine(OTHER) is False


def test_purge_takes_everything_of_the_machine_but_its_revisions(orders: AnyStore) -> None:
    mine = execution("mine", status="SUCCEEDED")
    theirs = execution("theirs", sm=OTHER)
    orders.create_state_machine(machine(OTHER))
    orders.create_execution(mine, [event(mine.arn, 1), event(mine.arn, 2)], [work(mine.arn, "x")])
    orders.create_execution(theirs, [event(theirs.arn, 1)], [work(theirs.arn, "y")])
    orders.publish_version(SM, None, at(1))
    orders.create_alias(AliasRecord(SM, "live", (Route(1, 100),), at(2), at(2)))
    orders.tag_resource(SM, [Tag("a", "b")], 50)
    orders.tag_resource(OTHER, [Tag("c", "d")], 50)
    orders.mark_state_machine_deleting(SM)
    assert orders.purge_state_machine(SM)
    assert orders.get_state_machine(SM) is None
    assert orders.list_state_machines() == [machine(OTHER)]
    assert orders.get_execution(mine.arn) is None
    assert orders.history(mine.arn) == []
    assert orders.list_executions(SM) == []
    assert [w.execution_arn for w in orders.work_items()] == [theirs.arn]
    assert orders.list_versions(SM) == [] and orders.get_version(SM, 1) is None
    assert orders.list_aliases(SM) == [] and orders.get_alias(SM, "live") is None
    with pytest.raises(NotFound):
        orders.list_tags(SM)
    assert orders.list_tags(OTHER) == [Tag("c", "d")]
    assert orders.get_execution(theirs.arn) == theirs
    # Revisions stay: a cached definition is never confused with a new machine's.
    assert orders.get_revision(SM, INITIAL_REVISION) == RevisionRecord(
        SM, INITIAL_REVISION, V1, ROLE, T0
    )


def test_a_purged_name_can_be_used_again(orders: AnyStore) -> None:
    old = execution("run-1", status="SUCCEEDED")
    orders.create_execution(old, [event(old.arn, 1)], [])
    orders.publish_version(SM, None, at(1))
    orders.mark_state_machine_deleting(SM)
    orders.purge_state_machine(SM)
    again = dataclasses.replace(machine(), created_at=at(5), revision_id="INITIAL:2")
    orders.create_state_machine(again, [Tag("new", "yes")])
    assert orders.get_state_machine(SM) == again
    assert orders.list_tags(SM) == [Tag("new", "yes")]
    assert orders.publish_version(SM, None, at(6)).number == 1  # numbering starts afresh
    orders.create_execution(old, [event(old.arn, 1)], [])  # its execution names are free


# ---- a database created before deletion existed ------------------------------------------


def test_a_database_at_0004_migrates_to_active_machines_and_unflagged_runs(
    durable_url: str,
) -> None:
    execution_arn = SM.replace(":stateMachine:", ":execution:") + ":old"
    insert_machine = "INSERT INTO state_machines (arn, name, definition, role_arn, type,"
    insert_machine += " created_at) VALUES (?, ?, ?, ?, ?, ?)"
    insert_execution = "INSERT INTO executions (arn, state_machine_arn, name, status, input,"
    insert_execution += " start_date, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    if durable_url.startswith("sqlite"):
        path, _ = sqlite_path(durable_url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        micros = c.to_micros(T0)
        with sqlite3.connect(path, isolation_level=None) as conn:
            assert apply_sqlite(conn, up_to=4)[-1] == "0004_redrive"
            conn.execute(insert_machine, (SM, "orders", V1, ROLE, "STANDARD", micros))
            conn.execute(
                insert_execution, (execution_arn, SM, "old", "RUNNING", "{}", micros, "{}", 3)
            )
        conn.close()
    else:
        with psycopg.connect(durable_url, autocommit=True) as pg:
            assert apply_postgres(pg, up_to=4)[-1] == "0004_redrive"
            pg.execute(insert_machine.replace("?", "%s"), (SM, "orders", V1, ROLE, "STANDARD", T0))
            pg.execute(
                insert_execution.replace("?", "%s"),
                (execution_arn, SM, "old", "RUNNING", "{}", T0, "{}", 3),
            )
    store = open_backend(durable_url)  # migrates to the head
    try:
        assert store.get_state_machine(SM) == machine()
        old = store.get_execution(execution_arn)
        assert old is not None and old.machine_deleting is False and old.version == 3
        assert store.list_tags(SM) == []
        marked = store.mark_state_machine_deleting(SM)
        assert marked is not None and marked.status == "DELETING"
        flagged = store.get_execution(execution_arn)
        assert flagged is not None and flagged.machine_deleting
        assert store.migrate() == []
    finally:
        store.close()
