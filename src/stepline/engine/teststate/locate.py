"""Finding the state a TestState request runs: a lone state, or one named in a machine.

AWS (API reference, TestStateInput): ``definition`` is one state, or, with ``stateName``,
a complete state machine holding that state. A lone state is validated as the only state
of a machine; the states its ``Next``, ``Default``, ``Choices`` and ``Catch`` name are
stand-ins there (they are not run), and problems are reported at locations inside the
state (``/Parameters``, not ``/States/StateName/Parameters``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from stepline.asl.diagnostics import SCHEMA_VALIDATION_FAILED, Diagnostic
from stepline.asl.errors import DefinitionError
from stepline.asl.model import Branch, MapState, ParallelState, State, StateMachine
from stepline.asl.parse import load
from stepline.engine.teststate.request import invalid

STATE_NAME: Final = "StateName"
"""AWS: the name a lone state runs under (``$$.State.Name`` shows it; recorded)."""


@dataclass(frozen=True, slots=True)
class Located:
    machine: StateMachine
    state: State
    in_map: bool  # the state sits inside a Map's ItemProcessor


def locate(definition: str, state_name: str | None) -> Located:
    """The machine and the state under test; DefinitionError for an invalid definition,
    TestStateError when ``state_name`` is not in it."""
    if state_name is not None:
        machine = load(definition)
        found = _find(machine.root, state_name, in_map=False)
        if found is None:
            # LocalStack's text for AWS's ValidationException.
            raise invalid("State not found in definition")
        return Located(machine, found[0], found[1])
    try:
        source = json.loads(definition)
    except ValueError:
        source = None
    if not isinstance(source, dict):
        load(definition)  # raises DefinitionError: not JSON, or not an object
        raise AssertionError("a definition that is not a JSON object cannot load")
    if "Type" not in source and "States" in source:
        raise DefinitionError(
            [
                Diagnostic(
                    "ERROR",
                    SCHEMA_VALIDATION_FAILED,
                    "The definition is a state machine: give stateName to choose the state to test",
                    "/",
                )
            ]
        )
    states: dict[str, Any] = {STATE_NAME: source}
    for target in _targets(source):
        if target != STATE_NAME:
            states.setdefault(target, {"Type": "Succeed"})
    try:
        machine = load({"StartAt": STATE_NAME, "States": states})
    except DefinitionError as exc:
        raise DefinitionError([_relocate(d) for d in exc.diagnostics]) from None
    return Located(machine, machine.root.states[STATE_NAME], in_map=False)


def _targets(state: Mapping[str, Any]) -> list[str]:
    """The state names a state can transition to."""
    found: list[str] = []
    for key in ("Next", "Default"):
        if isinstance(state.get(key), str):
            found.append(state[key])
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            for rule in rules:
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    found.append(rule["Next"])
    return found


_PREFIX: Final = f"/States/{STATE_NAME}"


def _relocate(diagnostic: Diagnostic) -> Diagnostic:
    location = diagnostic.location
    if location == _PREFIX or location.startswith(_PREFIX + "/"):
        location = location[len(_PREFIX) :] or "/"
    return Diagnostic(diagnostic.severity, diagnostic.code, diagnostic.message, location)


def _find(branch: Branch, name: str, in_map: bool) -> tuple[State, bool] | None:
    """The state called ``name`` anywhere in the machine (AWS requires names to be unique
    across the whole machine), and whether it sits inside a Map."""
    st = branch.states.get(name)
    if st is not None:
        return st, in_map
    for inner in branch.states.values():
        if isinstance(inner, ParallelState):
            for child in inner.branches:
                found = _find(child, name, in_map)
                if found is not None:
                    return found
        elif isinstance(inner, MapState):
            found = _find(inner.processor, name, True)
            if found is not None:
                return found
    return None
