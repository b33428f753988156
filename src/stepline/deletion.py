"""DeleteStateMachine: a machine is DELETING until its last running execution has ended,
then it is gone with its versions, aliases, tags and executions.

AWS (API reference, DeleteStateMachine): "It sets the state machine's status to DELETING
and begins the deletion process. A state machine is deleted only when all its executions
are completed. On the next state transition, the state machine's executions are
terminated. [...] This API action also deletes all versions and aliases associated with a
state machine." The terminated executions fail with States.Runtime, "State machine <name>
has been deleted." (AWS Knowledge Center, "Why is my Step Functions state machine stuck in
the DELETING status?"): an execution waiting (a Wait state, a task waiting for a callback)
keeps the machine DELETING until it moves on or is stopped.

So here: ``delete_state_machine`` marks the machine DELETING (and flags its executions);
``Service.apply`` fails a flagged running execution instead of its next state transition
(``terminated``) and calls ``settle`` when one ends; ``settle`` purges the machine once none
of its executions runs. New executions, updates, versions and aliases of a DELETING machine
are refused (StateMachineDeleting); creating a machine of its name too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Final

from stepline.arns import MachineRef
from stepline.asl import errors
from stepline.catalog_checks import ValidationError
from stepline.engine.history import HistoryEvent
from stepline.engine.records import FailExecution, Inbound, Redrive, StopExecution
from stepline.store.protocol import Store
from stepline.store.records import INITIAL_REVISION, ExecutionRecord

_NOT_TERMINATED: Final = (StopExecution, Redrive)  # a stop is the user's; a redrive refused


class Deletion:
    def __init__(self, store: Store, ref: Callable[[str], MachineRef]) -> None:
        self.store = store
        self._ref = ref

    def delete_state_machine(self, state_machine: str) -> None:
        """AWS's DeleteStateMachine; deleting a machine that does not exist (any more)
        succeeds. A qualified ARN (a version, an alias, a Distributed Map's label) is a
        ValidationError: versions and aliases have their own delete operations."""
        ref = self._ref(state_machine)
        if ref.is_qualified or "/" in ref.name:
            # AWS (API reference, earlier text): "If the given state machine Amazon Resource
            # Name (ARN) is a qualified state machine ARN, it will fail with
            # ValidationException." The message is stepline's.
            raise ValidationError(
                f"Not an unqualified state machine ARN: '{state_machine}' (delete a version"
                " with DeleteStateMachineVersion, an alias with DeleteStateMachineAlias)"
            )
        if self.store.mark_state_machine_deleting(ref.arn) is not None:
            self.settle(ref.arn)

    def initial_revision(self, arn: str) -> str:
        """The id of a new machine's first revision: INITIAL, unless a deleted machine of
        that name left its revisions (they are never deleted); then one no process can have
        cached a definition under."""
        store = self.store
        if store.get_revision(arn, INITIAL_REVISION) is None or store.get_state_machine(arn):
            return INITIAL_REVISION
        return f"{INITIAL_REVISION}:{uuid.uuid4()}"

    def settle(self, state_machine_arn: str) -> bool:
        """Finish the deletion of a DELETING machine none of whose executions runs; True
        when it is gone by this call (False: not DELETING, or an execution still runs)."""
        return self.store.purge_state_machine(state_machine_arn)


def terminated(
    record: ExecutionRecord, event: Inbound, events: Sequence[HistoryEvent]
) -> FailExecution | None:
    """What a step of ``record`` applies instead of ``event`` when its state machine is
    being deleted and the step (recording ``events``) is a state transition: a state
    entered or left, or the execution's end. Else None: a task submitted or started, a
    heartbeat, a retry scheduled happen as usual."""
    if not record.machine_deleting or isinstance(event, _NOT_TERMINATED):
        return None
    if not any(_is_transition(e.type) for e in events):
        return None
    name = record.state_machine_arn.rsplit(":", 1)[-1]
    return FailExecution(errors.RUNTIME, f"State machine {name} has been deleted.")


def _is_transition(event_type: str) -> bool:
    return event_type.endswith(("StateEntered", "StateExited")) or event_type.startswith(
        "Execution"
    )
