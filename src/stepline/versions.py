"""Use cases of state machine revisions and versions, and which definition a new execution
runs (``Versions.resolve``): the machine's latest revision, a version, or one of an alias's
versions drawn by weight.

AWS behaviour pinned here comes from the API reference (botocore's model) and from AWS's
recorded answers (LocalStack's snapshot tests ``test_sfn_api_versioning`` and
``test_sfn_api_aliasing``); each is marked ``# AWS:``.
"""

from __future__ import annotations

import dataclasses
import json
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from stepline.arns import InvalidArn, MachineRef, machine_ref
from stepline.asl.express_rules import load_as
from stepline.catalog_checks import (
    MAX_VERSIONS,
    MissingRequiredParameter,
    QuotaExceeded,
    StateMachineDoesNotExist,
    ValidationError,
    active,
    check_version_description,
)
from stepline.runtime.clock import Clock
from stepline.store.protocol import NotFound, Store
from stepline.store.records import (
    RevisionRecord,
    Route,
    StateMachineRecord,
    VersionRecord,
    is_initial,
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a new execution runs: the revision (definition and role) of ``machine``, and
    the version and alias it was started through."""

    machine: StateMachineRecord
    revision_id: str
    definition: str
    role_arn: str
    version_arn: str | None = None
    alias_arn: str | None = None


@dataclass(frozen=True, slots=True)
class Updated:
    """UpdateStateMachine's answer."""

    machine: StateMachineRecord
    update_date: datetime
    version: VersionRecord | None = None  # published with publish=True

    @property
    def revision_id(self) -> str | None:
        return public_revision(self.machine.revision_id)


@dataclass(frozen=True, slots=True)
class MachineView:
    """DescribeStateMachine: a machine (its latest revision) or one of its versions."""

    arn: str  # the version's ARN for a version
    name: str
    definition: str
    role_arn: str
    type: str
    created_at: datetime  # for a version: when it was published
    revision_id: str | None  # None before the first UpdateStateMachine (AWS shows none)
    machine: StateMachineRecord  # its status and configurations are the version's too
    description: str | None = None  # a version's


def public_revision(revision_id: str) -> str | None:
    """The revisionId AWS shows: none for a machine never updated."""
    return None if is_initial(revision_id) else revision_id


class Versions:
    def __init__(
        self, store: Store, clock: Clock, arn_of: Callable[[str], str], rng: random.Random
    ) -> None:
        self.store = store
        self.clock = clock
        self._arn_of = arn_of
        self._rng = rng
        self._rng_lock = threading.Lock()

    def ref(self, name_or_arn: str) -> MachineRef:
        return machine_ref(name_or_arn, self._arn_of)

    # ---- the latest revision ----------------------------------------------------------------
    def update_state_machine(
        self,
        state_machine: str,
        definition: str | None = None,
        role_arn: str | None = None,
        publish: bool = False,
        version_description: str | None = None,
    ) -> Updated:
        """AWS's UpdateStateMachine: executions already running keep their definition;
        raises DefinitionError for an invalid definition."""
        ref = self.ref(state_machine)
        if ref.is_qualified:  # AWS (recorded): updating a version ARN
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
        if definition is None and role_arn is None:
            raise MissingRequiredParameter("Either the definition or the roleArn must be given")
        check_version_description(publish, version_description)
        machine = active(self._machine(ref))
        if definition is not None:
            load_as(definition, machine.type)
        now = self.clock.now()
        # AWS (recorded): an update that changes nothing keeps the revision (and publishing
        # it again returns the same version).
        new_definition = definition is not None and _differs(definition, machine.definition)
        if new_definition or (role_arn is not None and role_arn != machine.role_arn):
            revision = RevisionRecord(
                machine.arn,
                str(uuid.uuid4()),
                definition if definition is not None else machine.definition,
                role_arn if role_arn is not None else machine.role_arn,
                now,
            )
            try:
                machine = self.store.update_state_machine(revision)
            except NotFound as exc:
                raise StateMachineDoesNotExist(str(exc)) from None
        version = None
        if publish:
            version = self._publish(machine, machine.revision_id, version_description, now)
        return Updated(machine, now, version)

    def configure(
        self,
        state_machine: str,
        logging: str | None = None,
        tracing: str | None = None,
        encryption: str | None = None,
    ) -> StateMachineRecord:
        """UpdateStateMachine's logging, tracing and encryption configurations (JSON text of
        the API's shapes; None keeps one). They are the machine's, not a revision's."""
        ref = self.ref(state_machine)
        if ref.is_qualified:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
        active(self._machine(ref))
        try:
            return self.store.configure_state_machine(ref.arn, logging, tracing, encryption)
        except NotFound as exc:
            raise StateMachineDoesNotExist(str(exc)) from None

    def describe_state_machine(self, state_machine: str) -> MachineView:
        """AWS's DescribeStateMachine, of a machine or (by its ARN) one of its versions."""
        ref = self.ref(state_machine)
        machine = self._machine(ref)
        if ref.alias is not None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
        if ref.version is None:
            revision_id = public_revision(machine.revision_id)
            return MachineView(
                machine.arn,
                machine.name,
                machine.definition,
                machine.role_arn,
                machine.type,
                machine.created_at,
                revision_id,
                machine,
            )
        version = self._version(ref)
        revision = self._revision(machine.arn, version.revision_id)
        return MachineView(
            version.arn,
            machine.name,
            revision.definition,
            revision.role_arn,
            machine.type,
            version.created_at,
            public_revision(revision.id),
            machine,
            version.description,
        )

    # ---- versions -----------------------------------------------------------------------
    def publish_version(
        self, state_machine: str, revision_id: str | None = None, description: str | None = None
    ) -> VersionRecord:
        """AWS's PublishStateMachineVersion: idempotent for the current revision; Conflict
        when ``revision_id`` is not the current revision ("INITIAL" names the first)."""
        ref = self.ref(state_machine)
        if ref.is_qualified:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
        check_version_description(True, description)
        machine = active(self._machine(ref))
        return self._publish(machine, revision_id, description, self.clock.now())

    def list_versions(self, state_machine: str) -> list[VersionRecord]:
        """Newest first."""
        ref = self.ref(state_machine)
        if ref.is_qualified:
            raise InvalidArn(f"Invalid Arn: '{state_machine}': not a state machine ARN")
        return self.store.list_versions(ref.arn)

    def delete_version(self, version_arn: str) -> None:
        """AWS: deleting a version that does not exist succeeds; one an alias routes to
        is a Conflict. Executions running it go on (they keep their revision)."""
        ref = self.ref(version_arn)
        if ref.version is None:
            raise ValidationError(f"Not a state machine version ARN: '{version_arn}'")
        self.store.delete_version(ref.arn, ref.version)

    def _publish(
        self,
        machine: StateMachineRecord,
        revision_id: str | None,
        description: str | None,
        now: datetime,
    ) -> VersionRecord:
        versions = self.store.list_versions(machine.arn)
        current = machine.revision_id if revision_id is None else revision_id
        if len(versions) >= MAX_VERSIONS and all(v.revision_id != current for v in versions):
            raise QuotaExceeded(
                f"State machine {machine.arn} has {len(versions)} versions, the most it may"
                " have: delete some first"
            )
        try:
            return self.store.publish_version(machine.arn, revision_id, now, description)
        except NotFound as exc:
            raise StateMachineDoesNotExist(str(exc)) from None

    # ---- what a new execution runs ------------------------------------------------------
    def resolve(self, state_machine: str) -> Target:
        """AWS's StartExecution: an unqualified ARN runs the latest revision; a version ARN
        that version; an alias ARN one of its versions, drawn by weight. StateMachineDeleting
        while the machine is being deleted."""
        ref = self.ref(state_machine)
        machine = active(self._machine(ref))
        if not ref.is_qualified:
            return Target(machine, machine.revision_id, machine.definition, machine.role_arn)
        alias_arn = None
        number = ref.version
        if ref.alias is not None:
            alias = self.store.get_alias(machine.arn, ref.alias)
            if alias is None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
            number = self.draw(alias.routes)
            alias_arn = alias.arn
        assert number is not None
        version = self._version(dataclasses.replace(ref, version=number, alias=None))
        revision = self._revision(machine.arn, version.revision_id)
        return Target(
            machine, revision.id, revision.definition, revision.role_arn, version.arn, alias_arn
        )

    def draw(self, routes: Sequence[Route]) -> int:
        """AWS: Step Functions picks the version of each execution at random, by weight."""
        with self._rng_lock:
            point = self._rng.randrange(100)
        for route in routes:
            if point < route.weight:
                return route.version
            point -= route.weight
        return routes[-1].version

    # ---- internals ----------------------------------------------------------------------
    def _machine(self, ref: MachineRef) -> StateMachineRecord:
        machine = self.store.get_state_machine(ref.arn)
        if machine is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.arn}'")
        return machine

    def _version(self, ref: MachineRef) -> VersionRecord:
        assert ref.version is not None
        version = self.store.get_version(ref.arn, ref.version)
        if version is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.qualified}'")
        return version

    def _revision(self, machine_arn: str, revision_id: str) -> RevisionRecord:
        revision = self.store.get_revision(machine_arn, revision_id)
        if revision is None:  # revisions are never deleted: a damaged store
            raise NotFound(f"state machine {machine_arn} has no revision {revision_id!r}")
        return revision


def _differs(definition: str, current: str) -> bool:
    try:
        return bool(json.loads(definition) != json.loads(current))
    except json.JSONDecodeError:
        return True
