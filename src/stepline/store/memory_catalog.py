"""State machines (their revisions, versions and aliases), activities and tags in memory
(a base class of ``MemoryStore``): the contract's semantics in plain dictionaries, behind
one lock."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Sequence
from datetime import datetime

from stepline.store import _common as c
from stepline.store.protocol import AlreadyExists, Conflict, NotFound, TooManyTags
from stepline.store.records import (
    ActivityRecord,
    AliasRecord,
    RevisionRecord,
    StateMachineRecord,
    Tag,
    VersionRecord,
)


class MemoryCatalog:
    def __init__(self) -> None:
        self._catalog_lock = threading.RLock()
        self._machines: dict[str, StateMachineRecord] = {}
        self._machine_names: dict[str, str] = {}  # name -> arn
        self._revisions: dict[tuple[str, str], RevisionRecord] = {}
        self._last_version: dict[str, int] = {}  # machine arn -> highest number ever used
        self._versions: dict[str, dict[int, VersionRecord]] = {}
        self._aliases: dict[str, dict[str, AliasRecord]] = {}
        self._alias_seq: dict[tuple[str, str], int] = {}  # creation order, breaks ties
        self._seqs = itertools.count(1)
        self._activities: dict[str, ActivityRecord] = {}
        self._tags: dict[str, dict[str, str]] = {}  # resource arn -> key -> value

    # ---- state machines -----------------------------------------------------------------
    def create_state_machine(self, record: StateMachineRecord, tags: Sequence[Tag] = ()) -> None:
        record = dataclasses.replace(record, created_at=c.utc(record.created_at))
        with self._catalog_lock:
            if record.name in self._machine_names or record.arn in self._machines:
                raise AlreadyExists(c.machine_exists(record.name))
            self._machines[record.arn] = record
            self._machine_names[record.name] = record.arn
            if tags:
                self._tags[record.arn] = c.merged_tags({}, tags)
            self._revisions[(record.arn, record.revision_id)] = RevisionRecord(
                record.arn,
                record.revision_id,
                record.definition,
                record.role_arn,
                record.created_at,
            )

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        with self._catalog_lock:
            return self._machines.get(arn)

    def list_state_machines(self) -> list[StateMachineRecord]:
        with self._catalog_lock:
            return sorted(self._machines.values(), key=lambda m: (m.name, m.arn))

    def configure_state_machine(
        self,
        arn: str,
        logging: str | None = None,
        tracing: str | None = None,
        encryption: str | None = None,
    ) -> StateMachineRecord:
        with self._catalog_lock:
            machine = self._machines.get(arn)
            if machine is None:
                raise NotFound(c.no_machine(arn))
            machine = dataclasses.replace(
                machine,
                logging=machine.logging if logging is None else logging,
                tracing=machine.tracing if tracing is None else tracing,
                encryption=machine.encryption if encryption is None else encryption,
            )
            self._machines[arn] = machine
            return machine

    def _mark_deleting(self, arn: str) -> StateMachineRecord | None:
        with self._catalog_lock:
            machine = self._machines.get(arn)
            if machine is not None:
                machine = self._machines[arn] = dataclasses.replace(machine, status="DELETING")
            return machine

    def _drop_machine(self, arn: str) -> bool:
        """Forget a DELETING machine with its versions, aliases and tags (not its revisions);
        False when there is no such DELETING machine."""
        with self._catalog_lock:
            machine = self._machines.get(arn)
            if machine is None or machine.status != "DELETING":
                return False
            del self._machines[arn]
            del self._machine_names[machine.name]
            self._versions.pop(arn, None)
            self._last_version.pop(arn, None)
            for name in self._aliases.pop(arn, {}):
                self._alias_seq.pop((arn, name), None)
            self._tags.pop(arn, None)
            return True

    def update_state_machine(self, revision: RevisionRecord) -> StateMachineRecord:
        revision = dataclasses.replace(revision, created_at=c.utc(revision.created_at))
        arn = revision.state_machine_arn
        with self._catalog_lock:
            machine = self._machines.get(arn)
            if machine is None:
                raise NotFound(c.no_machine(arn))
            if (arn, revision.id) in self._revisions:
                raise AlreadyExists(c.revision_exists(arn, revision.id))
            self._revisions[(arn, revision.id)] = revision
            machine = dataclasses.replace(
                machine,
                definition=revision.definition,
                role_arn=revision.role_arn,
                revision_id=revision.id,
            )
            self._machines[arn] = machine
            return machine

    def get_revision(self, state_machine_arn: str, revision_id: str) -> RevisionRecord | None:
        with self._catalog_lock:
            return self._revisions.get((state_machine_arn, revision_id))

    # ---- versions -----------------------------------------------------------------------
    def publish_version(
        self,
        state_machine_arn: str,
        revision_id: str | None,
        created_at: datetime,
        description: str | None = None,
    ) -> VersionRecord:
        with self._catalog_lock:
            machine = self._machines.get(state_machine_arn)
            if machine is None:
                raise NotFound(c.no_machine(state_machine_arn))
            current = machine.revision_id
            if revision_id is not None and revision_id != current:
                raise Conflict(c.stale_revision(revision_id, current))
            versions = self._versions.setdefault(state_machine_arn, {})
            same = [v for v in versions.values() if v.revision_id == current]
            if same:  # AWS: publishing is idempotent per revision
                return max(same, key=lambda v: v.number)
            number = self._last_version.get(state_machine_arn, 0) + 1
            version = VersionRecord(
                state_machine_arn, number, current, c.utc(created_at), description
            )
            versions[number] = version
            self._last_version[state_machine_arn] = number
            return version

    def get_version(self, state_machine_arn: str, number: int) -> VersionRecord | None:
        with self._catalog_lock:
            return self._versions.get(state_machine_arn, {}).get(number)

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        with self._catalog_lock:
            versions = list(self._versions.get(state_machine_arn, {}).values())
        return sorted(versions, key=lambda v: v.number, reverse=True)

    def delete_version(self, state_machine_arn: str, number: int) -> bool:
        with self._catalog_lock:
            versions = self._versions.get(state_machine_arn, {})
            if number not in versions:
                return False
            aliases = self._aliases.get(state_machine_arn, {}).values()
            routed = sorted(a.name for a in aliases if any(r.version == number for r in a.routes))
            if routed:
                raise Conflict(c.version_routed(routed))
            del versions[number]
            return True

    # ---- aliases ------------------------------------------------------------------------
    def create_alias(self, alias: AliasRecord) -> None:
        alias = _utc_alias(alias)
        arn = alias.state_machine_arn
        with self._catalog_lock:
            if arn not in self._machines:
                raise NotFound(c.no_machine(arn))
            aliases = self._aliases.setdefault(arn, {})
            if alias.name in aliases:
                raise AlreadyExists(c.alias_exists(arn, alias.name))
            self._check_routes(alias)
            aliases[alias.name] = alias
            self._alias_seq[(arn, alias.name)] = next(self._seqs)

    def update_alias(self, alias: AliasRecord) -> None:
        alias = _utc_alias(alias)
        arn = alias.state_machine_arn
        with self._catalog_lock:
            aliases = self._aliases.get(arn, {})
            current = aliases.get(alias.name)
            if current is None:
                raise NotFound(c.no_alias(arn, alias.name))
            self._check_routes(alias)
            aliases[alias.name] = dataclasses.replace(alias, created_at=current.created_at)

    def get_alias(self, state_machine_arn: str, name: str) -> AliasRecord | None:
        with self._catalog_lock:
            return self._aliases.get(state_machine_arn, {}).get(name)

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        with self._catalog_lock:
            aliases = list(self._aliases.get(state_machine_arn, {}).values())
            order = {a.name: self._alias_seq[(state_machine_arn, a.name)] for a in aliases}
        return sorted(aliases, key=lambda a: (a.created_at, order[a.name]), reverse=True)

    def delete_alias(self, state_machine_arn: str, name: str) -> bool:
        with self._catalog_lock:
            found = self._aliases.get(state_machine_arn, {}).pop(name, None)
            self._alias_seq.pop((state_machine_arn, name), None)
            return found is not None

    # ---- activities ---------------------------------------------------------------------
    def create_activity(self, record: ActivityRecord, tags: Sequence[Tag] = ()) -> ActivityRecord:
        record = dataclasses.replace(record, created_at=c.utc(record.created_at))
        with self._catalog_lock:
            found = next((a for a in self._activities.values() if a.name == record.name), None)
            if found is not None:
                return found
            self._activities[record.arn] = record
            if tags:
                self._tags[record.arn] = c.merged_tags({}, tags)
            return record

    def get_activity(self, arn: str) -> ActivityRecord | None:
        with self._catalog_lock:
            return self._activities.get(arn)

    def list_activities(self) -> list[ActivityRecord]:
        with self._catalog_lock:
            return sorted(self._activities.values(), key=lambda a: a.name)

    def delete_activity(self, arn: str) -> bool:
        with self._catalog_lock:
            self._tags.pop(arn, None)
            return self._activities.pop(arn, None) is not None

    # ---- tags ---------------------------------------------------------------------------
    def tag_resource(self, resource_arn: str, tags: Sequence[Tag], limit: int) -> None:
        with self._catalog_lock:
            self._check_resource(resource_arn)
            merged = c.merged_tags(self._tags.get(resource_arn, {}), tags)
            if len(merged) > limit:
                message = c.too_many_tags(resource_arn, len(merged), limit)
                raise TooManyTags(message, resource_arn)
            self._tags[resource_arn] = merged

    def untag_resource(self, resource_arn: str, keys: Sequence[str]) -> None:
        with self._catalog_lock:
            self._check_resource(resource_arn)
            current = self._tags.get(resource_arn, {})
            for key in keys:
                current.pop(key, None)

    def list_tags(self, resource_arn: str) -> list[Tag]:
        with self._catalog_lock:
            self._check_resource(resource_arn)
            current = self._tags.get(resource_arn, {})
            return [Tag(key, current[key]) for key in sorted(current)]

    def _check_resource(self, resource_arn: str) -> None:
        if resource_arn not in self._machines and resource_arn not in self._activities:
            raise NotFound(c.no_resource(resource_arn))

    def _check_routes(self, alias: AliasRecord) -> None:
        versions = self._versions.get(alias.state_machine_arn, {})
        for route in alias.routes:
            if route.version not in versions:
                raise NotFound(c.no_version(alias.state_machine_arn, route.version))


def _utc_alias(alias: AliasRecord) -> AliasRecord:
    return dataclasses.replace(
        alias, created_at=c.utc(alias.created_at), updated_at=c.utc(alias.updated_at)
    )
