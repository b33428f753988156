"""State machines, versions, aliases and ValidateStateMachineDefinition over the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sfn_client import ROLE, pass_chain, wait_for_end

ONE_PASS = pass_chain(1)
TWO_PASS = pass_chain(2)


def test_create_describe_and_list(sfn: Any, unique: Callable[[str], str]) -> None:
    name = unique("orders")
    created = sfn.create_state_machine(name=name, definition=json.dumps(ONE_PASS), roleArn=ROLE)
    arn = created["stateMachineArn"]
    assert arn == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    assert "stateMachineVersionArn" not in created
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == name and described["status"] == "ACTIVE"
    assert json.loads(described["definition"]) == ONE_PASS
    assert (described["roleArn"], described["type"]) == (ROLE, "STANDARD")
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert "revisionId" not in described  # AWS: none before the first update
    again = sfn.create_state_machine(name=name, definition=json.dumps(ONE_PASS), roleArn=ROLE)
    assert again == {**created, "ResponseMetadata": again["ResponseMetadata"]}  # idempotent

    listed = [
        m for p in sfn.get_paginator("list_state_machines").paginate() for m in p["stateMachines"]
    ]
    mine = [m for m in listed if m["stateMachineArn"] == arn]
    assert mine == [
        {
            "stateMachineArn": arn,
            "name": name,
            "type": "STANDARD",
            "creationDate": created["creationDate"],
        }
    ]


def test_list_state_machines_in_pages(sfn: Any, make_machine: Callable[..., str]) -> None:
    for _ in range(3):
        make_machine(ONE_PASS)
    everything = sfn.list_state_machines(maxResults=1000)["stateMachines"]
    paged: list[str] = []
    token = None
    while True:
        page = sfn.list_state_machines(maxResults=2, **({"nextToken": token} if token else {}))
        assert len(page["stateMachines"]) <= 2
        paged += [m["stateMachineArn"] for m in page["stateMachines"]]
        token = page.get("nextToken")
        if not token:
            break
    assert paged[: len(everything)] == [m["stateMachineArn"] for m in everything]


def test_update_keeps_running_executions_on_their_definition(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(ONE_PASS)
    before = sfn.start_execution(stateMachineArn=arn)
    updated = sfn.update_state_machine(
        stateMachineArn=arn, definition=json.dumps(TWO_PASS), publish=True
    )
    assert updated["stateMachineVersionArn"] == f"{arn}:1"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == TWO_PASS
    assert described["revisionId"] == updated["revisionId"]
    after = sfn.start_execution(stateMachineArn=arn)
    wait_for_end(sfn, before["executionArn"])
    wait_for_end(sfn, after["executionArn"])
    old = sfn.describe_state_machine_for_execution(executionArn=before["executionArn"])
    new = sfn.describe_state_machine_for_execution(executionArn=after["executionArn"])
    assert json.loads(old["definition"]) == ONE_PASS and "revisionId" not in old
    assert json.loads(new["definition"]) == TWO_PASS and new["revisionId"] == updated["revisionId"]
    assert old["stateMachineArn"] == new["stateMachineArn"] == arn
    assert new["updateDate"] >= old["updateDate"]
    role = "arn:aws:iam::123456789012:role/other"
    sfn.update_state_machine(stateMachineArn=arn, roleArn=role)
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == role


def test_versions(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(ONE_PASS, publish=True, versionDescription="first")
    v1 = f"{arn}:1"
    assert sfn.describe_state_machine(stateMachineArn=v1)["description"] == "first"
    same = sfn.publish_state_machine_version(stateMachineArn=arn)  # unchanged: version 1 again
    assert same["stateMachineVersionArn"] == v1
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(TWO_PASS))
    v2 = sfn.publish_state_machine_version(stateMachineArn=arn, description="second")
    assert v2["stateMachineVersionArn"] == f"{arn}:2"
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{arn}:2", v1]
    first_page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=1)
    assert len(first_page["stateMachineVersions"]) == 1 and first_page["nextToken"]
    run = sfn.start_execution(stateMachineArn=v1)
    described = wait_for_end(sfn, run["executionArn"])
    assert described["stateMachineVersionArn"] == v1
    by_version = sfn.list_executions(stateMachineArn=v1)["executions"]
    assert [e["executionArn"] for e in by_version] == [run["executionArn"]]
    assert sfn.list_executions(stateMachineArn=f"{arn}:2")["executions"] == []
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{arn}:2"]


def test_aliases(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(ONE_PASS, publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(TWO_PASS), publish=True)
    v1, v2 = f"{arn}:1", f"{arn}:2"
    created = sfn.create_state_machine_alias(
        name="live",
        description="production",
        routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}],
    )
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["name"] == "live" and described["description"] == "production"
    assert described["routingConfiguration"] == [{"stateMachineVersionArn": v1, "weight": 100}]
    assert described["creationDate"] == created["creationDate"]
    updated = sfn.update_state_machine_alias(
        stateMachineAliasArn=alias,
        routingConfiguration=[
            {"stateMachineVersionArn": v2, "weight": 100},
            {"stateMachineVersionArn": v1, "weight": 0},
        ],
    )
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["updateDate"] == updated["updateDate"]
    assert described["description"] == "production"  # kept: not given
    run = sfn.start_execution(stateMachineArn=alias)
    done = wait_for_end(sfn, run["executionArn"])
    assert (done["stateMachineAliasArn"], done["stateMachineVersionArn"]) == (alias, v2)
    assert [
        e["executionArn"] for e in sfn.list_executions(stateMachineArn=alias)["executions"]
    ] == [run["executionArn"]]
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias]
    routed_to_v1 = sfn.list_state_machine_aliases(stateMachineArn=v1)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in routed_to_v1] == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []


def test_validate_state_machine_definition(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=json.dumps(ONE_PASS))
    assert (ok["result"], ok["diagnostics"], ok["truncated"]) == ("OK", [], False)
    broken = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Pass", "Next": "Gone"}},
    }
    failed = sfn.validate_state_machine_definition(definition=json.dumps(broken))
    assert failed["result"] == "FAIL" and not failed["truncated"]
    codes = {(d["severity"], d["code"], d.get("location")) for d in failed["diagnostics"]}
    assert ("ERROR", "MISSING_TRANSITION_TARGET", "/States/A/Next") in codes
    assert ("ERROR", "MISSING_TRANSITION_TARGET", "/States/B/Next") in codes
    first = sfn.validate_state_machine_definition(definition=json.dumps(broken), maxResults=1)
    assert len(first["diagnostics"]) == 1 and first["truncated"] is True
    not_json = sfn.validate_state_machine_definition(definition="{nope")
    assert not_json["result"] == "FAIL"
    assert not_json["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_validate_reports_warnings_only_when_asked(sfn: Any) -> None:
    looks_like_a_path = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True}},
    }
    text = json.dumps(looks_like_a_path)
    assert sfn.validate_state_machine_definition(definition=text)["diagnostics"] == []
    warned = sfn.validate_state_machine_definition(definition=text, severity="WARNING")
    assert warned["result"] == "OK"
    assert warned["diagnostics"][0]["severity"] == "WARNING"
    assert warned["diagnostics"][0]["code"] == "NO_DOLLAR"
    assert warned["diagnostics"][0]["location"] == "/States/A/Parameters"
