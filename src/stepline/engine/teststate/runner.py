"""Running the one state under test, through the engine's own data flows and error rules.

Nothing here re-implements a path, a template or a JSONata field: each state is run by the
same ``DataFlow`` the interpreter uses (``flow_jsonpath`` / ``flow_jsonata``), which writes
its intermediate values into ``trace`` when asked. Retry and Catch are decided by
``retry.py`` as ``Interpreter.handle_error`` decides them, stopping where TestState stops
(AWS, test-state-isolation: "RETRIABLE when a retrier would retry", "CAUGHT_ERROR" with the
catcher's output and ``Next``).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeAlias

from stepline.asl import errors
from stepline.asl.dataflow import check_payload_size
from stepline.asl.errors import Json, StatesError
from stepline.asl.model import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from stepline.engine.fanout import TOLERANCE_EXCEEDED_CAUSE
from stepline.engine.flow import DataFlow, Handled, Visit
from stepline.engine.flow_jsonpath import JsonPathFlow
from stepline.engine.interpreter import Interpreter
from stepline.engine.records import Entry, ExecutionInfo, ExecutionState
from stepline.engine.resources import describe_resource
from stepline.engine.retry import error_matches, next_retry
from stepline.engine.teststate.locate import STATE_NAME
from stepline.engine.teststate.request import Invocation, Invoke, StateConfig, invalid
from stepline.engine.variables import check_assignment

Status: TypeAlias = Literal["SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR"]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    output: Json = None
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    variables: Mapping[str, Json] = field(default_factory=dict)
    error_details: dict[str, int] = field(default_factory=dict)


class TestRun(Interpreter):
    """An Interpreter used only for its data flows, showing the context object TestState
    shows: the one given in the request, else AWS's (an express-style execution, the state
    named "StateName", no RedriveCount; RoleArn null without a role; recorded)."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        machine: StateMachine,
        info: ExecutionInfo,
        now: datetime,
        rng: random.Random,
        *,
        given: dict[str, Json] | None,
        role_arn: str | None,
        map_item: Json | None,
    ) -> None:
        fresh = ExecutionState(info=info, status="RUNNING", frames={}, next_event_id=1, seq=0)
        super().__init__(machine, fresh, now, rng)
        self.given = given
        self.role_arn = role_arn
        self.map_item = map_item  # AWS docs: inside a Map, $$.Map.Item is {Index 0, input}

    def context(
        self,
        name: str,
        entry: Entry,
        task_token: str | None = None,
        item: tuple[int, Json] | None = None,
        in_task: bool = False,
    ) -> dict[str, Json]:
        if self.given is not None:
            ctx: dict[str, Json] = copy.deepcopy(self.given)
            if task_token is not None:
                ctx.setdefault("Task", {"Token": task_token})
        else:
            ctx = super().context(STATE_NAME, entry, task_token, None, in_task)
            execution = ctx["Execution"]
            del execution["RedriveCount"]
            execution["RoleArn"] = self.role_arn
            if self.map_item is not None:
                ctx["Map"] = {"Item": {"Index": 0, "Value": self.map_item}}
        if item is not None:
            ctx["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return ctx


class StateTest:
    """One run of the state under test; ``seen`` collects the values DEBUG shows."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        run: TestRun,
        st: State,
        data: Json,
        variables: Mapping[str, Json],
        config: StateConfig,
        invocation: Invocation | None,
        invoke: Invoke | None,
    ) -> None:
        self.run = run
        self.st = st
        self.flow: DataFlow = run.flow(st)
        self.jsonpath = st.base.query_language == "JSONPath"
        self.seen: dict[str, Json] = {}
        self.extras: dict[str, Json] = {}
        if isinstance(self.flow, JsonPathFlow):
            self.flow.trace = self.seen
        self.retry_count = config.retrier_retry_count or 0
        entry = Entry(run.now, 1, retry_count=self.retry_count)
        self.visit = Visit(st.base.name, data, entry, variables)
        self.variables = variables
        self.config = config
        self.invocation = invocation
        self.invoke = invoke

    def execute(self) -> Outcome:
        st = self.st
        if isinstance(st, TaskState):
            return self._task(st)
        if isinstance(st, MapState):
            return self._map(st)
        if isinstance(st, ParallelState):
            return self._parallel(st)
        try:
            if isinstance(st, PassState):
                output, assigned = self.flow.pass_(st, self.visit)
                return self._exit(output, st.base.next, assigned)
            if isinstance(st, ChoiceState):
                target, output, assigned = self.flow.choose(st, self.visit)
                return self._exit(output, target, assigned)
            if isinstance(st, WaitState):
                self.flow.wait_until(st, self.visit)  # evaluated, not waited for
                output, assigned = self.flow.wait_over(st, self.visit)
                return self._exit(output, st.base.next, assigned)
            if isinstance(st, SucceedState):
                return self._exit(self.flow.succeed(st, self.visit), None, None)
            assert isinstance(st, FailState)
            error, cause = self.flow.fail(st, self.visit)
            return Outcome("FAILED", error=error, cause=cause, variables=self.variables)
        except StatesError as exc:
            return self._failed(exc)

    # ---- Task, Parallel, Map -------------------------------------------------------------

    def _task(self, st: TaskState) -> Outcome:
        try:
            plan = self.flow.task_request(st, self.visit, "#1")
        except StatesError as exc:
            return self._handle(st, exc)
        self.seen["afterParameters" if self.jsonpath else "afterArguments"] = plan.parameters
        try:
            result = self._invoke(st, plan.parameters)
        except StatesError as exc:
            return self._handle(st, exc)
        self.seen["result"] = result
        return self._complete(st, result)

    def _invoke(self, st: TaskState, parameters: Json) -> Json:
        invocation = self.invocation
        if invocation is not None:
            if invocation.error is not None:
                raise StatesError(invocation.error, invocation.cause)
            return invocation.result
        assert self.invoke is not None
        try:
            result = self.invoke(st.resource, parameters)
        except StatesError:
            raise
        except Exception as exc:
            error = getattr(exc, "error", None)
            if not isinstance(error, str):
                raise
            cause = getattr(exc, "cause", None)
            raise StatesError(error, cause if isinstance(cause, str) else None) from None
        kind = describe_resource(st.resource)
        # As tasks._succeed: an oversized result fails the task itself.
        check_payload_size(
            result, kind.resource if kind.lambda_function or kind.activity else kind.resource_type
        )
        return result

    def _parallel(self, st: ParallelState) -> Outcome:
        try:
            plan = self.flow.fan_out(st, self.visit)
        except StatesError as exc:
            return self._handle(st, exc)
        branch_input = plan.items[0] if plan.items else plan.effective
        if self.jsonpath:
            self.seen["afterInputPath"] = plan.effective
            self.seen["afterParameters"] = branch_input
        else:
            self.seen["afterArguments"] = branch_input
        return self._mocked(st)

    def _map(self, st: MapState) -> Outcome:
        flow, visit = self.flow, self.visit
        try:
            plan = flow.fan_out(st, visit)
        except StatesError as exc:
            return self._handle(st, exc)
        if self.jsonpath:
            self.seen["afterInputPath"] = plan.effective
            self.seen["afterItemsPath"] = list(plan.items)
        self.extras["maxConcurrency"] = plan.max_concurrency
        try:
            count, percentage = flow.tolerance(st, visit, plan.effective)
        except StatesError as exc:
            return self._handle(st, exc)
        if count is not None:
            self.extras["toleratedFailureCount"] = count
        if percentage is not None:
            self.extras["toleratedFailurePercentage"] = percentage
        selector = st.item_selector if self.jsonpath else _jsonata_selector(st)
        if selector is not None:
            try:
                self.seen["afterItemSelector"] = [
                    flow.item_input(st, visit, plan.effective, index, item)
                    for index, item in enumerate(plan.items)
                ]
            except StatesError as exc:
                return self._handle(st, exc)
        failures = self.config.map_iteration_failure_count
        if failures is not None and failures > len(plan.items):
            # AWS docs: "The value for this field cannot exceed the number of items in the
            # input" (stepline's message).
            raise invalid(
                f"stateConfiguration.mapIterationFailureCount ({failures}) cannot exceed the "
                f"number of items ({len(plan.items)})"
            )
        assert self.invocation is not None
        if (
            not self.invocation.failed
            and failures
            and _exceeded(failures, len(plan.items), count, percentage)
        ):
            # AWS (test_state_configuration recordings): only a Map with a tolerated
            # failure threshold fails; the error goes through Retry and Catch.
            exceeded = StatesError(
                errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, TOLERANCE_EXCEEDED_CAUSE
            )
            return self._handle(st, exceeded)
        return self._mocked(st)

    def _mocked(self, st: ParallelState | MapState) -> Outcome:
        """A Parallel/Map runs no children here: its mock is its result or its error."""
        invocation = self.invocation
        assert invocation is not None
        if invocation.error is not None:
            return self._handle(st, StatesError(invocation.error, invocation.cause))
        return self._complete(st, invocation.result)

    def _complete(self, st: Handled, result: Json) -> Outcome:
        try:
            output, assigned = self.flow.result(st, self.visit, result)
        except StatesError as exc:
            return self._handle(st, exc)
        return self._exit(output, st.base.next, assigned)

    # ---- endings -------------------------------------------------------------------------

    def _exit(
        self,
        output: Json,
        next_state: str | None,
        assigned: dict[str, Json] | None,
        caught: StatesError | None = None,
        details: dict[str, int] | None = None,
    ) -> Outcome:
        """As ``Interpreter.exit_state``: the assigned variables are checked and applied."""
        variables = self.variables
        if assigned is not None:
            visible = {**variables, **assigned}
            try:
                check_assignment(assigned, visible)
            except StatesError as exc:
                return self._failed(exc, details)
            variables = visible
        status: Status = "SUCCEEDED" if caught is None else "CAUGHT_ERROR"
        return Outcome(
            status,
            output,
            None if caught is None else caught.error,
            None if caught is None else caught.cause,
            next_state,
            variables,
            details or {},
        )

    def _failed(self, exc: StatesError, details: dict[str, int] | None = None) -> Outcome:
        return Outcome(
            "FAILED",
            error=exc.error,
            cause=exc.cause,
            variables=self.variables,
            error_details=details or {},
        )

    def _handle(self, st: Handled, exc: StatesError) -> Outcome:
        """Retry, else Catch, else fail (as ``Interpreter.handle_error``; AWS: States.Runtime
        is neither retried nor caught). ``retrierRetryCount`` is the attempts the matching
        retrier has used (AWS API reference, TestStateConfiguration)."""
        error = exc.error
        details: dict[str, int] = {}
        if st.retry and error != errors.RUNTIME:
            index = _first(error, [retrier.error_equals for retrier in st.retry])
            if index is not None:
                details["retryIndex"] = index
                counters = (self.retry_count,) * len(st.retry)
                decision = next_retry(error, st.retry, counters, self.run.rng)
                if decision is not None:
                    # AWS: RetryBackoffIntervalSeconds is an integer (botocore model).
                    details["retryBackoffIntervalSeconds"] = int(decision[0])
                    return Outcome(
                        "RETRIABLE",
                        error=error,
                        cause=exc.cause,
                        variables=self.variables,
                        error_details=details,
                    )
        index = None
        if error != errors.RUNTIME:
            index = _first(error, [catcher.error_equals for catcher in st.catch])
        if index is None:
            return self._failed(exc, details)
        catcher = st.catch[index]
        details["catchIndex"] = index
        error_output: dict[str, Json] = {"Error": error}
        if exc.cause is not None:
            error_output["Cause"] = exc.cause
        try:
            output, assigned = self.flow.caught(st, self.visit, catcher, error_output)
        except StatesError as inner:
            return self._failed(inner, details)
        return self._exit(output, catcher.next, assigned, caught=exc, details=details)


def _first(error: str, rules: list[tuple[str, ...]]) -> int | None:
    for position, error_equals in enumerate(rules):
        if error_matches(error, error_equals):
            return position
    return None


def _exceeded(failures: int, total: int, count: int | None, percentage: float | None) -> bool:
    """The tolerated failure threshold is crossed (as ``fanout._tolerated``: strictly
    more failures than the count or the percentage allows); no threshold, never."""
    if count is None and percentage is None:
        return False
    if count is not None and failures > count:
        return True
    return percentage is not None and total > 0 and failures * 100.0 / total > percentage


def _jsonata_selector(st: MapState) -> Any:
    fields = st.base.jsonata
    return None if fields is None else fields.item_selector
