"""Athena work groups: the use cases behind CreateWorkGroup, GetWorkGroup, ListWorkGroups,
UpdateWorkGroup and DeleteWorkGroup, and where a query's results go.

# AWS: every account has the "primary" work group; it cannot be deleted. Here its output
# location, unless someone stored a configuration for it, is the engine's configured one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from stepline.athena.errors import InvalidRequest
from stepline.runtime.clock import Clock
from stepline.store import protocol as store_errors
from stepline.store.lake_records import WorkGroupRecord
from stepline.store.protocol import Store

PRIMARY: Final = "primary"
_NAME: Final = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")  # AWS: WorkGroupName's pattern


class WorkGroups:
    def __init__(self, store: Store, clock: Clock, default_output_location: str) -> None:
        self.store = store
        self.clock = clock
        self.default_output_location = default_output_location

    def _primary(self) -> WorkGroupRecord:
        configuration = {
            "ResultConfiguration": {"OutputLocation": self.default_output_location},
            "EnforceWorkGroupConfiguration": False,
        }
        return WorkGroupRecord(
            PRIMARY, self.clock.now(), "ENABLED", None, json.dumps(configuration)
        )

    def get(self, name: str) -> WorkGroupRecord:
        found = self.store.get_workgroup(name)
        if found is not None:
            return found
        if name == PRIMARY:
            return self._primary()
        raise InvalidRequest(f"WorkGroup {name} is not found.")

    def list(self) -> list[WorkGroupRecord]:
        stored = self.store.list_workgroups()
        if all(w.name != PRIMARY for w in stored):
            stored = sorted([*stored, self._primary()], key=lambda w: w.name)
        return stored

    def create(
        self,
        name: str,
        configuration: Mapping[str, Any] | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> WorkGroupRecord:
        if not _NAME.match(name or ""):
            raise InvalidRequest(
                f"WorkGroup name {name!r} must be 1 to 128 letters, digits, '.', '_' or '-'"
            )
        if name == PRIMARY:
            raise InvalidRequest("WorkGroup is already created")
        record = WorkGroupRecord(
            name,
            self.clock.now(),
            "ENABLED",
            description,
            json.dumps(dict(configuration or {}), sort_keys=True),
            json.dumps(dict(tags or {}), sort_keys=True),
        )
        try:
            self.store.create_workgroup(record)
        except store_errors.AlreadyExists:
            raise InvalidRequest("WorkGroup is already created") from None
        return record

    def update(
        self,
        name: str,
        state: str | None = None,
        description: str | None = None,
        configuration: Mapping[str, Any] | None = None,
    ) -> WorkGroupRecord:
        """UpdateWorkGroup: ``configuration`` members replace the stored ones."""
        current = self.get(name)
        if state is not None and state not in ("ENABLED", "DISABLED"):
            raise InvalidRequest(f"State must be ENABLED or DISABLED, got {state!r}")
        merged = {**json.loads(current.configuration), **dict(configuration or {})}
        record = WorkGroupRecord(
            name,
            current.created_at,
            state or current.state,  # type: ignore[arg-type]
            current.description if description is None else description,
            json.dumps(merged, sort_keys=True),
            current.tags,
        )
        if self.store.get_workgroup(name) is None:  # the virtual primary: store it now
            try:
                self.store.create_workgroup(record)
                return record
            except store_errors.AlreadyExists:
                pass
        self.store.update_workgroup(record)
        return record

    def delete(self, name: str) -> None:
        if name == PRIMARY:
            raise InvalidRequest("Cannot delete primary workgroup")
        if not self.store.delete_workgroup(name):
            raise InvalidRequest(f"WorkGroup {name} is not found.")

    def output_location(self, workgroup: WorkGroupRecord, requested: str | None) -> str:
        """Where a query's results go: the work group's location when it enforces its
        configuration, else the request's, else the work group's."""
        configured = workgroup.output_location
        if workgroup.name == PRIMARY and configured is None:
            configured = self.default_output_location
        chosen = configured if (workgroup.enforced and configured) else (requested or configured)
        if not chosen:
            # AWS: StartQueryExecution's message when no output location is known.
            raise InvalidRequest(
                "No output location provided. An output location is required either through"
                " the Workgroup result configuration setting or as an API input."
            )
        return chosen
