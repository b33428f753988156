"""What an AWSGlue operation is: the checks of its input and the handler that answers it
(``stepline.api.json11``), with the use cases it works with.

Each ``glue_*`` operations module offers ``operations() -> Mapping[str, GlueOperation]``,
keyed by the operation's name in Glue's service model (``StartJobRun``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeAlias

from stepline.api.checks import Shape
from stepline.api.json11 import JSON11_CONTENT_TYPE, Body, Operation, Reply, operation
from stepline.jobs.catalog import JobCatalog
from stepline.jobs.runs import JobRuns

if TYPE_CHECKING:
    from stepline.athena.catalog import LakeCatalog

# AWS: Glue's service model, metadata: protocol "json", jsonVersion "1.1", targetPrefix
# "AWSGlue", signingName "glue".
GLUE_CONTENT_TYPE: Final = JSON11_CONTENT_TYPE
GLUE_TARGET_PREFIX: Final = "AWSGlue."
GLUE_SIGNING_NAME: Final = "glue"


@dataclass(frozen=True, slots=True)
class GlueContext:
    """What Glue handlers work with: job definitions and job runs; the Data Catalog
    (``lake``: made on first use, it is the Athena engine's)."""

    jobs: JobCatalog
    runs: JobRuns
    lake: Callable[[], LakeCatalog] | None = None


GlueOperation: TypeAlias = Operation[GlueContext]


def glue_operation(input: Shape) -> Callable[[Callable[[GlueContext, Body], Reply]], GlueOperation]:
    """Decorator: ``@glue_operation(shape(...))`` over a handler makes it a GlueOperation."""
    return operation(input)


__all__ = ["Body", "GlueContext", "GlueOperation", "Reply", "glue_operation"]
