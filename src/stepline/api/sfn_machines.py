"""State machines: CreateStateMachine, DescribeStateMachine, ListStateMachines,
UpdateStateMachine, DeleteStateMachine, DescribeStateMachineForExecution."""

from __future__ import annotations

import json
from typing import Final

from stepline.api import configs, lookups
from stepline.api.checks import arn, boolean, integer, list_of, shape, string, structure
from stepline.api.configs import ENCRYPTION, LOGGING, TRACING
from stepline.api.errors import ApiError, validation
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import page_size, paginate, scope_of
from stepline.api.wire import epoch, present
from stepline.catalog_checks import StateMachineDeleting
from stepline.names import check_name
from stepline.store.protocol import AlreadyExists
from stepline.store.records import MachineType, StateMachineRecord, Tag
from stepline.versions import public_revision

# Members shared with other operations (the service model's shapes).
NAME: Final = string("name", required=True, min=1, max=80)
DEFINITION: Final = string("definition", required=True, min=1, max=1_048_576, sensitive=True)
TYPE: Final = string("type", enum=("STANDARD", "EXPRESS"))
PAGE: Final = (integer("maxResults", min=0, max=1000), string("nextToken", min=1, max=1024))
INCLUDED_DATA: Final = string("includedData", enum=("ALL_DATA", "METADATA_ONLY"))
TAG: Final = structure("", string("key", min=1, max=128), string("value", min=0, max=256))
TAGS: Final = list_of("tags", TAG)
VERSION_DESCRIPTION: Final = string("versionDescription", max=256)

__all__ = ["DEFINITION", "ENCRYPTION", "LOGGING", "NAME", "PAGE", "TAG", "TAGS", "TRACING", "TYPE"]


