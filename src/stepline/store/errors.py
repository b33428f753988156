"""The store's errors (re-exported by :mod:`stepline.store.protocol`)."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of the store's errors; messages say what and which."""


class AlreadyExists(StoreError):
    """A state machine with that name, or an execution with that name for that machine."""


class NotFound(StoreError):
    pass


class VersionConflict(StoreError):
    """The execution changed since it was read: reload, advance again, retry."""


class Conflict(StoreError):
    """A change that would leave versions or aliases inconsistent (AWS's ConflictException):
    publishing a revision that is no longer the current one, deleting a version an alias
    routes to."""


class TooManyTags(StoreError):
    """Tagging would leave a resource with more tags than allowed (AWS's TooManyTags)."""

    def __init__(self, message: str, resource_arn: str) -> None:
        super().__init__(message)
        self.resource_arn = resource_arn


class TooManyRuns(StoreError):
    """A job run would exceed its job's MaxConcurrentRuns (Glue's
    ConcurrentRunsExceededException)."""
