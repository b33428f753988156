"""The checks of versions' and aliases' inputs, with AWS's error names and (where AWS's
answers were recorded: LocalStack's snapshot tests ``test_sfn_api_aliasing`` and
``test_sfn_api_versioning``) its messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from stepline.arns import InvalidArn, MachineRef
from stepline.store.protocol import NotFound, StoreError
from stepline.store.records import Route, StateMachineRecord

# AWS: CreateStateMachineAlias's name pattern and length (botocore CharacterRestrictedName).
ALIAS_NAME: Final = re.compile(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$")
MAX_ALIAS_NAME: Final = 80
MAX_DESCRIPTION: Final = 256  # AliasDescription, VersionDescription
MAX_ALIASES: Final = 100  # per state machine
MAX_VERSIONS: Final = 1000  # per state machine


class ValidationError(ValueError):
    """AWS: ValidationException; ``reason`` is one of its ValidationExceptionReason."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class MissingRequiredParameter(ValidationError):
    """AWS: MissingRequiredParameter (UpdateStateMachine without definition nor roleArn)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "MISSING_REQUIRED_PARAMETER")


class StateMachineDoesNotExist(NotFound):
    """AWS: StateMachineDoesNotExist."""


class ResourceNotFound(NotFound):
    """AWS: ResourceNotFound (an alias, a version an alias would route to, a resource to
    tag); ``resource_name`` is the error's resourceName member, when AWS gives one."""

    def __init__(self, message: str, resource_name: str | None = None) -> None:
        super().__init__(message)
        self.resource_name = resource_name


class StateMachineDeleting(StoreError):
    """AWS: StateMachineDeleting ("The specified state machine is being deleted")."""


def active(machine: StateMachineRecord) -> StateMachineRecord:
    """``machine``, unless DeleteStateMachine is deleting it (StateMachineDeleting)."""
    if machine.status == "DELETING":
        raise StateMachineDeleting(f"State Machine Is Being Deleted: '{machine.arn}'")
    return machine


class QuotaExceeded(StoreError):
    """AWS: ServiceQuotaExceededException."""


def check_version_description(publish: bool, description: str | None) -> None:
    if description is not None and not publish:  # AWS (recorded)
        raise ValidationError("Version description can only be set when publish is true")
    check_description(description, "versionDescription")


def check_description(description: str | None, field: str) -> None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            f" Member must have length less than or equal to {MAX_DESCRIPTION}"
        )


def check_alias_name(name: str) -> None:
    """AWS (recorded): the messages of CreateStateMachineAlias's name checks."""
    if not name or len(name) > MAX_ALIAS_NAME:
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy"
            f" constraint: Member must have length between 1 and {MAX_ALIAS_NAME}"
        )
    if not ALIAS_NAME.fullmatch(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy"
            f" constraint: Member must satisfy regular expression pattern: {ALIAS_NAME.pattern}"
        )


def parse_routes(
    routes: Sequence[tuple[str, int]],
    ref_of: Callable[[str], MachineRef],
    machine_arn: str | None = None,
) -> tuple[str, tuple[Route, ...]]:
    """Validate a routing configuration, (version ARN, weight) pairs, in AWS's order and
    words (recorded); returns the machine it routes to and its routes."""
    arns = [arn for arn, _ in routes]
    received = f"[{', '.join(arns)}]"
    if not 1 <= len(routes) <= 2:
        raise ValidationError(
            f"1 validation error detected: Value '{received}' at 'routingConfiguration'"
            " failed to satisfy constraint: Member must have length between 1 and 2"
        )
    for index, (_, weight) in enumerate(routes, 1):
        if not 0 <= weight <= 100:
            bound = "less than or equal to 100" if weight > 100 else "greater than or equal to 0"
            raise ValidationError(
                f"1 validation error detected: Value '{weight}' at"
                f" 'routingConfiguration.{index}.member.weight' failed to satisfy"
                f" constraint: Member must have value {bound}"
            )
    refs: list[MachineRef] = []
    numbers: list[int] = []
    for arn in arns:
        try:
            ref = ref_of(arn) if arn.startswith("arn:") else None
        except InvalidArn:
            ref = None
        if ref is None or ref.version is None:
            raise ValidationError(
                "Routing configuration must contain state machine version ARNs."
                f" Received: {received}",
                "INVALID_ROUTING_CONFIGURATION",
            )
        refs.append(ref)
        numbers.append(ref.version)
    if len({ref.qualified for ref in refs}) != len(refs):
        raise ValidationError(
            "Routing configuration must contain distinct state machine version ARNs."
            f" Received: {received}",
            "INVALID_ROUTING_CONFIGURATION",
        )
    machines = {ref.arn for ref in refs} | ({machine_arn} if machine_arn else set())
    if len(machines) != 1:
        raise ValidationError(
            "Routing configuration must contain versions of one state machine"
            f"{f' ({machine_arn})' if machine_arn else ''}. Received: {received}",
            "INVALID_ROUTING_CONFIGURATION",
        )
    weights = [weight for _, weight in routes]
    if sum(weights) != 100:
        raise ValidationError(
            "Sum of routing configuration weights must equal 100."
            f" Received: [{', '.join(map(str, weights))}]",
            "INVALID_ROUTING_CONFIGURATION",
        )
    parsed = tuple(Route(n, w) for n, w in zip(numbers, weights, strict=True))
    return refs[0].arn, parsed
