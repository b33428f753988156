"""Parsed state machine definitions, by (state machine ARN, revision id).

A revision never changes, so an entry never goes stale: an execution finds the definition it
started with however often its machine was updated since.
"""

from __future__ import annotations

from collections.abc import Mapping

from stepline.asl.model import Branch, StateMachine
from stepline.asl.parse import load
from stepline.engine.codec import branch_paths
from stepline.store.protocol import NotFound, Store

Parsed = tuple[StateMachine, Mapping[str, Branch]]  # the machine, and its branches by path


class Definitions:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._parsed: dict[tuple[str, str], Parsed] = {}

    def get(self, arn: str, revision_id: str, definition: str | None = None) -> Parsed:
        """The revision parsed; its ``definition`` text, when the caller has it, spares a
        read of the store."""
        key = (arn, revision_id)
        found = self._parsed.get(key)
        if found is None:
            if definition is None:
                revision = self.store.get_revision(arn, revision_id)
                if revision is None:
                    raise NotFound(f"state machine {arn} has no revision {revision_id!r}")
                definition = revision.definition
            found = self.remember(arn, revision_id, load(definition))
        return found

    def remember(self, arn: str, revision_id: str, machine: StateMachine) -> Parsed:
        parsed = (machine, branch_paths(machine))
        self._parsed[(arn, revision_id)] = parsed
        return parsed
