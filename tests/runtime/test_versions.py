"""UpdateStateMachine, versions and aliases through the service and a worker, on SQLite and
PostgreSQL: every execution runs the definition it started with, to its end."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from runner import Run

from stepline.asl.errors import DefinitionError
from stepline.catalog_checks import StateMachineDoesNotExist, ValidationError
from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.stepfunctions import StepFunctions
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store
from stepline.store.protocol import Conflict
from stepline.store.records import INITIAL_REVISION

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
T0 = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
# Two definitions sharing no state name: an execution decoded with the other one fails.
OLD = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Mark"},
        "Mark": {"Type": "Pass", "Result": {"ran": "old"}, "End": True},
    },
}
NEW = {
    "StartAt": "Hold",
    "States": {
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Stamp"},
        "Stamp": {"Type": "Pass", "Result": {"ran": "new"}, "End": True},
    },
}
OLD_TASK = {
    "StartAt": "Double",
    "States": {
        "Double": {"Type": "Task", "Resource": LAMBDA + "double", "Next": "Old"},
        "Old": {"Type": "Pass", "Parameters": {"ran": "old", "n.$": "$.n"}, "End": True},
    },
}
NEW_TASK = {
    "StartAt": "Triple",
    "States": {
        "Triple": {"Type": "Task", "Resource": LAMBDA + "double", "Next": "New"},
        "New": {"Type": "Pass", "Parameters": {"ran": "new", "n.$": "$.n"}, "End": True},
    },
}


def tagged(tag: str) -> str:
    """A machine that ends at once with its tag and the context's state machine id."""
    return json.dumps(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Pass",
                    "Parameters": {"tag": tag, "id.$": "$$.StateMachine.Id"},
                    "End": True,
                }
            },
        }
    )


def functions() -> dict[str, Any]:
    return {"double": lambda event, context: {"n": event["n"] * 2}}


def worker(service: Service) -> Worker:
    return Worker(service, Registry([LambdaFunctions(functions())]), "w1")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def service(durable_url: str, clock: ManualClock) -> Service:
    return Service(open_store(durable_url), clock, rng=random.Random(7))


def output(service: Service, arn: str) -> Any:
    record = service.describe_execution(arn)
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    return json.loads(record.output or "null")


# ---- UpdateStateMachine -------------------------------------------------------------------


def test_an_update_leaves_a_waiting_execution_on_its_definition(
    service: Service, clock: ManualClock, durable_url: str
) -> None:
    service.create_state_machine("flow", json.dumps(OLD))
    before = service.start_execution("flow", "{}", "before")
    updated = service.versions.update_state_machine("flow", json.dumps(NEW))
    assert updated.revision_id is not None and updated.machine.definition == json.dumps(NEW)
    after = service.start_execution("flow", "{}", "after")
    assert service.describe_execution(before.arn).revision_id == INITIAL_REVISION
    assert service.describe_execution(after.arn).revision_id == updated.revision_id
    clock.advance(3600)
    # another process (no cached definitions) finishes both
    elsewhere = Service(open_store(durable_url), clock)
    worker(elsewhere).run_until_idle()
    assert output(service, before.arn) == {"ran": "old"}
    assert output(service, after.arn) == {"ran": "new"}
    assert [e.type for e in service.history(before.arn)][1] == "WaitStateEntered"
    entered = json.loads(service.history(before.arn)[1].details or "{}")
    assert entered["name"] == "Pause"


def test_an_update_leaves_a_task_in_flight_on_its_definition(
    service: Service, durable_url: str
) -> None:
    service.create_state_machine("tasks", json.dumps(OLD_TASK))
    before = service.start_execution("tasks", '{"n": 2}', "before")  # its task not run yet
    service.versions.update_state_machine("tasks", json.dumps(NEW_TASK))
    after = service.start_execution("tasks", '{"n": 5}', "after")
    worker(Service(open_store(durable_url), service.clock)).run_until_idle()
    assert output(service, before.arn) == {"ran": "old", "n": 4}
    assert output(service, after.arn) == {"ran": "new", "n": 10}


def test_an_update_that_changes_nothing_keeps_the_revision(service: Service) -> None:
    service.create_state_machine("flow", json.dumps(OLD))
    same = service.versions.update_state_machine("flow", json.dumps(OLD), publish=True)
    # AWS (recorded): no new revision, so no revisionId yet, and version 1 for it
    assert same.revision_id is None and same.version is not None and same.version.number == 1
    again = service.versions.update_state_machine("flow", json.dumps(OLD), publish=True)
    assert again.version == same.version
    role = service.versions.update_state_machine("flow", role_arn="arn:aws:iam::1:role/other")
    assert role.revision_id is not None and role.machine.role_arn == "arn:aws:iam::1:role/other"
    started = service.start_execution("flow", "{}", "x")
    assert started.revision_id == role.revision_id


