"""What a step writes besides the engine's new state: its history events as store records,
the fields of an execution that ended, and the work items of nested executions (a child's
end for its .sync parent task; a StopExecution for the child of a .sync task that was
stopped); and the randomness of a step."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stepline.activities import activity_work
from stepline.asl.errors import Json
from stepline.engine.history import HistoryEvent, details_key
from stepline.engine.records import (
    CancelTask,
    CancelTimer,
    ExecutionState,
    InvokeTask,
    StartTimer,
    Step,
)
from stepline.engine.resources import is_activity
from stepline.engine.tokens import parse_task_token
from stepline.integrations.stepfunctions import START_EXECUTION, epoch_millis
from stepline.store.protocol import Store
from stepline.store.records import EventRecord, WorkItem


def child_result(state: ExecutionState, now: datetime) -> WorkItem:
    """The work item that tells a .sync parent task how its child ended (AWS's
    DescribeExecution shape; .sync gives Input/Output as JSON text, .sync:2 as JSON)."""
    info = state.info
    assert info.parent_token is not None
    parent_arn, token = parse_task_token(info.parent_token)
    as_text = info.parent_mode == "sync"
    result: dict[str, Json] = {
        "ExecutionArn": info.execution_arn,
        "Input": json.dumps(info.input, ensure_ascii=False) if as_text else info.input,
        "InputDetails": {"Included": True},
        "Name": info.name,
        "StartDate": epoch_millis(info.start_time),
        "StateMachineArn": info.state_machine_arn,
        "Status": state.status,
        "StopDate": epoch_millis(now),
    }
    if info.version_arn is not None:
        result["StateMachineVersionArn"] = info.version_arn
    if info.alias_arn is not None:
        result["StateMachineAliasArn"] = info.alias_arn
    if state.status == "SUCCEEDED":
        result["Output"] = json.dumps(state.output, ensure_ascii=False) if as_text else state.output
        result["OutputDetails"] = {"Included": True}
    else:
        if state.error is not None:
            result["Error"] = state.error
        if state.cause is not None:
            result["Cause"] = state.cause
    payload = {"token": token, "succeeded": state.status == "SUCCEEDED", "result": result}
    return WorkItem(parent_arn, f"child:{info.execution_arn}", "deliver", now, json.dumps(payload))


def stop_started_work(arn: str, command: CancelTask, now: datetime) -> list[WorkItem]:
    """AWS: when a .sync task is stopped (its execution aborted, failed or timed out, or
    the task timed out), Step Functions tries to stop the work it started: here, a nested
    execution, which gets a StopExecution."""
    submitted = command.submitted
    if not command.resource.startswith(START_EXECUTION + ".sync"):
        return []
    if not isinstance(submitted, dict) or not isinstance(submitted.get("ExecutionArn"), str):
        return []
    child = submitted["ExecutionArn"]
    cause = f"Stopped because the parent task ended: {arn}"
    payload = {"stop": {"error": None, "cause": cause}}
    return [WorkItem(child, "stop:parent", "deliver", now, json.dumps(payload))]


def event_records(arn: str, events: Sequence[HistoryEvent]) -> list[EventRecord]:
    records = []
    for event in events:
        shaped = event.to_dict()
        details: Json = shaped.get(details_key(event.type))
        records.append(
            EventRecord(
                execution_arn=arn,
                id=event.id,
                previous_event_id=event.previous_event_id,
                timestamp=event.timestamp,
                type=event.type,
                details=None if details is None else json.dumps(details, ensure_ascii=False),
            )
        )
    return records


def step_rng(arn: str, position: int) -> random.Random:
    """Randomness for one step, derived from the execution and the step: a retried step
    (after a crash or a conflict) draws the same numbers."""
    return random.Random(f"{arn}#{position}")


def finished(state: ExecutionState, now: datetime) -> dict[str, Any]:
    """The output, error, cause and stop date of an execution that ended (none running)."""
    if state.status == "RUNNING":
        return {}
    output = json.dumps(state.output, ensure_ascii=False) if state.status == "SUCCEEDED" else None
    return {"output": output, "error": state.error, "cause": state.cause, "stop_date": now}


def work_items(
    store: Store, arn: str, step: Step, now: datetime
) -> tuple[list[WorkItem], list[str]]:
    """The work items a step adds (tasks to invoke, timers, a .sync parent's answer, work
    to stop) and the keys of those it cancels."""
    add: list[WorkItem] = []
    cancel: list[str] = []
    info = step.state.info
    if (
        step.state.status != "RUNNING"
        and info.parent_token
        and any(e.type.startswith("Execution") for e in step.events)
    ):
        add.append(child_result(step.state, now))
    for command in step.commands:
        if isinstance(command, InvokeTask) and is_activity(command.resource):
            add.append(activity_work(store, arn, command, now))
        elif isinstance(command, InvokeTask):
            payload = {
                "resource": command.resource,
                "parameters": command.parameters,
                "state_name": command.state_name,
                "timeout_seconds": command.timeout_seconds,
                "heartbeat_seconds": command.heartbeat_seconds,
            }
            add.append(WorkItem(arn, command.token, "invoke", now, json.dumps(payload)))
        elif isinstance(command, StartTimer):
            add.append(WorkItem(arn, command.token, "timer", command.due))
        elif isinstance(command, CancelTimer | CancelTask):
            cancel.append(command.token)
            if isinstance(command, CancelTask) and command.submitted is not None:
                add.extend(stop_started_work(arn, command, now))
    return add, cancel
