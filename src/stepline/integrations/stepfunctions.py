"""Nested executions: ``arn:aws:states:::states:startExecution`` in its three patterns.

Request-response returns as soon as the child is started; ``.waitForTaskToken`` starts the
child and the parent waits for SendTaskSuccess/Failure; ``.sync`` and ``.sync:2`` start the
child linked to the parent task, and the service delivers the child's end to the parent
(``Service.child_result``). Needs the durable service: the child is a real execution.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Final

from stepline.asl.errors import Json
from stepline.engine.tokens import task_token
from stepline.integrations.base import Handler, TaskFailure, TaskRequest

if TYPE_CHECKING:
    from stepline.service import Service

START_EXECUTION: Final = "arn:aws:states:::states:startExecution"
_MODES: Final = {
    START_EXECUTION: None,
    f"{START_EXECUTION}.waitForTaskToken": None,
    f"{START_EXECUTION}.sync": "sync",
    f"{START_EXECUTION}.sync:2": "sync:2",
}


class StepFunctions:
    def __init__(self, service: Service) -> None:
        self.service = service

    def handler_for(self, resource: str) -> Handler | None:
        if resource not in _MODES:
            return None
        mode = _MODES[resource]

        def start(request: TaskRequest) -> Json:
            return self._start(request, mode)

        return start

    def _start(self, request: TaskRequest, mode: str | None) -> Json:
        from stepline.arns import InvalidArn
        from stepline.catalog_checks import StateMachineDeleting
        from stepline.store.protocol import NotFound, StoreError

        params = request.parameters if isinstance(request.parameters, dict) else {}
        machine = params.get("StateMachineArn")
        if not isinstance(machine, str):
            raise TaskFailure(
                "States.Runtime",
                f"The field 'StateMachineArn' is required for {START_EXECUTION} "
                f"(state '{request.state_name}')",
            )
        payload = params.get("Input", {})
        # AWS: Input may be a JSON object or a JSON string.
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        name = params.get("Name")
        parent = task_token(request.execution_arn, request.token) if mode else None
        try:
            record = self.service.start_execution(
                machine, text, name if isinstance(name, str) else None, parent, mode
            )
        except StoreError as exc:
            error = "StepFunctions.ExecutionAlreadyExistsException"
            if isinstance(exc, NotFound):  # a machine, version or alias
                error = "StepFunctions.StateMachineDoesNotExistException"
            elif isinstance(exc, StateMachineDeleting):
                error = "StepFunctions.StateMachineDeletingException"
            raise TaskFailure(error, str(exc)) from None
        except InvalidArn as exc:
            raise TaskFailure("StepFunctions.InvalidArnException", str(exc)) from None
        except ValueError as exc:
            raise TaskFailure("StepFunctions.InvalidExecutionInputException", str(exc)) from None
        return {"ExecutionArn": record.arn, "StartDate": epoch_millis(record.start_date)}


def epoch_millis(moment: datetime) -> int:
    """AWS renders an SDK integration's timestamps as epoch milliseconds."""
    return int(moment.timestamp() * 1000)
