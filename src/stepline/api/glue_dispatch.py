"""The AWSGlue JSON 1.1 dispatcher: ``X-Amz-Target: AWSGlue.<Operation>`` and body in,
status and body out, on the same endpoint as Step Functions (``stepline serve``); see
``stepline.api.json11`` for what it shares with the other JSON 1.1 services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stepline.api import glue_catalog, glue_jobs, glue_runs
from stepline.api.errors import ApiError
from stepline.api.glue_operation import GLUE_TARGET_PREFIX, GlueContext, GlueOperation
from stepline.api.json11 import Json11Api
from stepline.athena.errors import ApiError as CatalogError
from stepline.jobs.faults import JobsError


def glue_operations() -> dict[str, GlueOperation]:
    """Every AWSGlue operation stepline answers, by name."""
    return {**glue_jobs.operations(), **glue_runs.operations(), **glue_catalog.operations()}


class GlueApi(Json11Api[GlueContext]):
    def __init__(
        self,
        context: GlueContext,
        run_on: Callable[[Callable[[], Any]], Any] | None = None,
        operations: Mapping[str, GlueOperation] | None = None,
    ) -> None:
        super().__init__(
            GLUE_TARGET_PREFIX,
            context,
            operations or glue_operations(),
            run_on,
            _translate,
        )


def _translate(error: Exception) -> ApiError | None:
    if isinstance(error, JobsError):
        return ApiError(error.code, error.message)
    if isinstance(error, CatalogError):  # the Data Catalog's (EntityNotFoundException...)
        glue_code = {"InvalidRequestException": "InvalidInputException"}
        return ApiError(glue_code.get(error.aws_type, error.aws_type), error.message)
    return None


__all__ = ["GlueApi", "glue_operations"]
