"""GetExecutionHistory: pages of history events, oldest or newest first.

Events are numbered 1..n without gaps, so a page is a range of ids: forward pages continue
after the last id returned, reverse pages below it.
"""

from __future__ import annotations

import json
from typing import Any, Final

from stepline.api import lookups
from stepline.api.checks import arn, boolean, integer, shape, string
from stepline.api.errors import ApiError
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.pages import decode_token, encode_token, page_size, scope_of
from stepline.api.wire import epoch, present
from stepline.engine.history import details_key
from stepline.store.records import EventRecord

# AWS: includeExecutionData=false leaves out the payloads of the events' details.
_DATA: Final = frozenset({"input", "output"})


def operations() -> Operations:
    return {"GetExecutionHistory": get_execution_history}


@operation(
    shape(
        arn("executionArn", required=True),
        integer("maxResults", min=0, max=1000),
        boolean("reverseOrder"),
        string("nextToken", min=1, max=1024),
        boolean("includeExecutionData"),
    )
)
def get_execution_history(ctx: Context, body: Body) -> Reply:
    record = lookups.execution(ctx, body["executionArn"])
    reverse = bool(body.get("reverseOrder", False))
    include_data = body.get("includeExecutionData", True) is not False
    size = page_size(body.get("maxResults"))
    scope = scope_of("GetExecutionHistory", record.arn, reverse)
    position = decode_token(body.get("nextToken"), scope)
    if position is not None and (type(position) is not int or position < 1):
        raise ApiError("InvalidToken", f"Invalid Token: '{body['nextToken'][:128]}'")
    store = ctx.service.store
    if not reverse:
        found = store.history(record.arn, position or 0, size + 1)
        page, more = found[:size], len(found) > size
    else:
        below = position if position is not None else ctx.service.event_count(record) + 1
        after = max(below - 1 - size, 0)
        page = store.history(record.arn, after, below - 1 - after)[::-1]
        more = after > 0
    token = encode_token(scope, page[-1].id) if more and page else None
    return present(events=[_event(e, include_data) for e in page], nextToken=token)


def _event(event: EventRecord, include_data: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "timestamp": epoch(event.timestamp),
        "type": event.type,
        "id": event.id,
        "previousEventId": event.previous_event_id,
    }
    if event.details is not None:
        details = json.loads(event.details)
        if not include_data and isinstance(details, dict):
            details = {k: v for k, v in details.items() if k not in _DATA}
        shaped[details_key(event.type)] = details
    return shaped
