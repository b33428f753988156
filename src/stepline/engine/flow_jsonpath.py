"""JSONPath data flow: InputPath -> Parameters -> result -> ResultSelector -> ResultPath ->
OutputPath, plus ``Assign`` (whose ``$`` is the state's result) and ``$name`` variables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from stepline.asl import errors
from stepline.asl.choice import ChoiceRule
from stepline.asl.dataflow import (
    apply_input_path,
    apply_output_path,
    apply_result_path,
    check_payload_size,
    read_path,
    to_json_text,
)
from stepline.asl.errors import Json, StatesError
from stepline.asl.model import (
    Assignment,
    Catcher,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    SucceedState,
    TaskState,
    WaitState,
)
from stepline.asl.paths import Path
from stepline.asl.templates import Template
from stepline.asl.timestamps import parse_timestamp
from stepline.engine.flow import Assigned, FanOutPlan, Handled, TaskRequestPlan, Visit
from stepline.engine.tokens import task_token as task_token_for

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter

_MAX_TASK_SECONDS = 99_999_999  # AWS: TimeoutSeconds default and maximum for a Task


class JsonPathFlow:
    def __init__(self, run: Interpreter) -> None:
        self.run = run
        # TestState (``engine/teststate``) sets a dict here to receive the intermediate
        # values under AWS's InspectionData names; None (every execution) records nothing.
        self.trace: dict[str, Json] | None = None

    # ---- helpers -----------------------------------------------------------------------

    def _ctx(self, visit: Visit, in_task: bool = False) -> Json:
        return self.run.context(visit.name, visit.entry, in_task=in_task)

    def _select(self, path: Path | None, data: Json, visit: Visit, output: bool) -> Json:
        if path is not None and path.is_root:
            return data
        ctx = self._ctx(visit) if path is not None and path.is_context else None
        apply = apply_output_path if output else apply_input_path
        return apply(path, data, ctx, visit.variables)

    def _template(
        self, template: Template, data: Json, visit: Visit, in_task: bool = False
    ) -> Json:
        ctx = self._ctx(visit, in_task) if template.uses_context else None
        return template.evaluate(data, ctx, self.run.rng, visit.variables)

    def _assign(self, assign: Assignment | None, value: Json, visit: Visit) -> Assigned:
        """AWS: in a JSONPath state, ``$`` in Assign is the state's result."""
        if assign is None:
            return None
        assert isinstance(assign, Template)
        assigned = self._template(assign, value, visit)
        assert isinstance(assigned, dict)
        return assigned

    def _read(self, path: Path, data: Json, visit: Visit) -> Json:
        return read_path(path, data, self._ctx(visit) if path.is_context else None, visit.variables)

    # ---- states ------------------------------------------------------------------------

    def pass_(self, st: PassState, visit: Visit) -> tuple[Json, Assigned]:
        data, trace = visit.data, self.trace
        effective = self._select(st.io.input_path, data, visit, output=False)
        if trace is not None:
            trace["afterInputPath"] = effective
        if st.has_result:
            result = st.result
        elif st.parameters is not None:
            result = self._template(st.parameters, effective, visit)
            if trace is not None:
                trace["afterParameters"] = result
        else:
            result = effective
        output = apply_result_path(st.result_path, data, result)
        if trace is not None:
            trace["afterResultPath"] = output
        output = self._select(st.io.output_path, output, visit, output=True)
        if output is not data:
            check_payload_size(output, visit.name)
        return output, self._assign(st.base.assign, result, visit)

    def choose(self, st: ChoiceState, visit: Visit) -> tuple[str, Json, Assigned]:
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if self.trace is not None:
            self.trace["afterInputPath"] = effective
        ctx = self._ctx(visit)
        target, assign = st.default, st.base.assign
        for position, rule in enumerate(st.choices):
            assert isinstance(rule, ChoiceRule)
            if rule.matches(effective, ctx, visit.variables):
                target = rule.next
                if st.assigns:
                    assign = st.assigns[position]
                break
        if target is None:
            # AWS: no rule matched and there is no Default (cause wording not pinned).
            raise StatesError(
                errors.NO_CHOICE_MATCHED,
                f"No Matches! (state '{visit.name}', input {to_json_text(effective)})",
            )
        output = self._select(st.io.output_path, effective, visit, output=True)
        return target, output, self._assign(assign, effective, visit)

    def wait_until(self, st: WaitState, visit: Visit) -> datetime:
        now = self.run.now
        if st.seconds is not None:
            return now + timedelta(seconds=st.seconds)
        if st.timestamp is not None:
            return st.timestamp
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if st.seconds_path is not None:
            seconds = self._read(st.seconds_path, effective, visit)
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise StatesError(
                    errors.RUNTIME,
                    "The SecondsPath parameter does not reference a valid integer value: "
                    f"{to_json_text(seconds)}",
                )
            return now + timedelta(seconds=seconds)
        assert st.timestamp_path is not None
        text = self._read(st.timestamp_path, effective, visit)
        due = parse_timestamp(text) if isinstance(text, str) else None
        if due is None:
            # AWS (base/test_wait recordings): "... format string: $.start_at == <value>".
            raise StatesError(
                errors.RUNTIME,
                "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                f"offset date-time format string: {st.timestamp_path.text} == {_text(text)}",
            )
        return due

    def wait_over(self, st: WaitState, visit: Visit) -> tuple[Json, Assigned]:
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if self.trace is not None:
            self.trace["afterInputPath"] = effective
        output = self._select(st.io.output_path, effective, visit, output=True)
        return output, self._assign(st.base.assign, effective, visit)

    def succeed(self, st: SucceedState, visit: Visit) -> Json:
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if self.trace is not None:
            self.trace["afterInputPath"] = effective
        return self._select(st.io.output_path, effective, visit, output=True)

    def fail(self, st: FailState, visit: Visit) -> tuple[str | None, str | None]:
        error, cause = st.error, st.cause
        data = visit.data
        if st.error_path is not None:
            error = _text(self._read(st.error_path, data, visit))
        if st.cause_path is not None:
            cause = _text(self._read(st.cause_path, data, visit))
        # AWS: ErrorPath/CausePath may also be an intrinsic function call.
        if st.error_template is not None:
            error = _text(self._template(st.error_template, data, visit)["Error"])
        if st.cause_template is not None:
            cause = _text(self._template(st.cause_template, data, visit)["Cause"])
        return error, cause

    def task_request(self, st: TaskState, visit: Visit, token: str) -> TaskRequestPlan:
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if self.trace is not None:
            self.trace["afterInputPath"] = effective
        parameters = effective
        if st.parameters is not None:
            ctx = None
            if st.parameters.uses_context:
                task_token = (
                    task_token_for(self.run.info.execution_arn, token)
                    if is_callback(st.resource)
                    else None
                )
                ctx = self.run.context(visit.name, visit.entry, task_token=task_token, in_task=True)
            parameters = st.parameters.evaluate(effective, ctx, self.run.rng, visit.variables)
        timeout = self._seconds(st.timeout_seconds, st.timeout_seconds_path, effective, visit)
        heartbeat = self._seconds(st.heartbeat_seconds, st.heartbeat_seconds_path, effective, visit)
        return TaskRequestPlan(parameters, timeout, heartbeat)

    def _seconds(
        self, fixed: int | None, path: Path | None, effective: Json, visit: Visit
    ) -> int | None:
        if fixed is not None:
            return fixed
        if path is None:
            return None
        value = self._read(path, effective, visit)
        if isinstance(value, bool) or not isinstance(value, int) or not value > 0:
            raise StatesError(
                errors.RUNTIME,
                f"The value of the field '{path.text}' must be a positive integer: {value!r}",
            )
        return min(value, _MAX_TASK_SECONDS)

    def result(self, st: Handled, visit: Visit, result: Json) -> tuple[Json, Assigned]:
        trace = self.trace
        if st.result_selector is not None:
            result = self._template(st.result_selector, result, visit, isinstance(st, TaskState))
        if trace is not None:
            trace["afterResultSelector"] = result
        output = apply_result_path(st.result_path, visit.data, result)
        if trace is not None:
            trace["afterResultPath"] = output
        output = self._select(st.io.output_path, output, visit, output=True)
        if output is not visit.data:
            check_payload_size(output, visit.name)
        return output, self._assign(st.base.assign, result, visit)

    def fan_out(self, st: ParallelState | MapState, visit: Visit) -> FanOutPlan:
        effective = self._select(st.io.input_path, visit.data, visit, output=False)
        if isinstance(st, ParallelState):
            branch_input = effective
            if st.parameters is not None:
                branch_input = self._template(st.parameters, effective, visit)
            return FanOutPlan(effective, (branch_input,) * len(st.branches), 0)
        path = st.items_path
        if st.item_reader is not None and st.mode == "DISTRIBUTED":
            items: Json = []  # the Map Run reads them (engine.map_io)
        elif path is None or path.is_root:
            items = effective
        else:
            items = self._read(path, effective, visit)
        if not isinstance(items, list):
            # AWS: ItemsPath must select a JSON array (cause wording not pinned).
            raise StatesError(
                errors.RUNTIME,
                f"Item path {path.text if path else '$'} must point to a JSON array, "
                f"but it points to: {to_json_text(items)}",
            )
        max_concurrency = st.max_concurrency
        if st.max_concurrency_path is not None:
            max_concurrency = whole_number(
                self._read(st.max_concurrency_path, effective, visit),
                "MaxConcurrencyPath",
                st.max_concurrency_path.text,
                "MaxConcurrency",
            )
        return FanOutPlan(effective, tuple(items), max_concurrency)

    def tolerance(
        self, st: MapState, visit: Visit, effective: Json
    ) -> tuple[int | None, float | None]:
        count: int | None = st.tolerated_failure_count
        if st.tolerated_failure_count_path is not None:
            path = st.tolerated_failure_count_path
            count = whole_number(
                self._read(path, effective, visit),
                "ToleratedFailureCountPath",
                path.text,
                "ToleratedFailureCount",
            )
        percentage = st.tolerated_failure_percentage
        if st.tolerated_failure_percentage_path is not None:
            path = st.tolerated_failure_percentage_path
            percentage = percentage_number(
                self._read(path, effective, visit),
                "ToleratedFailurePercentagePath",
                path.text,
                "ToleratedFailurePercentage",
            )
        return count, percentage

    def item_input(
        self, st: MapState, visit: Visit, effective: Json, index: int, item: Json
    ) -> Json:
        if st.item_selector is None:
            return item
        assert isinstance(st.item_selector, Template)
        ctx = self.run.context(visit.name, visit.entry, item=(index, item))
        return st.item_selector.evaluate(effective, ctx, self.run.rng, visit.variables)

    def caught(
        self, st: Handled, visit: Visit, catcher: Catcher, error_output: Json
    ) -> tuple[Json, Assigned]:
        output = apply_result_path(catcher.result_path, visit.data, error_output)
        return output, self._assign(catcher.assign, error_output, visit)


def is_callback(resource: str) -> bool:
    """A task that waits for SendTaskSuccess/Failure: the callback pattern or an activity."""
    return resource.endswith(".waitForTaskToken") or ":activity:" in resource


def whole_number(value: Json, field: str, source: str, base: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        # AWS (assign/test_assign_reference_variables recordings): a MaxConcurrencyPath
        # that reads the string "1" is taken as the integer 1.
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        # AWS: "The MaxConcurrencyPath field refers to value "{}" which is not a valid
        # integer: $.MaxConcurrencyValue" (scenarios recordings).
        raise StatesError(
            errors.RUNTIME,
            f'The {field} field refers to value "{_text(value)}" which is not a valid '
            f"integer: {source}",
        )
    if value < 0:
        raise StatesError(errors.RUNTIME, f"{base} cannot be negative.")
    return value


def percentage_number(value: Json, field: str, source: str, base: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatesError(
            errors.RUNTIME,
            f'The {field} field refers to value "{_text(value)}" which is not a valid '
            f"number: {source}",
        )
    if value < 0 or value > 100:
        raise StatesError(errors.RUNTIME, f"{base} must be between 0 and 100.")
    return float(value)


def _text(value: Json) -> str:
    return value if isinstance(value, str) else to_json_text(value)