def test_an_invalid_update_changes_nothing(service: Service) -> None:
    service.create_state_machine("flow", json.dumps(OLD))
    with pytest.raises(DefinitionError):
        service.versions.update_state_machine("flow", '{"StartAt": "Nowhere", "States": {}}')
    with pytest.raises(ValidationError, match="definition or the roleArn"):
        service.versions.update_state_machine("flow")
    with pytest.raises(ValidationError, match="only be set when publish is true"):
        service.versions.update_state_machine("flow", json.dumps(NEW), version_description="x")
    with pytest.raises(StateMachineDoesNotExist, match="ghost"):
        service.versions.update_state_machine("ghost", json.dumps(NEW))
    machine = service.state_machine("flow")
    assert machine.revision_id == INITIAL_REVISION and json.loads(machine.definition) == OLD


# ---- versions -----------------------------------------------------------------------------


def test_an_execution_started_on_a_version_runs_that_version(service: Service) -> None:
    created = service.create_state_machine("m", tagged("one"), publish=True)
    v1 = f"{created.arn}:1"
    update = service.versions.update_state_machine(
        "m", tagged("two"), publish=True, version_description="second"
    )
    assert update.version is not None and update.version.arn == f"{created.arn}:2"
    service.versions.update_state_machine("m", tagged("latest"))

    on_v1 = service.start_execution(v1, "{}", "on-v1")
    on_v2 = service.start_execution("m:2", "{}", "on-v2")
    latest = service.start_execution(created.arn, "{}", "latest")
    # AWS: the context object shows the qualified ARN the execution was started with
    assert output(service, on_v1.arn) == {"tag": "one", "id": v1}
    assert output(service, on_v2.arn) == {"tag": "two", "id": f"{created.arn}:2"}
    assert output(service, latest.arn) == {"tag": "latest", "id": created.arn}
    described = service.describe_execution(on_v1.arn)
    assert (described.state_machine_arn, described.version_arn, described.alias_arn) == (
        created.arn,
        v1,
        None,
    )
    assert described.arn.endswith(":execution:m:on-v1")
    assert service.describe_execution(latest.arn).version_arn is None
    started = json.loads(service.history(on_v1.arn)[0].details or "{}")
    assert started["stateMachineVersionArn"] == v1 and "stateMachineAliasArn" not in started

    view = service.versions.describe_state_machine("m:2")
    assert (view.arn, view.description, json.loads(view.definition)["States"]["P"]) == (
        f"{created.arn}:2",
        "second",
        json.loads(tagged("two"))["States"]["P"],
    )
    assert service.versions.describe_state_machine(v1).revision_id is None  # INITIAL
    assert [v.number for v in service.versions.list_versions("m")] == [2, 1]


def test_versions_are_not_reused_and_deleted_ones_cannot_start(service: Service) -> None:
    created = service.create_state_machine("m", tagged("one"), publish=True)
    service.versions.update_state_machine("m", tagged("two"), publish=True)
    service.versions.delete_version(f"{created.arn}:2")
    service.versions.delete_version(f"{created.arn}:2")  # AWS: deleting twice is fine
    with pytest.raises(StateMachineDoesNotExist, match=r":2'"):
        service.start_execution("m:2", "{}")
    assert service.versions.publish_version("m").number == 3  # the same revision, again
    assert service.versions.publish_version("m").number == 3  # idempotent


def test_publishing_a_stale_revision_conflicts(service: Service) -> None:
    service.create_state_machine("m", tagged("one"))
    first = service.versions.update_state_machine("m", tagged("two"))
    service.versions.update_state_machine("m", tagged("three"))
    assert first.revision_id is not None
    with pytest.raises(Conflict, match="Failed to publish the State Machine version"):
        service.versions.publish_version("m", revision_id=first.revision_id)
    assert service.versions.list_versions("m") == []
    with pytest.raises(Conflict):
        service.versions.publish_version("m", revision_id=INITIAL_REVISION)


# ---- aliases ------------------------------------------------------------------------------


def two_versions(service: Service, name: str = "m") -> str:
    arn = service.create_state_machine(name, tagged("one"), publish=True).arn
    service.versions.update_state_machine(name, tagged("two"), publish=True)
    return arn


