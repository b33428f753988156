"""What an EXPRESS state machine may not contain (AWS: Express workflows support neither
the "Run a job" (``.sync``) nor the "Wait for callback" (``.waitForTaskToken``) pattern,
nor activities, nor a Distributed Map)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stepline.asl.diagnostics import SCHEMA_VALIDATION_FAILED, Diagnostic
from stepline.asl.errors import DefinitionError, Json
from stepline.asl.model import Branch, MapState, ParallelState, StateMachine, TaskState
from stepline.asl.parse import load


def load_as(definition: str | Mapping[str, Json], type: str) -> StateMachine:
    """``load`` for a machine of ``type`` (STANDARD or EXPRESS); DefinitionError lists
    every problem, an EXPRESS machine's included."""
    machine = load(definition)
    if type == "EXPRESS":
        problems = express_diagnostics(machine)
        if problems:
            raise DefinitionError(problems)
    return machine


def express_diagnostics(machine: StateMachine) -> list[Diagnostic]:
    """Every state of ``machine`` that an EXPRESS state machine cannot run, in AWS's
    ValidateStateMachineDefinition shape."""
    return list(_walk(machine.root, ""))


def _walk(branch: Branch, prefix: str) -> Iterator[Diagnostic]:
    for name, state in branch.states.items():
        here = f"{prefix}/States/{name}"
        if isinstance(state, TaskState):
            problem = _task_problem(state.resource)
            if problem is not None:
                yield Diagnostic("ERROR", SCHEMA_VALIDATION_FAILED, problem, f"{here}/Resource")
        elif isinstance(state, ParallelState):
            for index, child in enumerate(state.branches):
                yield from _walk(child, f"{here}/Branches[{index}]")
        elif isinstance(state, MapState):
            if state.mode == "DISTRIBUTED":
                yield Diagnostic(
                    "ERROR",
                    SCHEMA_VALIDATION_FAILED,
                    "Express state machine does not support Distributed Map state",
                    f"{here}/ItemProcessor/ProcessorConfig/Mode",
                )
            yield from _walk(state.processor, f"{here}/ItemProcessor")


def _task_problem(resource: str) -> str | None:
    if resource.startswith("arn:") and resource.split(":")[5:6] == ["activity"]:
        return "Express state machine does not support Activity ARN"
    for suffix in (".sync", ".waitForTaskToken"):
        if resource.endswith(suffix) or f"{suffix}:" in resource:
            # AWS: the integration pattern is the Resource's suffix (.sync, .sync:2, ...)
            return f"Express state machine does not support '{suffix}' service integration"
    return None
