"""Versions and aliases: PublishStateMachineVersion, ListStateMachineVersions,
DeleteStateMachineVersion, and Create/Update/Describe/List/DeleteStateMachineAlias."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from stepline.api import lookups
from stepline.api.checks import Member, arn, integer, list_of, shape, string, structure
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import page_size, paginate, scope_of
from stepline.api.sfn_machines import PAGE
from stepline.api.wire import epoch, present
from stepline.store.records import AliasRecord

STATE_MACHINE_ARN: Final = arn("stateMachineArn", required=True)
ALIAS_ARN: Final = arn("stateMachineAliasArn", required=True)
DESCRIPTION: Final = string("description", max=256)


def _routing(required: bool) -> Member:
    # Counts and weights are checked by the use case, with AWS's recorded messages.
    route = structure(
        "", arn("stateMachineVersionArn", required=True), integer("weight", required=True)
    )
    return list_of("routingConfiguration", route, required=required)


def operations() -> Operations:
    return {
        "PublishStateMachineVersion": publish_state_machine_version,
        "ListStateMachineVersions": list_state_machine_versions,
        "DeleteStateMachineVersion": delete_state_machine_version,
        "CreateStateMachineAlias": create_state_machine_alias,
        "UpdateStateMachineAlias": update_state_machine_alias,
        "DescribeStateMachineAlias": describe_state_machine_alias,
        "ListStateMachineAliases": list_state_machine_aliases,
        "DeleteStateMachineAlias": delete_state_machine_alias,
    }


@operation(shape(STATE_MACHINE_ARN, string("revisionId"), DESCRIPTION))
def publish_state_machine_version(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    version = ctx.service.versions.publish_version(
        ref.qualified, body.get("revisionId"), body.get("description")
    )
    return {"creationDate": epoch(version.created_at), "stateMachineVersionArn": version.arn}


@operation(shape(STATE_MACHINE_ARN, *PAGE))
def list_state_machine_versions(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    versions, token = paginate(
        ctx.service.versions.list_versions(ref.qualified),
        lambda v: v.arn,
        body.get("nextToken"),
        page_size(body.get("maxResults")),
        scope_of("ListStateMachineVersions", ref.qualified),
    )
    listed = [
        {"stateMachineVersionArn": v.arn, "creationDate": epoch(v.created_at)} for v in versions
    ]
    return present(stateMachineVersions=listed, nextToken=token)


@operation(shape(arn("stateMachineVersionArn", required=True, max=2000)))
def delete_state_machine_version(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineVersionArn"])
    ctx.service.versions.delete_version(ref.qualified)
    return {}


def _routes(body: Body) -> Sequence[tuple[str, int]] | None:
    routes = body.get("routingConfiguration")
    if routes is None:
        return None
    return [(r["stateMachineVersionArn"], r["weight"]) for r in routes]


@operation(shape(DESCRIPTION, string("name", required=True), _routing(required=True)))
def create_state_machine_alias(ctx: Context, body: Body) -> Reply:
    routes = _routes(body) or []
    alias = ctx.service.aliases.create_alias(body["name"], routes, body.get("description"))
    return {"stateMachineAliasArn": alias.arn, "creationDate": epoch(alias.created_at)}


@operation(shape(ALIAS_ARN, DESCRIPTION, _routing(required=False)))
def update_state_machine_alias(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineAliasArn"])
    alias = ctx.service.aliases.update_alias(ref.qualified, body.get("description"), _routes(body))
    return {"updateDate": epoch(alias.updated_at)}


@operation(shape(ALIAS_ARN))
def describe_state_machine_alias(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineAliasArn"])
    alias = ctx.service.aliases.describe_alias(ref.qualified)
    return present(
        stateMachineAliasArn=alias.arn,
        name=alias.name,
        description=alias.description,
        routingConfiguration=_routing_of(alias),
        creationDate=epoch(alias.created_at),
        updateDate=epoch(alias.updated_at),
    )


def _routing_of(alias: AliasRecord) -> list[dict[str, Any]]:
    machine = alias.state_machine_arn
    return [
        {"stateMachineVersionArn": f"{machine}:{route.version}", "weight": route.weight}
        for route in alias.routes
    ]


@operation(shape(STATE_MACHINE_ARN, *PAGE))
def list_state_machine_aliases(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineArn"])
    aliases, token = paginate(
        ctx.service.aliases.list_aliases(ref.qualified),
        lambda a: a.arn,
        body.get("nextToken"),
        page_size(body.get("maxResults")),
        scope_of("ListStateMachineAliases", ref.qualified),
    )
    listed = [{"stateMachineAliasArn": a.arn, "creationDate": epoch(a.created_at)} for a in aliases]
    return present(stateMachineAliases=listed, nextToken=token)


@operation(shape(ALIAS_ARN))
def delete_state_machine_alias(ctx: Context, body: Body) -> Reply:
    ref = lookups.machine(ctx, body["stateMachineAliasArn"])
    ctx.service.aliases.delete_alias(ref.qualified)
    return {}
