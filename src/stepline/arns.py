"""State machine ARNs as users write them: unqualified, or qualified by a version number or
an alias name (``arn:aws:states:<region>:<account>:stateMachine:<name>[:<qualifier>]``).

The CLI also takes ``<name>`` and ``<name>:<qualifier>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class InvalidArn(ValueError):
    """AWS: InvalidArn."""


@dataclass(frozen=True, slots=True)
class Account:
    """The region and account of the ARNs a service makes."""

    region: str = "us-east-1"
    account: str = "123456789012"

    def state_machine_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    def execution_arn(self, machine_name: str, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:execution:{machine_name}:{name}"


@dataclass(frozen=True, slots=True)
class MachineRef:
    """A state machine (``arn``, unqualified) and the version or alias that qualified it."""

    arn: str
    name: str
    version: int | None = None
    alias: str | None = None

    @property
    def qualified(self) -> str:
        """The ARN as given: with ``:<version>`` or ``:<alias>`` when it had one."""
        if self.version is not None:
            return f"{self.arn}:{self.version}"
        if self.alias is not None:
            return f"{self.arn}:{self.alias}"
        return self.arn

    @property
    def is_qualified(self) -> bool:
        return self.version is not None or self.alias is not None


def machine_ref(text: str, arn_of: Callable[[str], str]) -> MachineRef:
    """Parse ``text``; ``arn_of(name)`` is the ARN of the machine ``name`` (for the short
    forms). A qualifier of digits only is a version number, any other an alias name
    (AWS: alias names must contain a character other than a digit)."""
    if text.startswith("arn:"):
        parts = text.split(":")
        if len(parts) not in (7, 8) or parts[2] != "states" or parts[5] != "stateMachine":
            raise InvalidArn(f"Invalid Arn: '{text}'")
        name = parts[6]
        arn = ":".join(parts[:7])
        qualifier = parts[7] if len(parts) == 8 else None
    else:
        name, colon, rest = text.partition(":")
        if ":" in rest:
            raise InvalidArn(f"Invalid Arn: '{text}'")
        arn = arn_of(name)
        qualifier = rest if colon else None
    if not name or qualifier == "":
        raise InvalidArn(f"Invalid Arn: '{text}'")
    if qualifier is None:
        return MachineRef(arn, name)
    if qualifier.isascii() and qualifier.isdigit():
        return MachineRef(arn, name, version=int(qualifier))
    return MachineRef(arn, name, alias=qualifier)
