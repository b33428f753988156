"""``advance``: one inbound event in; the new state, history events and commands out.

Pure: time comes in as ``now``, randomness as ``rng``; nothing here sleeps, reads a clock
or does I/O. Everything a thread can do without the outside world (Pass, Choice,
Succeed, Fail, a Wait already due, fan-outs whose children finish at once) runs inside
one call; a thread that must wait (a task, a timer) is parked as a ``Frame`` and resumed
by a later event naming its token.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from stepline.asl import errors
from stepline.asl.dataflow import (
    in_state,
)
from stepline.asl.errors import Json, QueryEvaluationError, StatesError
from stepline.asl.model import MapState, ParallelState, State, StateMachine, TaskState
from stepline.engine import map_runs
from stepline.engine.context import ContextObjects
from stepline.engine.fanout import FanOut
from stepline.engine.flow import DataFlow, Visit
from stepline.engine.flow_jsonata import JsonataFlow
from stepline.engine.flow_jsonpath import JsonPathFlow
from stepline.engine.history import HistoryEvent
from stepline.engine.outcomes import Done, Failed, Outcome, Transition
from stepline.engine.records import (
    ActivityStarted,
    CancelTask,
    CancelTimer,
    Command,
    Entry,
    ExecutionState,
    FailExecution,
    FanOutWait,
    Frame,
    Halt,
    Inbound,
    MapRunProgress,
    MapRunStatus,
    Redrive,
    StartExecution,
    StartTimer,
    Step,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TaskWait,
    Thread,
    TimerFired,
    TimerWait,
    UpdateMapRun,
)
from stepline.engine.retry import find_catcher, next_retry
from stepline.engine.simple_states import SimpleStates
from stepline.engine.tasks import TaskRunner
from stepline.engine.variables import check_assignment

ENTERED: Final = {
    kind: f"{kind}StateEntered"
    for kind in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
}
EXITED: Final = {kind: f"{kind}StateExited" for kind in ENTERED}
EXECUTION_TIMEOUT_TOKEN: Final = "#execution-timeout"

Result: TypeAlias = Transition | Failed | None  # None: the thread parked

_NO_VARIABLES: Mapping[str, Json] = MappingProxyType({})


_PREFIXED: Final = frozenset({errors.RUNTIME, errors.QUERY_EVALUATION_ERROR})


def runtime_cause(error: str | None, cause: str | None, name: str, entry: Entry) -> str | None:
    """AWS: States.Runtime and States.QueryEvaluationError causes name the state and the id
    of its Entered event."""
    return in_state(cause, name, entry.event_id) if error in _PREFIXED else cause


Handled: TypeAlias = TaskState | ParallelState | MapState


def advance(
    machine: StateMachine,
    state: ExecutionState | None,
    event: Inbound,
    now: datetime,
    rng: random.Random,
) -> Step:
    """Apply one event to an execution; ``state`` is None only for ``StartExecution``."""
    if isinstance(event, StartExecution):
        fresh = ExecutionState(info=event.info, status="RUNNING", frames={}, next_event_id=1, seq=0)
        run = Interpreter(machine, fresh, now, rng)
        run.start()
        return run.step()
    if state is None:
        raise ValueError("advance() needs the execution state for every event but the start")
    if isinstance(event, Redrive):
        if state.status in ("RUNNING", "SUCCEEDED"):
            return Step(state, ())
        run = Interpreter(machine, state, now, rng)
        run.redrive()
        return run.step()
    if state.status != "RUNNING":
        return Step(state, ())
    run = Interpreter(machine, state, now, rng)
    io_frame = (
        run.fanout.io.waiting_frame(event.token)
        if isinstance(event, TaskSucceeded | TaskFailed)
        else None
    )
    if io_frame is not None:
        assert isinstance(event, TaskSucceeded | TaskFailed)
        run.fanout.io.on_answer(io_frame, event)
    elif isinstance(event, TaskSucceeded):
        run.tasks.on_success(event)
    elif isinstance(event, TaskFailed):
        run.tasks.on_failure(event)
    elif isinstance(event, TimerFired):
        run.on_timer(event.token)
    elif isinstance(event, StopExecution):
        run.stop(event.error, event.cause)
    elif isinstance(event, FailExecution):
        run.fail(event.error, event.cause)
    elif isinstance(event, ActivityStarted):
        run.tasks.on_activity_started(event)
    elif isinstance(event, UpdateMapRun):
        map_runs.update(run, event)
    else:
        run.tasks.on_callback(event)
    return run.step()


def waits_for(state: ExecutionState, token: str) -> bool:
    """Whether a running execution has a task waiting on ``token`` (the engine's token)."""
    frame = state.frames.get(token.rpartition("#")[0])
    return (
        state.status == "RUNNING"
        and frame is not None
        and isinstance(frame.waiting, TaskWait)
        and frame.waiting.token == token
    )


class Interpreter:
    """The working set of one ``advance`` call; discarded when the call returns."""

    def __init__(
        self, machine: StateMachine, state: ExecutionState, now: datetime, rng: random.Random
    ) -> None:
        self.machine = machine
        self.info = state.info
        self.frames: dict[str, Frame] = dict(state.frames)
        self.events: list[HistoryEvent] = []
        self.commands: list[Command] = []
        self.next_id = state.next_event_id
        self.seq = state.seq
        self.now = now
        self.rng = rng
        self.status = state.status
        self.output: Json = state.output
        self.error = state.error
        self.cause = state.cause
        self.quiet = False  # set while a Distributed Map child runs: nothing is recorded
        self.variables: dict[str, Mapping[str, Json]] = dict(state.variables)
        self.halted: dict[str, Halt] = dict(state.halted)
        self.map_runs_ended: dict[str, MapRunProgress] = dict(state.map_runs_ended)
        self.contexts = ContextObjects(state.info)
        self.flows: dict[str, DataFlow] = {
            "JSONPath": JsonPathFlow(self),
            "JSONata": JsonataFlow(self),
        }
        self.tasks = TaskRunner(self)
        self.fanout = FanOut(self)
        self.simple = simple = SimpleStates(self)
        self._handlers: dict[str, Callable[[Thread, Any, Json, Entry], Result]] = {
            "Pass": simple.pass_,
            "Choice": simple.choice,
            "Wait": simple.wait,
            "Succeed": simple.succeed,
            "Fail": simple.fail,
            "Task": self.tasks.enter,
            "Parallel": self.fanout.enter,
            "Map": self.fanout.enter,
        }

    # ---- bookkeeping -------------------------------------------------------------------

    def step(self) -> Step:
        new_state = ExecutionState(
            info=self.info,
            status=self.status,
            frames=self.frames,
            next_event_id=self.next_id,
            seq=self.seq,
            variables=self.variables,
            output=self.output,
            error=self.error,
            cause=self.cause,
            halted=self.halted,
            map_runs_ended=self.map_runs_ended,
        )
        return Step(new_state, tuple(self.events), tuple(self.commands))

    def emit(self, prev: int, event_type: str, details: dict[str, Any] | None = None) -> int:
        if self.quiet:
            return prev
        event_id = self.next_id
        self.next_id = event_id + 1
        self.events.append(HistoryEvent(event_id, prev, self.now, event_type, details))
        return event_id

    @contextmanager
    def recording(self, quiet: bool) -> Iterator[None]:
        """Record events (or, ``quiet``, not) while a thread of that kind runs."""
        saved, self.quiet = self.quiet, quiet
        try:
            yield
        finally:
            self.quiet = saved

    def new_token(self, thread: Thread) -> str:
        self.seq += 1
        return f"{thread.id}#{self.seq}"

    def park(self, frame: Frame) -> None:
        self.frames[frame.thread.id] = frame

    def start_timer(self, token: str, seconds: float) -> None:
        self.commands.append(StartTimer(token, self.now + timedelta(seconds=seconds)))

    def context(
        self,
        name: str,
        entry: Entry,
        task_token: str | None = None,
        item: tuple[int, Json] | None = None,
        in_task: bool = False,
    ) -> dict[str, Json]:
        """The context object ``$$`` a state sees (see ``ContextObjects.build``)."""
        return self.contexts.build(name, entry, task_token, item, in_task)

    def flow(self, st: State) -> DataFlow:
        """The state's data language (JSONPath or JSONata)."""
        return self.flows[st.base.query_language]

    def visit(self, thread: Thread, st: State, data: Json, entry: Entry) -> Visit:
        return Visit(st.base.name, data, entry, self.variables.get(thread.id, _NO_VARIABLES))

    def failure(self, exc: StatesError, name: str, entry: Entry, prev: int) -> Failed:
        """The Failed outcome for an error raised while a state ran.

        AWS: a JSONata evaluation failure is recorded as an EvaluationFailed event, linked
        to the event before the state was entered (evaluate_jsonata / assign recordings).
        """
        cause = runtime_cause(exc.error, exc.cause, name, entry)
        if isinstance(exc, QueryEvaluationError):
            details = {"error": exc.error, "cause": cause, "location": exc.location, "state": name}
            prev = self.emit(entry.before, "EvaluationFailed", details)
        return Failed(exc.error, cause, prev)

    # ---- the thread loop ---------------------------------------------------------------

    def start(self) -> None:
        info = self.info
        details: dict[str, Json] = {"input": info.input, "roleArn": info.role_arn}
        # AWS: ExecutionStartedEventDetails name the alias and version it was started with.
        if info.alias_arn is not None:
            details["stateMachineAliasArn"] = info.alias_arn
        if info.version_arn is not None:
            details["stateMachineVersionArn"] = info.version_arn
        self.emit(0, "ExecutionStarted", details)
        if self.machine.timeout_seconds is not None:
            self.start_timer(EXECUTION_TIMEOUT_TOKEN, self.machine.timeout_seconds)
        root = Thread("", self.machine.root)
        # AWS: the first state's Entered event has previousEventId 0, not 1.
        outcome = self.run_from(root, root.branch.start_at, info.input, 0)
        if outcome is not None:
            self.thread_ended(root, outcome)

    def run_from(self, thread: Thread, name: str, data: Json, prev: int) -> Outcome | None:
        """Enter ``name`` with ``data`` and run the thread until it parks or ends."""
        if thread.quiet != self.quiet:
            with self.recording(thread.quiet):
                return self.run_from(thread, name, data, prev)
        states = thread.branch.states
        handlers = self._handlers
        emit = self.emit
        while True:
            st = states[name]
            entered = emit(prev, ENTERED[st.type], {"name": name, "input": data})
            result = handlers[st.type](thread, st, data, Entry(self.now, entered, before=prev))
            if result is None:
                return None
            if type(result) is Failed:
                self.halt(thread, name, data)
                return result
            assert isinstance(result, tuple)
            next_name, data, prev = result
            if next_name is None:
                return Done(data, prev)
            name = next_name

    def proceed(self, frame: Frame, result: Result) -> None:
        """Carry a resumed thread on from the result of its parked state (``frame``) and
        deliver its outcome."""
        if result is None:
            return
        thread = frame.thread
        if thread.quiet != self.quiet:
            with self.recording(thread.quiet):
                self.proceed(frame, result)
            return
        if isinstance(result, Failed):
            self.halt(thread, frame.state_name, frame.state_input)
        outcome = self.carry_on(thread, result)
        if outcome is not None:
            self.thread_ended(thread, outcome)

    def carry_on(self, thread: Thread, result: Result) -> Outcome | None:
        """Run a thread on from a state's result until it parks (None) or ends."""
        if result is None or isinstance(result, Failed):
            return result
        next_name, data, prev = result
        if next_name is None:
            return Done(data, prev)
        return self.run_from(thread, next_name, data, prev)

    def thread_ended(self, thread: Thread, outcome: Outcome) -> None:
        if thread.id:
            self.variables.pop(thread.id, None)
            parent_id, _, index = thread.id.rpartition("/")
            parent = self.frames.get(parent_id)
            with self.recording(self.quiet if parent is None else parent.thread.quiet):
                self.fanout.child_ended(parent_id, int(index), outcome)
            return
        self.finish_execution(outcome)

    def finish_execution(self, outcome: Outcome) -> None:
        self.abort_threads("")
        if self.machine.timeout_seconds is not None:
            self.commands.append(CancelTimer(EXECUTION_TIMEOUT_TOKEN))
        if isinstance(outcome, Done):
            self.halted = {}
            self.status = "SUCCEEDED"
            self.output = outcome.output
            self.emit(outcome.prev, "ExecutionSucceeded", {"output": outcome.output})
        else:
            self.status = "FAILED"
            self.error, self.cause = outcome.error, outcome.cause
            details = {"error": outcome.error, "cause": outcome.cause}
            self.emit(outcome.prev, "ExecutionFailed", details)

    # ---- leaving a state ---------------------------------------------------------------

    def exit_state(
        self,
        thread: Thread,
        st: State,
        output: Json,
        prev: int,
        next_name: str | None,
        assigned: dict[str, Json] | None = None,
    ) -> Transition | Failed:
        """Leave a state: record its Exited event and apply the variables it assigns."""
        details: dict[str, Any] = {"name": st.base.name, "output": output}
        if assigned is not None:
            visible = {**self.variables.get(thread.id, _NO_VARIABLES), **assigned}
            try:
                check_assignment(assigned, visible)
            except StatesError as exc:
                return Failed(exc.error, exc.cause, prev)
            self.variables[thread.id] = visible
            details["assignedVariables"] = assigned
        prev = self.emit(prev, EXITED[st.type], details)
        return (next_name, output, prev)

    def complete(
        self, frame: Frame, st: Handled, result: Json, prev: int, exit_prev: int | None = None
    ) -> Result:
        """A Task/Parallel/Map result through the state's data flow to its output."""
        thread, entry, data = frame.thread, frame.entry, frame.state_input
        try:
            output, assigned = self.flow(st).result(st, self.visit(thread, st, data, entry), result)
            exit_prev = prev if exit_prev is None else exit_prev
            return self.exit_state(thread, st, output, exit_prev, st.base.next, assigned)
        except StatesError as exc:
            return self.handle_error(thread, st, data, entry, exc, prev)

    def handle_error(
        self,
        thread: Thread,
        st: Handled,
        data: Json,
        entry: Entry,
        exc: StatesError | Failed,
        prev: int,
        failed_event: str | None = None,
    ) -> Result:
        """Retry, else Catch, else fail the thread (AWS: retriers first, then catchers).

        ``failed_event`` (ParallelStateFailed / MapStateFailed) is recorded once the
        error is known not to be retried.
        """
        error = exc.error
        cause = runtime_cause(error, exc.cause, st.base.name, entry)
        if st.retry and error is not None and error != errors.RUNTIME:
            decision = next_retry(error, st.retry, entry.counters, self.rng)
            if decision is not None:
                delay, counters = decision
                token = self.new_token(thread)
                self.start_timer(token, delay)
                retry_entry = Entry(entry.at, entry.event_id, counters, entry.retry_count + 1)
                waiting = TimerWait(token, retry=True)
                self.park(Frame(thread, st.base.name, data, retry_entry, prev, waiting))
                self.forget(thread.id)
                return None
        if failed_event is not None:
            prev = self.emit(prev, failed_event)
        # AWS: States.Runtime is terminal; no catcher handles it.
        catcher = None
        if error is not None and error != errors.RUNTIME:
            catcher = find_catcher(error, st.catch)
        if catcher is None:
            if isinstance(exc, QueryEvaluationError):
                return self.failure(exc, st.base.name, entry, prev)
            return Failed(error, cause, prev)
        self.forget(thread.id)
        error_output: dict[str, Json] = {"Error": error}
        if cause is not None:
            error_output["Cause"] = cause
        try:
            visit = self.visit(thread, st, data, entry)
            output, assigned = self.flow(st).caught(st, visit, catcher, error_output)
            return self.exit_state(thread, st, output, prev, catcher.next, assigned)
        except StatesError as inner:
            return self.failure(inner, st.base.name, entry, prev)

    # ---- timers and stops --------------------------------------------------------------

    def on_timer(self, token: str) -> None:
        if token == EXECUTION_TIMEOUT_TOKEN:
            prev = self.next_id - 1
            self.abort_threads("", map_runs_end="FAILED")
            self.status = "TIMED_OUT"
            self.error, self.cause = errors.TIMEOUT, None
            self.emit(prev, "ExecutionTimedOut", {"error": errors.TIMEOUT})
            return
        base, _, kind = token.partition(":")
        frame = self.frames.get(base.rpartition("#")[0])
        if frame is None or frame.waiting.token != base:
            return  # stale: the thread moved on
        self.quiet = frame.thread.quiet
        if kind:
            self.tasks.on_timeout(frame, kind)
            return
        del self.frames[frame.thread.id]
        st = frame.thread.branch.states[frame.state_name]
        if isinstance(frame.waiting, TimerWait) and frame.waiting.retry:
            result = self.reenter(frame, st)
        else:
            result = self.simple.wait_over(frame, st)
        self.proceed(frame, result)

    def reenter(self, frame: Frame, st: State) -> Result:
        """Run a Task/Parallel/Map state again after its retry back-off."""
        if isinstance(st, TaskState):
            return self.tasks.schedule(frame.thread, st, frame.state_input, frame.prev, frame.entry)
        assert isinstance(st, ParallelState | MapState)
        return self.fanout.start(frame.thread, st, frame.state_input, frame.prev, frame.entry)

    def stop(self, error: str | None, cause: str | None) -> None:
        prev = self.next_id - 1
        self.abort_threads("")
        self.status = "ABORTED"
        self.error, self.cause = error, cause
        self.emit(prev, "ExecutionAborted", {"error": error, "cause": cause})

    def fail(self, error: str, cause: str | None) -> None:
        """End the execution FAILED, its running states dropped without events."""
        prev = self.next_id - 1
        self.abort_threads("", map_runs_end="FAILED")
        self.finish_execution(Failed(error, cause, prev))

    def abort_threads(
        self, thread_id: str, include_self: bool = False, map_runs_end: MapRunStatus = "ABORTED"
    ) -> None:
        """Drop the parked frames under a thread (all of them, for ""), cancelling their work.
        A Distributed Map's running Map Run ends ``map_runs_end`` (FAILED when the whole
        execution fails or times out).

        Inside a failing Parallel/Map the aborted states are recorded as AWS does
        (``TaskStateAborted``, ``WaitStateAborted``, ...); at the end of an execution
        nothing more is recorded.
        """
        prefix = thread_id + "/" if thread_id else ""
        doomed = [
            key
            for key in self.frames
            if key.startswith(prefix) or (include_self and key == thread_id)
        ]
        for key in doomed:
            frame = self.frames.pop(key)
            waiting = frame.waiting
            fanout = waiting if isinstance(waiting, FanOutWait) else None
            self.halt(frame.thread, frame.state_name, frame.state_input, fanout)
            if fanout is not None:
                map_runs.note_end(self.map_runs_ended, frame, fanout, map_runs_end, self.now)
                if fanout.reading or fanout.writing:  # its read or write is not wanted now
                    self.commands.append(CancelTask(fanout.token))
            if isinstance(waiting, TaskWait):
                self.tasks.cancel(frame)
            elif isinstance(waiting, TimerWait):
                self.commands.append(CancelTimer(waiting.token))
            if thread_id and not frame.thread.quiet:
                st_type = frame.thread.branch.states[frame.state_name].type
                self.emit(frame.prev, f"{st_type}StateAborted")

    # ---- redrive -----------------------------------------------------------------------

    def halt(self, thread: Thread, name: str, data: Json, fanout: FanOutWait | None = None) -> None:
        """Note where a thread ended unsuccessfully (the first note for a thread stands:
        a failing Parallel/Map notes its children's progress before it fails)."""
        if thread.id not in self.halted:
            variables = self.variables.get(thread.id)
            self.halted[thread.id] = Halt(thread, name, data, variables, fanout)

    def forget(self, thread_id: str) -> None:
        """A failure in this thread was retried or caught: its notes (and its children's)
        no longer describe an unsuccessful end."""
        if self.halted:
            prefix = thread_id + "/"
            for key in [k for k in self.halted if k == thread_id or k.startswith(prefix)]:
                del self.halted[key]

    def redrive(self) -> None:
        """AWS RedriveExecution: the execution runs on from the states that did not
        succeed, with the inputs they had; what succeeded is not run again."""
        count = self.info.redrive_count + 1
        self.info = replace(self.info, redrive_count=count, redrive_time=self.now)
        self.contexts = ContextObjects(self.info)
        self.status = "RUNNING"
        self.output = self.error = self.cause = None
        prev = self.emit(self.next_id - 1, "ExecutionRedriven", {"redriveCount": count})
        if self.machine.timeout_seconds is not None:
            # The execution's TimeoutSeconds counts again from the redrive.
            self.start_timer(EXECUTION_TIMEOUT_TOKEN, self.machine.timeout_seconds)
        root = Thread("", self.machine.root)
        halt = self.halted.pop("", None)
        if halt is None:  # nothing was entered: run from the start
            outcome = self.run_from(root, root.branch.start_at, self.info.input, prev)
        else:
            outcome = self.resume(halt, prev)
        if outcome is not None:
            self.thread_ended(root, outcome)

    def resume(self, halt: Halt, prev: int) -> Outcome | None:
        """Enter a halted thread's state again and run the thread on."""
        thread = halt.thread
        if thread.quiet != self.quiet:
            with self.recording(thread.quiet):
                return self.resume(halt, prev)
        if halt.variables is not None:
            self.variables[thread.id] = halt.variables
        st = thread.branch.states[halt.state_name]
        data = halt.state_input
        entered = self.emit(prev, ENTERED[st.type], {"name": st.base.name, "input": data})
        entry = Entry(self.now, entered, before=prev)
        if halt.fanout is not None:
            assert isinstance(st, ParallelState | MapState)
            result = self.fanout.resume(thread, st, data, entry, halt.fanout)
        else:
            result = self._handlers[st.type](thread, st, data, entry)
        if isinstance(result, Failed):
            self.halt(thread, st.base.name, data)
        return self.carry_on(thread, result)
