"""Tags of state machines and activities over the API (TagResource, UntagResource,
ListTagsForResource, and the tags of CreateStateMachine/CreateActivity), and the
configurations CreateStateMachine/UpdateStateMachine keep for DescribeStateMachine."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sfn_client import ROLE, Server, client, pass_chain

ACCOUNT_ARN = "arn:aws:states:us-east-1:123456789012"
ONE_PASS = json.dumps(pass_chain(1))


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


def listed(sfn: Any, arn: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    return found


def test_tag_untag_and_list_a_state_machine(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(pass_chain(1), tags=tags(("team", "data"), ("env", "dev")))
    assert listed(sfn, arn) == tags(("env", "dev"), ("team", "data"))  # by key
    sfn.tag_resource(resourceArn=arn, tags=tags(("env", "prod"), ("cost centre", "4 2/x@y")))
    assert listed(sfn, arn) == tags(("cost centre", "4 2/x@y"), ("env", "prod"), ("team", "data"))
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "not-there"])
    assert listed(sfn, arn) == tags(("cost centre", "4 2/x@y"), ("env", "prod"))
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "empty"}])  # no value: an empty one
    assert {"key": "empty", "value": ""} in listed(sfn, arn)


def test_tags_of_an_activity_and_of_creating_again(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    name = unique("tagged")
    activity = sfn.create_activity(name=name, tags=tags(("owner", "ops")))["activityArn"]
    assert listed(sfn, activity) == tags(("owner", "ops"))
    # AWS: creating it again ignores different tags ("tags will not be updated").
    sfn.create_activity(name=name, tags=tags(("owner", "someone else")))
    assert listed(sfn, activity) == tags(("owner", "ops"))
    sfn.tag_resource(resourceArn=activity, tags=tags(("ünïcode", "ok ½ 2")))
    sfn.untag_resource(resourceArn=activity, tagKeys=["owner"])
    assert listed(sfn, activity) == tags(("ünïcode", "ok ½ 2"))
    with pytest.raises(sfn.exceptions.ValidationException, match="pattern"):
        sfn.tag_resource(resourceArn=activity, tags=tags(("mark", "ok ✓")))  # a symbol
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        listed(sfn, activity)

    machine = unique("tagged")
    created = sfn.create_state_machine(
        name=machine, definition=ONE_PASS, roleArn=ROLE, tags=tags(("a", "1"))
    )
    sfn.create_state_machine(name=machine, definition=ONE_PASS, roleArn=ROLE, tags=tags(("b", "2")))
    assert listed(sfn, created["stateMachineArn"]) == tags(("a", "1"))


def test_at_most_50_tags(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    arn = make_machine(pass_chain(1), tags=tags(*((f"k{i:02}", "v") for i in range(48))))
    sfn.tag_resource(resourceArn=arn, tags=tags(("k00", "again"), ("k48", "v"), ("k49", "v")))
    assert len(listed(sfn, arn)) == 50
    with pytest.raises(sfn.exceptions.TooManyTags) as raised:
        sfn.tag_resource(resourceArn=arn, tags=tags(("k50", "v")))
    assert raised.value.response["resourceName"] == arn
    assert len(listed(sfn, arn)) == 50
    fifty_one = tags(*((f"k{i}", "v") for i in range(51)))
    with pytest.raises(sfn.exceptions.TooManyTags):
        make_machine(pass_chain(1), tags=fifty_one)
    with pytest.raises(sfn.exceptions.TooManyTags) as raised:
        sfn.create_activity(name=unique("many"), tags=fifty_one)
    assert ":activity:many-" in raised.value.response["resourceName"]


def test_unknown_resources_and_invalid_arns(sfn: Any, make_machine: Callable[..., str]) -> None:
    missing = f"{ACCOUNT_ARN}:stateMachine:never-was"
    with pytest.raises(sfn.exceptions.ResourceNotFound, match="Resource not found") as raised:
        sfn.tag_resource(resourceArn=missing, tags=tags(("a", "b")))
    assert raised.value.response["resourceName"] == missing
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.untag_resource(resourceArn=missing, tagKeys=["a"])
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        listed(sfn, f"{ACCOUNT_ARN}:activity:never-was")
    arn = make_machine(pass_chain(1), publish=True)
    for other in (f"{arn}:1", f"{ACCOUNT_ARN}:execution:m:run"):  # versions, executions
        with pytest.raises(sfn.exceptions.ResourceNotFound):
            listed(sfn, other)
    for text in ("not-an-arn", "arn:aws:lambda:us-east-1:1:function:f"):
        with pytest.raises(sfn.exceptions.InvalidArn):
            listed(sfn, text)
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.tag_resource(resourceArn=text, tags=[])
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.untag_resource(resourceArn=text, tagKeys=[])


@pytest.mark.parametrize(
    ("operation", "request_", "member", "constraint"),
    [
        ("TagResource", {"resourceArn": None}, "resourceArn", "must not be null"),
        ("TagResource", {"tags": None}, "tags", "must not be null"),
        ("TagResource", {"tags": [{"key": "k" * 129}]}, "tags.1.member.key", "128"),
        ("TagResource", {"tags": [{"key": "k", "value": "v" * 257}]}, "tags.1.member.value", ""),
        ("TagResource", {"tags": [{"key": ""}]}, "tags.1.member.key", "equal to 1"),
        ("TagResource", {"tags": [{"value": "v"}]}, "tags.1.member.key", "must not be null"),
        ("TagResource", {"tags": [{"key": "a*b"}]}, "tags.1.member.key", "pattern"),
        ("TagResource", {"tags": [{"key": "k", "value": "a#"}]}, "tags.1.member.value", "pattern"),
        ("UntagResource", {"tagKeys": None}, "tagKeys", "must not be null"),
        ("UntagResource", {"tagKeys": ["ok", ""]}, "tagKeys.2.member", "equal to 1"),
        ("UntagResource", {"tagKeys": ["a|b"]}, "tagKeys.1.member", "pattern"),
        ("ListTagsForResource", {}, "resourceArn", "must not be null"),
        ("ListTagsForResource", {"resourceArn": "a" * 257}, "resourceArn", "256"),
        ("CreateActivity", {"tags": [{"key": "k" * 129}]}, "tags.1.member.key", "128"),
        ("CreateStateMachine", {"tags": [{"key": "a\nb"}]}, "tags.1.member.key", "pattern"),
    ],
)
def test_bad_members_are_validation_exceptions_naming_them(
    server: Server,
    make_machine: Callable[..., str],
    unique: Callable[[str], str],
    operation: str,
    request_: dict[str, Any],
    member: str,
    constraint: str,
) -> None:
    sfn = client(server.url, parameter_validation=False)  # botocore checks some itself
    arn = make_machine(pass_chain(1))
    defaults: dict[str, Any] = {
        "TagResource": {"resourceArn": arn, "tags": tags(("a", "b"))},
        "UntagResource": {"resourceArn": arn, "tagKeys": ["a"]},
        "ListTagsForResource": {},
        "CreateActivity": {"name": unique("bad")},
        "CreateStateMachine": {"name": unique("bad"), "definition": ONE_PASS, "roleArn": ROLE},
    }
    body = {k: v for k, v in {**defaults[operation], **request_}.items() if v is not None}
    call = getattr(sfn, "".join("_" + c.lower() if c.isupper() else c for c in operation)[1:])
    with pytest.raises(sfn.exceptions.ValidationException) as raised:
        call(**body)
    message = raised.value.response["Error"]["Message"]
    assert f"at '{member}'" in message and constraint in message, message


# ---- configurations ------------------------------------------------------------------------

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/orders:*"


def test_configurations_are_kept(sfn: Any, make_machine: Callable[..., str]) -> None:
    logging = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}],
    }
    encryption = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/sfn"}
    arn = make_machine(
        pass_chain(1),
        loggingConfiguration=logging,
        tracingConfiguration={"enabled": True},
        encryptionConfiguration=encryption,
    )
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    assert described["encryptionConfiguration"] == encryption
    updated = sfn.update_state_machine(
        stateMachineArn=arn, loggingConfiguration={"level": "OFF"}, tracingConfiguration={}
    )
    assert "revisionId" not in updated  # configurations make no new revision
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    assert described["encryptionConfiguration"] == encryption  # not given: kept
    run = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    for_run = sfn.describe_state_machine_for_execution(executionArn=run)
    assert for_run["loggingConfiguration"]["level"] == "OFF"
    assert for_run["encryptionConfiguration"] == encryption
    sfn.update_state_machine(
        stateMachineArn=arn,
        definition=json.dumps(pass_chain(2)),
        encryptionConfiguration={"type": "AWS_OWNED_KEY"},
    )
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    assert "revisionId" in described


def test_creating_again_with_other_configurations_is_a_conflict(
    sfn: Any, unique: Callable[[str], str]
) -> None:
    name = unique("configured")
    first = sfn.create_state_machine(
        name=name, definition=ONE_PASS, roleArn=ROLE, tracingConfiguration={"enabled": False}
    )
    again = sfn.create_state_machine(name=name, definition=ONE_PASS, roleArn=ROLE)
    assert again["stateMachineArn"] == first["stateMachineArn"]  # the defaults are the same
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        sfn.create_state_machine(
            name=name, definition=ONE_PASS, roleArn=ROLE, tracingConfiguration={"enabled": True}
        )


def test_invalid_configurations(sfn: Any, make_machine: Callable[..., str]) -> None:
    destination = {"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}
    for logging in ({"level": "ALL"}, {"level": "ERROR", "destinations": [destination] * 2}):
        with pytest.raises(
            sfn.exceptions.InvalidLoggingConfiguration, match="exactly one Log Destination"
        ):
            make_machine(pass_chain(1), loggingConfiguration=logging)
    with pytest.raises(sfn.exceptions.InvalidEncryptionConfiguration, match="kmsKeyId"):
        make_machine(pass_chain(1), encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})
    arn = make_machine(pass_chain(1))
    with pytest.raises(sfn.exceptions.InvalidLoggingConfiguration):
        sfn.update_state_machine(stateMachineArn=arn, loggingConfiguration={"level": "FATAL"})
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.update_state_machine(
            stateMachineArn=f"{ACCOUNT_ARN}:stateMachine:never-was",
            tracingConfiguration={"enabled": True},
        )