def test_an_alias_splits_new_executions_by_weight(service: Service, durable_url: str) -> None:
    arn = two_versions(service)
    alias = service.aliases.create_alias("live", [(f"{arn}:1", 80), (f"{arn}:2", 20)])
    assert alias.arn == f"{arn}:live"
    picks = Counter(service.versions.resolve(alias.arn).version_arn for _ in range(1000))
    assert set(picks) == {f"{arn}:1", f"{arn}:2"}
    assert abs(picks[f"{arn}:1"] - 800) <= 50  # 4 standard deviations
    # the same seed draws the same versions
    one = Service(open_store(durable_url), service.clock, rng=random.Random(3))
    two = Service(open_store(durable_url), service.clock, rng=random.Random(3))
    assert [one.versions.resolve("m:live").version_arn for _ in range(50)] == [
        two.versions.resolve("m:live").version_arn for _ in range(50)
    ]

    for i in range(20):
        record = service.start_execution("m:live", "{}", f"run-{i}")
        version = record.version_arn
        assert version in (f"{arn}:1", f"{arn}:2") and record.alias_arn == alias.arn
        expected = "one" if version == f"{arn}:1" else "two"
        assert output(service, record.arn) == {"tag": expected, "id": alias.arn}
        started = json.loads(service.history(record.arn)[0].details or "{}")
        assert started["stateMachineAliasArn"] == alias.arn
        assert started["stateMachineVersionArn"] == version

    service.aliases.update_alias(alias.arn, routes=[(f"{arn}:2", 100)], description="all in")
    assert {service.versions.resolve(alias.arn).version_arn for _ in range(100)} == {f"{arn}:2"}
    updated = service.aliases.describe_alias(alias.arn)
    assert updated.description == "all in" and updated.created_at == alias.created_at
    assert [a.name for a in service.aliases.list_aliases("m")] == ["live"]
    assert service.aliases.list_aliases("m:1") == []
    assert [a.name for a in service.aliases.list_aliases("m:2")] == ["live"]


def test_routing_configurations_are_validated(service: Service) -> None:
    arn = two_versions(service)
    other = two_versions(service, "other")
    v1, v2 = f"{arn}:1", f"{arn}:2"
    cases: list[tuple[list[tuple[str, int]], str]] = [
        ([(v1, 70), (v2, 29)], r"Sum of routing configuration weights must equal 100\. .*70, 29"),
        ([(v1, 50), (v2, 30), (f"{other}:1", 20)], "length between 1 and 2"),
        ([], "length between 1 and 2"),
        ([(v1, 101), (v2, -1)], "'routingConfiguration.1.member.weight'"),
        ([(v1, 50), (f"{other}:1", 50)], "versions of one state machine"),
        ([(v1, 50), (v1, 50)], "distinct state machine version ARNs"),
        ([(arn, 100)], "must contain state machine version ARNs"),
        ([(f"{arn}:live", 100)], "must contain state machine version ARNs"),
    ]
    for routes, message in cases:
        with pytest.raises(ValidationError, match=message):
            service.aliases.create_alias("live", routes)
    for name in ("123", "has space", "x" * 81, ""):
        with pytest.raises(ValidationError, match="at 'name'"):
            service.aliases.create_alias(name, [(v1, 100)])
    assert service.aliases.list_aliases("m") == []
    live = service.aliases.create_alias("live", [(v1, 100)])
    with pytest.raises(ValidationError, match="one state machine"):
        service.aliases.update_alias(live.arn, routes=[(f"{other}:1", 100)])
    with pytest.raises(ValidationError, match="description or the routingConfiguration"):
        service.aliases.update_alias(live.arn)
    assert service.aliases.describe_alias(live.arn) == live


def test_alias_conflicts(service: Service) -> None:
    arn = two_versions(service)
    live = service.aliases.create_alias("live", [(f"{arn}:1", 100)], "prod")
    assert service.aliases.create_alias("live", [(f"{arn}:1", 100)], "prod") == live  # AWS
    with pytest.raises(Conflict, match="different routing configuration"):
        service.aliases.create_alias("live", [(f"{arn}:2", 100)], "prod")
    with pytest.raises(Conflict, match=r"referenced by an alias.*\[live\]"):
        service.versions.delete_version(f"{arn}:1")
    with pytest.raises(StateMachineDoesNotExist, match="ghost"):
        service.start_execution("m:ghost", "{}")
    with pytest.raises(StateMachineDoesNotExist, match=":9'"):
        service.start_execution(f"{arn}:9", "{}")
    with pytest.raises(StateMachineDoesNotExist):
        service.versions.update_state_machine(f"{arn}:1", tagged("x"))
    from stepline.catalog_checks import ResourceNotFound

    with pytest.raises(ResourceNotFound):
        service.aliases.create_alias("beta", [(f"{arn}:7", 100)])
    with pytest.raises(ResourceNotFound):
        service.aliases.describe_alias(f"{arn}:beta")
    service.aliases.delete_alias(live.arn)
    service.aliases.delete_alias(live.arn)  # gone already: fine
    service.versions.delete_version(f"{arn}:1")
    assert [v.number for v in service.versions.list_versions("m")] == [2]


