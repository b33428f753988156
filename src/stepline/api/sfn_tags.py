"""Tags of state machines and activities: TagResource, UntagResource, ListTagsForResource
(the use cases: ``stepline.tags``)."""

from __future__ import annotations

from typing import Final

from stepline.api.checks import arn, list_of, shape, string
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.sfn_machines import TAG, tags_of
from stepline.tags import Tags

RESOURCE_ARN: Final = arn("resourceArn", required=True)


def operations() -> Operations:
    return {
        "TagResource": tag_resource,
        "UntagResource": untag_resource,
        "ListTagsForResource": list_tags_for_resource,
    }


@operation(shape(RESOURCE_ARN, list_of("tags", TAG, required=True)))
def tag_resource(ctx: Context, body: Body) -> Reply:
    Tags(ctx.service.store).tag_resource(body["resourceArn"], tags_of(body))
    return {}


@operation(
    shape(RESOURCE_ARN, list_of("tagKeys", string("", min=1, max=128), required=True)),
)
def untag_resource(ctx: Context, body: Body) -> Reply:
    Tags(ctx.service.store).untag_resource(body["resourceArn"], body["tagKeys"])
    return {}


@operation(shape(RESOURCE_ARN))
def list_tags_for_resource(ctx: Context, body: Body) -> Reply:
    tags = Tags(ctx.service.store).list_tags(body["resourceArn"])
    return {"tags": [{"key": tag.key, "value": tag.value} for tag in tags]}
