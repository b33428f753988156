"""Use cases of state machine aliases: a named pointer to one or two versions of a machine
(``<machine arn>:<name>``) that splits new executions between them by weight
(``Versions.resolve`` draws)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from stepline.arns import InvalidArn, MachineRef
from stepline.catalog_checks import (
    MAX_ALIASES,
    MissingRequiredParameter,
    QuotaExceeded,
    ResourceNotFound,
    StateMachineDoesNotExist,
    ValidationError,
    active,
    check_alias_name,
    check_description,
    parse_routes,
)
from stepline.runtime.clock import Clock
from stepline.store.protocol import AlreadyExists, Conflict, NotFound, Store
from stepline.store.records import AliasRecord


class Aliases:
    def __init__(self, store: Store, clock: Clock, ref: Callable[[str], MachineRef]) -> None:
        self.store = store
        self.clock = clock
        self._ref = ref

    def create_alias(
        self, name: str, routes: Sequence[tuple[str, int]], description: str | None = None
    ) -> AliasRecord:
        """AWS's CreateStateMachineAlias; ``routes`` are (version ARN, weight) pairs."""
        check_alias_name(name)
        check_description(description, "description")
        machine_arn, parsed = parse_routes(routes, self._ref)
        self._not_deleting(machine_arn)
        existing = self.store.get_alias(machine_arn, name)
        if existing is None and len(self.store.list_aliases(machine_arn)) >= MAX_ALIASES:
            raise QuotaExceeded(f"State machine {machine_arn} has {MAX_ALIASES} aliases already")
        now = self.clock.now()
        try:
            self.store.create_alias(AliasRecord(machine_arn, name, parsed, now, now, description))
        except AlreadyExists:
            existing = self.store.get_alias(machine_arn, name)
            # AWS: idempotent for the same name, description and routing configuration.
            same = existing is not None and existing.routes == parsed
            if existing is None or not same or existing.description != description:
                raise Conflict(
                    "Failed to create alias because an alias with the same name and a"
                    " different routing configuration already exists."
                ) from None
            return existing
        except NotFound as exc:
            raise ResourceNotFound(str(exc)) from None
        return self.describe_alias(f"{machine_arn}:{name}")

    def update_alias(
        self,
        alias_arn: str,
        description: str | None = None,
        routes: Sequence[tuple[str, int]] | None = None,
    ) -> AliasRecord:
        """AWS's UpdateStateMachineAlias: changes what is given (at least one of them)."""
        ref = self._alias_ref(alias_arn)
        if description is None and routes is None:
            raise MissingRequiredParameter(
                "Either the description or the routingConfiguration must be given"
            )
        check_description(description, "description")
        self._not_deleting(ref.arn)
        current = self.describe_alias(alias_arn)
        parsed = current.routes if routes is None else parse_routes(routes, self._ref, ref.arn)[1]
        changed = dataclasses.replace(
            current,
            routes=parsed,
            description=current.description if description is None else description,
            updated_at=self.clock.now(),
        )
        try:
            self.store.update_alias(changed)
        except NotFound as exc:
            raise ResourceNotFound(str(exc)) from None
        return self.describe_alias(alias_arn)

    def describe_alias(self, alias_arn: str) -> AliasRecord:
        ref = self._alias_ref(alias_arn)
        assert ref.alias is not None
        found = self.store.get_alias(ref.arn, ref.alias)
        if found is None:  # AWS (recorded)
            raise ResourceNotFound(
                f"Request references a resource that does not exist: '{ref.qualified}'"
            )
        return found

    def list_aliases(self, state_machine: str) -> list[AliasRecord]:
        """Newest first. AWS: given a version ARN, the aliases that route to it."""
        ref = self._ref(state_machine)
        if ref.alias is not None:
            raise InvalidArn(f"Invalid Arn: '{state_machine}': not a state machine ARN")
        machine = self.store.get_state_machine(ref.arn)
        if machine is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.arn}'")
        active(machine)
        aliases = self.store.list_aliases(ref.arn)
        if ref.version is not None:
            aliases = [a for a in aliases if any(r.version == ref.version for r in a.routes)]
        return aliases

    def delete_alias(self, alias_arn: str) -> None:
        """AWS: deleting an alias that does not exist succeeds; its versions stay."""
        ref = self._alias_ref(alias_arn)
        assert ref.alias is not None
        self.store.delete_alias(ref.arn, ref.alias)

    def _not_deleting(self, machine_arn: str) -> None:
        """AWS: StateMachineDeleting for the aliases of a machine being deleted."""
        machine = self.store.get_state_machine(machine_arn)
        if machine is not None:
            active(machine)

    def _alias_ref(self, alias_arn: str) -> MachineRef:
        ref = self._ref(alias_arn)
        if ref.alias is None:
            raise ValidationError(f"Not a state machine alias ARN: '{alias_arn}'")
        return ref