# ---- nested executions ------------------------------------------------------------------


def test_a_parent_task_starts_a_version_or_an_alias_of_its_child(service: Service) -> None:
    child = two_versions(service, "child")
    service.aliases.create_alias("live", [(f"{child}:2", 100)])
    task = "arn:aws:states:::states:startExecution.sync:2"
    parent = {
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": task,
                "Parameters": {"StateMachineArn.$": "$.target", "Input": {}},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    service.create_state_machine("parent", json.dumps(parent))
    runs = {
        target: service.start_execution("parent", json.dumps({"target": target}))
        for target in (f"{child}:1", f"{child}:live", f"{child}:9")
    }
    registry = Registry([LambdaFunctions(functions()), StepFunctions(service)])
    Worker(service, registry, "w1").run_until_idle()
    on_v1 = output(service, runs[f"{child}:1"].arn)
    assert on_v1["Output"] == {"tag": "one", "id": f"{child}:1"}
    assert on_v1["StateMachineArn"] == child and on_v1["StateMachineVersionArn"] == f"{child}:1"
    on_alias = output(service, runs[f"{child}:live"].arn)
    assert on_alias["Output"]["tag"] == "two"
    assert on_alias["StateMachineAliasArn"] == f"{child}:live"
    missing = output(service, runs[f"{child}:9"].arn)
    assert missing["Error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert f"{child}:9" in missing["Cause"]


# ---- the command line -----------------------------------------------------------------------


def test_the_cli_updates_publishes_aliases_and_starts_versions(cli: Run, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        done = cli(*args)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    for tag in ("one", "two", "bad"):
        (tmp_path / f"{tag}.json").write_text(tagged(tag))
    (tmp_path / "broken.json").write_text('{"StartAt": "Nowhere", "States": {}}')
    arn = ok("create-state-machine", "m", "one.json").strip()
    assert ok("publish-version", "m", "--description", "first").strip() == f"{arn}:1"
    updated = json.loads(ok("update-state-machine", "m", "two.json", "--publish"))
    assert updated["stateMachineVersionArn"] == f"{arn}:2" and updated["revisionId"]
    listing = ok("versions", "m").splitlines()
    assert [line.split()[0] for line in listing] == [f"{arn}:2", f"{arn}:1"]
    assert listing[1].endswith("first")

    assert ok("create-alias", "m", "live", "--route", "1=100").strip() == f"{arn}:live"
    assert json.loads(ok("start", "m:1", "--wait"))["tag"] == "one"
    assert json.loads(ok("start", "m", "--wait"))["tag"] == "two"
    through = json.loads(ok("start", "m:live", "--wait"))
    assert through == {"tag": "one", "id": f"{arn}:live"}

    shifted = json.loads(ok("update-alias", "m", "live", "--route", "2=100"))
    assert shifted["routingConfiguration"] == [
        {"stateMachineVersionArn": f"{arn}:2", "weight": 100}
    ]
    assert json.loads(ok("start", f"{arn}:live", "--wait"))["tag"] == "two"
    assert ok("aliases", "m").split() == [f"{arn}:live", f"{arn}:2=100"]

    started = ok("start", "m:live", "--name", "described").strip()
    described = json.loads(ok("describe", started))
    assert described["stateMachineVersionArn"] == f"{arn}:2"
    assert described["stateMachineAliasArn"] == f"{arn}:live"

    # errors say what and where, with no traceback
    errors = [
        (("create-alias", "m", "split", "--route", "1=70", "--route", "2=20"), "equal 100"),
        (("create-alias", "m", "split", "--route", "one=100"), "VERSION=WEIGHT"),
        (("create-alias", "m", "123", "--route", "1=100"), "at 'name'"),
        (("delete-version", "m:2"), "referenced by an alias"),
        (("start", "m:7"), f"{arn}:7"),
        (("start", "m:nope"), f"{arn}:nope"),
        (("publish-version", "ghost"), "ghost"),
        (("update-state-machine", "m", "broken.json"), "broken.json"),
    ]
    for args, message in errors:
        failed = cli(*args)
        assert failed.returncode == 2, (args, failed.stdout, failed.stderr)
        assert message in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
