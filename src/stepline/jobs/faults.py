"""The errors of the job use cases (``stepline.jobs.catalog``, ``stepline.jobs.runs``): each
carries Glue's error code, so the API answers it as Glue does and the CLI prints the message.
"""

from __future__ import annotations

from typing import ClassVar


class JobsError(Exception):
    """A job request stepline refuses; the message says what and where."""

    code: ClassVar[str] = "InvalidInputException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EntityNotFound(JobsError):
    code = "EntityNotFoundException"


class InvalidInput(JobsError):
    code = "InvalidInputException"


class ConcurrentRunsExceeded(JobsError):
    code = "ConcurrentRunsExceededException"


class IdempotentParameterMismatch(JobsError):
    code = "IdempotentParameterMismatchException"
