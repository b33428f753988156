"""State machines: CreateStateMachine, DescribeStateMachine, ListStateMachines,
UpdateStateMachine, DescribeStateMachineForExecution."""

from __future__ import annotations

import json
from typing import Final

from stepline.api import lookups
from stepline.api.checks import arn, boolean, integer, list_of, shape, string, structure
from stepline.api.errors import ApiError, validation
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import page_size, paginate, scope_of
from stepline.api.wire import epoch, present
from stepline.names import check_name
from stepline.store.protocol import AlreadyExists
from stepline.store.records import StateMachineRecord
from stepline.versions import public_revision

# Members shared with other operations (the service model's shapes).
NAME: Final = string("name", required=True, min=1, max=80)
DEFINITION: Final = string("definition", required=True, min=1, max=1_048_576, sensitive=True)
TYPE: Final = string("type", enum=("STANDARD", "EXPRESS"))
PAGE: Final = (integer("maxResults", min=0, max=1000), string("nextToken", min=1, max=1024))
INCLUDED_DATA: Final = string("includedData", enum=("ALL_DATA", "METADATA_ONLY"))
LOGGING: Final = structure(
    "loggingConfiguration",
    string("level", enum=("ALL", "ERROR", "FATAL", "OFF")),
    boolean("includeExecutionData"),
    list_of("destinations", structure("", structure("cloudWatchLogsLogGroup", arn("logGroupArn")))),
)
TRACING: Final = structure("tracingConfiguration", boolean("enabled"))
ENCRYPTION: Final = structure(
    "encryptionConfiguration",
    string("kmsKeyId", min=1, max=2048),
    integer("kmsDataKeyReusePeriodSeconds", min=60, max=900),
    string("type", required=True, enum=("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")),
)
TAGS: Final = list_of(
    "tags",
    structure("", string("key", min=1, max=128), string("value", min=0, max=256)),
)
VERSION_DESCRIPTION: Final = string("versionDescription", max=256)

# AWS: what DescribeStateMachine shows of a machine created without these configurations.
# stepline accepts the configurations but does not keep them yet.
_LOGGING_OFF: Final = {"level": "OFF", "includeExecutionData": False}
_TRACING_OFF: Final = {"enabled": False}


def operations() -> Operations:
    return {
        "CreateStateMachine": create_state_machine,
        "DescribeStateMachine": describe_state_machine,
        "ListStateMachines": list_state_machines,
        "UpdateStateMachine": update_state_machine,
        "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    }


def check_type(body: Body) -> None:
    if body.get("type", "STANDARD") != "STANDARD":
        raise validation("stepline runs STANDARD state machines only; EXPRESS is not supported yet")


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
    check_type(body)
    publish = bool(body.get("publish", False))
    service = ctx.service
    try:
        record = service.create_state_machine(
            name, body["definition"], role, publish, body.get("versionDescription")
        )
    except AlreadyExists:
        existing = service.store.get_state_machine(service.account.state_machine_arn(name))
        if existing is None or not _same(existing, body["definition"], role):
            arn_ = service.account.state_machine_arn(name)
            raise ApiError(
                "StateMachineAlreadyExists", f"State Machine Already Exists: '{arn_}'"
            ) from None
        record = existing  # AWS: creating the same machine again answers the existing one
    reply = {"stateMachineArn": record.arn, "creationDate": epoch(record.created_at)}
    if publish:
        versions = service.store.list_versions(record.arn)
        if versions:
            reply["stateMachineVersionArn"] = versions[0].arn
    return reply


def _same(existing: StateMachineRecord, definition: str, role: str) -> bool:
    try:
        same_definition = json.loads(definition) == json.loads(existing.definition)
    except (ValueError, RecursionError):
        same_definition = definition == existing.definition
    return same_definition and role == existing.role_arn


@operation(shape(arn("stateMachineArn", required=True), INCLUDED_DATA))
def describe_state_machine(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    view = ctx.service.versions.describe_state_machine(ref.qualified)
    return present(
        stateMachineArn=view.arn,
        name=view.name,
        status="ACTIVE",
        definition=view.definition,
        roleArn=view.role_arn,
        type=view.type,
        creationDate=epoch(view.created_at),
        loggingConfiguration=_LOGGING_OFF,
        tracingConfiguration=_TRACING_OFF,
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
    configures = any(
        body.get(k) is not None for k in (LOGGING.name, TRACING.name, "encryptionConfiguration")
    )
    if definition is None and role is None and configures and not body.get("publish"):
        # Only configurations, which stepline accepts without keeping them (yet).
        machine = ctx.service.versions.describe_state_machine(ref.qualified)
        return present(updateDate=epoch(ctx.service.clock.now()), revisionId=machine.revision_id)
    updated = ctx.service.versions.update_state_machine(
        ref.qualified,
        definition,
        role,
        bool(body.get("publish", False)),
        body.get("versionDescription"),
    )
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
        )  # its machine is gone (stepline deletes none yet)
    return present(
        stateMachineArn=machine.arn,
        name=machine.name,
        definition=revision.definition,
        roleArn=revision.role_arn,
        updateDate=epoch(revision.created_at),
        loggingConfiguration=_LOGGING_OFF,
        tracingConfiguration=_TRACING_OFF,
        revisionId=public_revision(revision.id),
    )