def operations() -> Operations:
    return {
        "CreateStateMachine": create_state_machine,
        "DescribeStateMachine": describe_state_machine,
        "ListStateMachines": list_state_machines,
        "UpdateStateMachine": update_state_machine,
        "DeleteStateMachine": delete_state_machine,
        "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    }


def tags_of(body: Body) -> list[Tag]:
    """A request's ``tags`` (a tag without a value has an empty one)."""
    tags = []
    for index, tag in enumerate(body.get("tags") or [], 1):
        if tag.get("key") is None:  # AWS: a TagKey is 1 to 128 characters
            raise validation(
                f"1 validation error detected: Value null at 'tags.{index}.member.key' failed"
                " to satisfy constraint: Member must not be null"
            )
        tags.append(Tag(tag["key"], tag.get("value") or ""))
    return tags


@operation(
    shape(
        NAME,
        DEFINITION,
        arn("roleArn", required=True),
        TYPE,
        LOGGING,
        TAGS,
        TRACING,
        boolean("publish"),
        VERSION_DESCRIPTION,
        ENCRYPTION,
    )
)
def create_state_machine(ctx: Context, body: Body) -> Reply:
    name = check_name(body["name"], "state machine name")
    role = lookups.role_arn(body["roleArn"])
    kind: MachineType = "EXPRESS" if body.get("type") == "EXPRESS" else "STANDARD"
    publish = bool(body.get("publish", False))
    given = configs.given(body)
    service = ctx.service
    try:
        record = service.create_state_machine(
            name,
            body["definition"],
            role,
            publish,
            body.get("versionDescription"),
            tags=tags_of(body),
            type=kind,
            **given,
        )
    except AlreadyExists:
        arn_ = service.account.state_machine_arn(name)
        existing = service.store.get_state_machine(arn_)
        if existing is not None and existing.status == "DELETING":
            raise StateMachineDeleting(f"State Machine Is Being Deleted: '{arn_}'") from None
        same = existing is not None and _same(existing, body["definition"], role, kind)
        if existing is None or not same or not configs.same(existing, given):
            raise ApiError(
                "StateMachineAlreadyExists", f"State Machine Already Exists: '{arn_}'"
            ) from None
        # AWS: creating the same machine again answers the existing one (its tags unchanged)
        record = existing
    reply = {"stateMachineArn": record.arn, "creationDate": epoch(record.created_at)}
    if publish:
        versions = service.store.list_versions(record.arn)
        if versions:
            reply["stateMachineVersionArn"] = versions[0].arn
    return reply


def _same(existing: StateMachineRecord, definition: str, role: str, kind: str) -> bool:
    try:
        same_definition = json.loads(definition) == json.loads(existing.definition)
    except (ValueError, RecursionError):
        same_definition = definition == existing.definition
    return same_definition and role == existing.role_arn and kind == existing.type


@operation(shape(arn("stateMachineArn", required=True), INCLUDED_DATA))
def describe_state_machine(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    versions = ctx.service.versions
    view = versions.describe_state_machine(ref.qualified)
    if view.machine.status == "DELETING" and ctx.service.deletion.settle(ref.arn):
        view = versions.describe_state_machine(ref.qualified)  # gone: StateMachineDoesNotExist
    return present(
        stateMachineArn=view.arn,
        name=view.name,
        status=view.machine.status,
        definition=view.definition,
        roleArn=view.role_arn,
        type=view.type,
        creationDate=epoch(view.created_at),
        **configs.shown(view.machine),
        revisionId=view.revision_id,
        description=view.description,
    )


@operation(shape(*PAGE))
def list_state_machines(ctx: Context, body: Body) -> Reply:
    machines, token = paginate(
        ctx.service.store.list_state_machines(),
        lambda m: m.arn,
        body.get("nextToken"),
        page_size(body.get("maxResults")),
        scope_of("ListStateMachines"),
    )
    listed = [
        {
            "stateMachineArn": m.arn,
            "name": m.name,
            "type": m.type,
            "creationDate": epoch(m.created_at),
        }
        for m in machines
    ]
    return present(stateMachines=listed, nextToken=token)


@operation(
    shape(
        arn("stateMachineArn", required=True),
        string("definition", min=1, max=1_048_576, sensitive=True),
        arn("roleArn"),
        LOGGING,
        TRACING,
        boolean("publish"),
        VERSION_DESCRIPTION,
        ENCRYPTION,
    )
)
def update_state_machine(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    role = body.get("roleArn")
    if role is not None:
        lookups.role_arn(role)
    definition = body.get("definition")
    given = configs.given(body)
    versions = ctx.service.versions
    configures = any(text is not None for text in given.values())
    if definition is None and role is None and configures and not body.get("publish"):
        # Only configurations: they are the machine's, not a new revision.
        machine = versions.configure(ref.qualified, **given)
        revision_id = public_revision(machine.revision_id)
        return present(updateDate=epoch(ctx.service.clock.now()), revisionId=revision_id)
    updated = versions.update_state_machine(
        ref.qualified,
        definition,
        role,
        bool(body.get("publish", False)),
        body.get("versionDescription"),
    )
    if configures:
        versions.configure(ref.qualified, **given)
    return present(
        updateDate=epoch(updated.update_date),
        revisionId=updated.revision_id,
        stateMachineVersionArn=None if updated.version is None else updated.version.arn,
    )


@operation(shape(arn("executionArn", required=True), INCLUDED_DATA))
def describe_state_machine_for_execution(ctx: Context, body: Body) -> Reply:
    record = lookups.execution(ctx, body["executionArn"])
    store = ctx.service.store
    revision = store.get_revision(record.state_machine_arn, record.revision_id)
    machine = store.get_state_machine(record.state_machine_arn)
    if revision is None or machine is None:
        raise ApiError(
            "ExecutionDoesNotExist", f"Execution Does Not Exist: '{record.arn}'"
        )  # its machine is gone (with its executions, but between the two deletions)
    return present(
        stateMachineArn=machine.arn,
        name=machine.name,
        definition=revision.definition,
        roleArn=revision.role_arn,
        updateDate=epoch(revision.created_at),
        **configs.shown(machine),
        revisionId=public_revision(revision.id),
    )


@operation(shape(arn("stateMachineArn", required=True)))
def delete_state_machine(ctx: Context, body: Body) -> Reply:
    """AWS: the machine is DELETING until its running executions have ended (each fails at
    its next state transition), then gone with its versions and aliases; a machine that
    does not exist is deleted all the same (``stepline.deletion``)."""
    ref = lookups.machine(ctx, body["stateMachineArn"])
    ctx.service.deletion.delete_state_machine(ref.qualified)
    return {}
