"""JSONata data flow: ``Arguments`` in, ``Output`` and ``Assign`` out, all over ``$states``.

``$states.input`` is the raw state input, ``$states.result`` a Task/Parallel/Map result,
``$states.errorOutput`` the error in a Catch, ``$states.context`` the context object.
Without ``Output`` a Task/Parallel/Map outputs its result and the other states their input.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from stepline.asl import errors
from stepline.asl.errors import Json, QueryEvaluationError, StatesError
from stepline.asl.model import (
    Catcher,
    ChoiceState,
    Expression,
    Expressions,
    FailState,
    JsonataChoiceRule,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from stepline.asl.timestamps import parse_timestamp
from stepline.engine.flow import Assigned, FanOutPlan, Handled, TaskRequestPlan, Visit
from stepline.engine.flow_jsonpath import is_callback
from stepline.engine.tokens import task_token

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter

_MAX_TASK_SECONDS = 99_999_999


class JsonataFlow:
    def __init__(self, run: Interpreter) -> None:
        self.run = run

    # ---- helpers -----------------------------------------------------------------------

    def _states(self, visit: Visit, in_task: bool = False, **extra: Json) -> dict[str, Json]:
        ctx = self.run.context(visit.name, visit.entry, in_task=in_task)
        return {"input": visit.data, "context": ctx, **extra}

    def _eval(self, expression: Expression, states: dict[str, Json], visit: Visit) -> Json:
        return expression.evaluate(states, visit.variables, self.run.rng, self.run.now)

    def _assign(self, assign: object, states: dict[str, Json], visit: Visit) -> Assigned:
        if assign is None:
            return None
        assigned = self._eval(assign, states, visit)  # type: ignore[arg-type]
        assert isinstance(assigned, dict)
        return assigned

    def _out(
        self, st: State, states: dict[str, Json], visit: Visit, default: Json
    ) -> tuple[Json, Assigned]:
        """Output (or ``default``) and Assign, both over the same ``$states`` and variables."""
        fields = _fields(st)
        output = default if fields.output is None else self._eval(fields.output, states, visit)
        return output, self._assign(st.base.assign, states, visit)

    def _number(
        self,
        literal: float | None,
        expression: Expression | None,
        states: dict[str, Json],
        visit: Visit,
        field: str,
        integer: bool = True,
    ) -> float | None:
        if literal is not None or expression is None:
            return literal
        value = self._eval(expression, states, visit)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise QueryEvaluationError(_unsupported(expression, field), field)
        if integer and value != int(value):
            raise QueryEvaluationError(_unsupported(expression, field), field)
        return int(value) if integer else float(value)

    # ---- states ------------------------------------------------------------------------

    def pass_(self, st: PassState, visit: Visit) -> tuple[Json, Assigned]:
        return self._out(st, self._states(visit), visit, visit.data)

    def choose(self, st: ChoiceState, visit: Visit) -> tuple[str, Json, Assigned]:
        states = self._states(visit)
        for position, rule in enumerate(st.choices):
            assert isinstance(rule, JsonataChoiceRule)
            matched = self._eval(rule.condition, states, visit)
            if not isinstance(matched, bool):
                raise QueryEvaluationError(_unsupported(rule.condition, "Condition"), "Condition")
            if matched:
                output = visit.data
                if rule.output is not None:
                    output = self._eval(rule.output, states, visit)
                assign = st.assigns[position] if st.assigns else None
                return rule.next, output, self._assign(assign, states, visit)
        if st.default is None:
            raise StatesError(
                errors.NO_CHOICE_MATCHED,
                f"No Matches! (state '{visit.name}')",
            )
        output, assigned = self._out(st, states, visit, visit.data)
        return st.default, output, assigned

    def wait_until(self, st: WaitState, visit: Visit) -> datetime:
        now = self.run.now
        fields = _fields(st)
        if st.timestamp is not None:
            return st.timestamp
        states = self._states(visit)
        if fields.timestamp is not None:
            text = self._eval(fields.timestamp, states, visit)
            due = parse_timestamp(text) if isinstance(text, str) else None
            if due is None:
                raise QueryEvaluationError(_unsupported(fields.timestamp, "Timestamp"), "Timestamp")
            return due
        seconds = self._number(st.seconds, fields.seconds, states, visit, "Seconds")
        if seconds is None or seconds < 0:
            assert fields.seconds is not None
            raise QueryEvaluationError(_unsupported(fields.seconds, "Seconds"), "Seconds")
        return now + timedelta(seconds=seconds)

    def wait_over(self, st: WaitState, visit: Visit) -> tuple[Json, Assigned]:
        return self._out(st, self._states(visit), visit, visit.data)

    def succeed(self, st: SucceedState, visit: Visit) -> Json:
        output, _ = self._out(st, self._states(visit), visit, visit.data)
        return output

    def fail(self, st: FailState, visit: Visit) -> tuple[str | None, str | None]:
        fields = _fields(st)
        error, cause = st.error, st.cause
        if fields.error is not None or fields.cause is not None:
            states = self._states(visit)
            if fields.error is not None:
                error = _string(self._eval(fields.error, states, visit), fields.error, "Error")
            if fields.cause is not None:
                cause = _string(self._eval(fields.cause, states, visit), fields.cause, "Cause")
        return error, cause

    def task_request(self, st: TaskState, visit: Visit, token: str) -> TaskRequestPlan:
        fields = _fields(st)
        states = self._states(visit, in_task=True)
        if is_callback(st.resource):
            # setdefault: a context object given to TestState may already name the token.
            token_text = task_token(self.run.info.execution_arn, token)
            states["context"].setdefault("Task", {"Token": token_text})
        parameters = visit.data
        if fields.arguments is not None:
            parameters = self._eval(fields.arguments, states, visit)
        timeout = self._seconds(
            st.timeout_seconds, fields.timeout_seconds, states, visit, "TimeoutSeconds"
        )
        heartbeat = self._seconds(
            st.heartbeat_seconds, fields.heartbeat_seconds, states, visit, "HeartbeatSeconds"
        )
        return TaskRequestPlan(parameters, timeout, heartbeat)

    def _seconds(
        self,
        literal: int | None,
        expression: Expression | None,
        states: dict[str, Json],
        visit: Visit,
        field: str,
    ) -> int | None:
        value = self._number(literal, expression, states, visit, field)
        if value is None:
            return None
        if value <= 0:
            assert expression is not None
            raise QueryEvaluationError(_unsupported(expression, field), field)
        return min(int(value), _MAX_TASK_SECONDS)

    def result(self, st: Handled, visit: Visit, result: Json) -> tuple[Json, Assigned]:
        states = self._states(visit, isinstance(st, TaskState), result=result)
        return self._out(st, states, visit, result)

    def fan_out(self, st: ParallelState | MapState, visit: Visit) -> FanOutPlan:
        fields = _fields(st)
        states = self._states(visit)
        if isinstance(st, ParallelState):
            branch_input = visit.data
            if fields.arguments is not None:
                branch_input = self._eval(fields.arguments, states, visit)
            return FanOutPlan(visit.data, (branch_input,) * len(st.branches), 0)
        if st.item_reader is not None and st.mode == "DISTRIBUTED":
            items: Json = []  # the Map Run reads them (engine.map_io)
        elif fields.items is None:
            items = visit.data
        else:
            items = self._eval(fields.items, states, visit)
        if not isinstance(items, list):
            # AWS: Items must evaluate to a JSON array (cause wording not pinned).
            if fields.items is not None:
                raise QueryEvaluationError(_unsupported(fields.items, "Items"), "Items")
            raise StatesError(errors.RUNTIME, "The Map state's input must be a JSON array")
        concurrency = self._number(
            st.max_concurrency if fields.max_concurrency is None else None,
            fields.max_concurrency,
            states,
            visit,
            "MaxConcurrency",
        )
        return FanOutPlan(visit.data, tuple(items), int(concurrency or 0))

    def tolerance(
        self, st: MapState, visit: Visit, effective: Json
    ) -> tuple[int | None, float | None]:
        fields = _fields(st)
        states = self._states(visit)
        count = self._number(
            st.tolerated_failure_count,
            fields.tolerated_failure_count,
            states,
            visit,
            "ToleratedFailureCount",
        )
        percentage = self._number(
            st.tolerated_failure_percentage,
            fields.tolerated_failure_percentage,
            states,
            visit,
            "ToleratedFailurePercentage",
            integer=False,
        )
        return (None if count is None else int(count)), percentage

    def item_input(
        self, st: MapState, visit: Visit, effective: Json, index: int, item: Json
    ) -> Json:
        selector = _fields(st).item_selector
        if selector is None:
            return item
        ctx = self.run.context(visit.name, visit.entry, item=(index, item))
        return self._eval(selector, {"input": visit.data, "context": ctx}, visit)

    def caught(
        self, st: Handled, visit: Visit, catcher: Catcher, error_output: Json
    ) -> tuple[Json, Assigned]:
        states = self._states(visit, isinstance(st, TaskState), errorOutput=error_output)
        output = error_output
        if catcher.output is not None:
            output = self._eval(catcher.output, states, visit)
        return output, self._assign(catcher.assign, states, visit)


def _fields(st: State) -> Expressions:
    fields = st.base.jsonata
    assert fields is not None, f"state {st.base.name} is not a JSONata state"
    return fields


def _unsupported(expression: Expression, field: str) -> str:
    text = getattr(expression, "text", None) or "<expression>"
    return (
        f"The JSONata expression '{text}' specified for the field '{field}' returned an "
        "unsupported result type."
    )


def _string(value: Json, expression: Expression, field: str) -> str:
    if not isinstance(value, str):
        raise QueryEvaluationError(_unsupported(expression, field), field)
    return value
