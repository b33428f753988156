"""The AmazonAthena JSON 1.1 dispatcher: ``X-Amz-Target: AmazonAthena.<Operation>`` on the
same endpoint as Step Functions (``stepline serve``); see ``stepline.api.json11``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stepline.api import athena_named, athena_queries, athena_workgroups
from stepline.api.athena_operation import (
    ATHENA_INTERNAL_ERROR,
    ATHENA_TARGET_PREFIX,
    AthenaContext,
    AthenaOperation,
    athena_error,
)
from stepline.api.json11 import Json11Api


def athena_operations() -> dict[str, AthenaOperation]:
    """Every AmazonAthena operation stepline answers, by name."""
    return {
        **athena_queries.operations(),
        **athena_named.operations(),
        **athena_workgroups.operations(),
    }


def athena_api(
    context: AthenaContext, run_on: Callable[[Callable[[], Any]], Any] | None = None
) -> Json11Api[AthenaContext]:
    return Json11Api(
        ATHENA_TARGET_PREFIX,
        context,
        athena_operations(),
        run_on,
        athena_error,
        ATHENA_INTERNAL_ERROR,
    )


__all__ = ["athena_api", "athena_operations"]
