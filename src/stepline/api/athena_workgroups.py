"""Athena work groups: CreateWorkGroup, GetWorkGroup, ListWorkGroups, UpdateWorkGroup,
DeleteWorkGroup."""

from __future__ import annotations

from typing import Any, Final

from stepline.api.athena_operation import (
    AthenaContext,
    AthenaOperation,
    Body,
    Reply,
    athena_operation,
    workgroup_name,
)
from stepline.api.checks import boolean, integer, list_of, shape, string, structure
from stepline.athena import shapes

_DESCRIPTION: Final = string("Description", max=1024)
_TAGS: Final = list_of(
    "Tags",
    structure("", string("Key", required=True, min=1, max=128), string("Value", max=256)),
)


def operations() -> dict[str, AthenaOperation]:
    return {
        "CreateWorkGroup": create_workgroup,
        "GetWorkGroup": get_workgroup,
        "ListWorkGroups": list_workgroups,
        "UpdateWorkGroup": update_workgroup,
        "DeleteWorkGroup": delete_workgroup,
    }


@athena_operation(
    shape(workgroup_name("Name", required=True), structure("Configuration"), _DESCRIPTION, _TAGS)
)
def create_workgroup(ctx: AthenaContext, body: Body) -> Reply:
    tags = {tag["Key"]: tag.get("Value", "") for tag in body.get("Tags") or ()}
    ctx.engine().workgroups.create(
        body["Name"], body.get("Configuration"), body.get("Description"), tags
    )
    return {}


@athena_operation(shape(workgroup_name(required=True)))
def get_workgroup(ctx: AthenaContext, body: Body) -> Reply:
    return {"WorkGroup": shapes.workgroup(ctx.engine().workgroups.get(body["WorkGroup"]))}


@athena_operation(shape(string("NextToken", min=1, max=1024), integer("MaxResults", min=1, max=50)))
def list_workgroups(ctx: AthenaContext, body: Body) -> Reply:
    groups = ctx.engine().workgroups.list()
    after = body.get("NextToken")
    if after is not None:
        groups = [g for g in groups if g.name > after]
    limit = body.get("MaxResults") or 50
    page = groups[:limit]
    reply: Reply = {"WorkGroups": [shapes.workgroup_summary(g) for g in page]}
    if len(groups) > limit:
        reply["NextToken"] = page[-1].name
    return reply


@athena_operation(
    shape(
        workgroup_name(required=True),
        _DESCRIPTION,
        structure("ConfigurationUpdates"),
        string("State", enum=("ENABLED", "DISABLED")),
    )
)
def update_workgroup(ctx: AthenaContext, body: Body) -> Reply:
    ctx.engine().workgroups.update(
        body["WorkGroup"],
        body.get("State"),
        body.get("Description"),
        configuration_updates(body.get("ConfigurationUpdates") or {}),
    )
    return {}


@athena_operation(shape(workgroup_name(required=True), boolean("RecursiveDeleteOption")))
def delete_workgroup(ctx: AthenaContext, body: Body) -> Reply:
    ctx.engine().workgroups.delete(body["WorkGroup"])
    return {}


def configuration_updates(updates: dict[str, Any]) -> dict[str, Any]:
    """UpdateWorkGroup's ConfigurationUpdates as the WorkGroupConfiguration members they
    set (``ResultConfigurationUpdates`` -> ``ResultConfiguration``)."""
    configuration = {
        key: value
        for key, value in updates.items()
        if key not in ("ResultConfigurationUpdates", "RemoveBytesScannedCutoffPerQuery")
    }
    result = updates.get("ResultConfigurationUpdates")
    if isinstance(result, dict):
        kept = {k: v for k, v in result.items() if not k.startswith("Remove")}
        if result.get("RemoveOutputLocation"):
            kept.pop("OutputLocation", None)
        configuration["ResultConfiguration"] = kept
    return configuration
