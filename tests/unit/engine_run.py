"""A test harness driving the pure engine by hand: start an execution of a definition,
send it events, and keep its history, its open task invocations and its timers."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from stepline.asl.parse import load
from stepline.engine.codec import decode_state, encode_state
from stepline.engine.history import HistoryEvent
from stepline.engine.interpreter import advance
from stepline.engine.records import (
    CancelTask,
    ExecutionInfo,
    ExecutionState,
    Inbound,
    InvokeTask,
    StartExecution,
    StartTimer,
    Step,
)

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


class EngineRun:
    """Each step's state goes through the codec, as a store would keep it."""

    def __init__(self, definition: dict[str, Any], given: Any, now: datetime = T0) -> None:
        self.machine = load(definition)
        self.now = now
        self.state: ExecutionState | None = None
        self.events: list[HistoryEvent] = []
        self.tasks: dict[str, InvokeTask] = {}  # invoked and not answered, by token
        self.timers: list[StartTimer] = []
        info = ExecutionInfo(
            execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e1",
            name="e1",
            state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:M",
            state_machine_name="M",
            input=given,
            start_time=now,
        )
        self.last = self.send(StartExecution(info))

    def send(self, event: Inbound) -> Step:
        n = 0 if self.state is None else self.state.next_event_id
        step = advance(self.machine, self.state, event, self.now, random.Random(n))
        self.state = decode_state(encode_state(step.state, self.machine), self.machine)
        self.events.extend(step.events)
        for command in step.commands:
            if isinstance(command, InvokeTask):
                self.tasks[command.token] = command
            elif isinstance(command, CancelTask):
                self.tasks.pop(command.token, None)
            elif isinstance(command, StartTimer):
                self.timers.append(command)
        self.last = step
        return step

    def types(self) -> list[str]:
        return [e.type for e in self.events]
