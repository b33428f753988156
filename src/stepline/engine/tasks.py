"""Task states: scheduling an invocation, and the result, failure or timeout coming back."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from stepline.asl import errors
from stepline.asl.dataflow import check_payload_size
from stepline.asl.errors import Json, StatesError
from stepline.asl.model import TaskState
from stepline.engine.flow_jsonpath import is_callback
from stepline.engine.records import (
    ActivityStarted,
    CallbackFailed,
    CallbackHeartbeat,
    CallbackSucceeded,
    CancelTask,
    CancelTimer,
    Entry,
    Frame,
    InvokeTask,
    TaskFailed,
    TaskSucceeded,
    TaskWait,
    Thread,
)
from stepline.engine.resources import ResourceKind, describe_resource

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter, Result


class TaskRunner:
    def __init__(self, run: Interpreter) -> None:
        self.run = run
        self._kinds: dict[str, ResourceKind] = {}

    def kind(self, resource: str) -> ResourceKind:
        found = self._kinds.get(resource)
        if found is None:
            found = self._kinds[resource] = describe_resource(resource)
        return found

    def enter(self, thread: Thread, st: TaskState, data: Json, entry: Entry) -> Result:
        return self.schedule(thread, st, data, entry.event_id, entry)

    def schedule(
        self, thread: Thread, st: TaskState, data: Json, prev: int, entry: Entry
    ) -> Result:
        run = self.run
        name = st.base.name
        token = run.new_token(thread)
        try:
            plan = run.flow(st).task_request(st, run.visit(thread, st, data, entry), token)
        except StatesError as exc:
            return run.handle_error(thread, st, data, entry, exc, prev)
        parameters, timeout, heartbeat = (
            plan.parameters,
            plan.timeout_seconds,
            plan.heartbeat_seconds,
        )
        kind = self.kind(st.resource)
        if kind.activity:
            # AWS: ActivityScheduled now; ActivityStarted once a worker takes the task.
            details: dict[str, Any] = {"resource": st.resource, "input": parameters}
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
            prev = run.emit(prev, "ActivityScheduled", details)
        elif kind.lambda_function:
            details = {"resource": st.resource, "input": parameters}
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            prev = run.emit(prev, "LambdaFunctionScheduled", details)
            prev = run.emit(prev, "LambdaFunctionStarted")
        else:
            details = {
                "resourceType": kind.resource_type,
                "resource": kind.resource,
                "region": run.info.region,
                "parameters": parameters,
            }
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
            prev = run.emit(prev, "TaskScheduled", details)
            started = {"resourceType": kind.resource_type, "resource": kind.resource}
            prev = run.emit(prev, "TaskStarted", started)
        run.commands.append(InvokeTask(token, st.resource, parameters, timeout, heartbeat, name))
        if timeout is not None:
            run.start_timer(f"{token}:timeout", timeout)
        # An activity's heartbeat clock starts when a worker takes it (on_activity_started);
        # its TimeoutSeconds counts from now, waiting for a worker included.
        if heartbeat is not None and _heartbeats_apply(st.resource) and not kind.activity:
            run.start_timer(f"{token}:heartbeat", heartbeat)
        waiting = TaskWait(token, parameters, heartbeat if _heartbeats_apply(st.resource) else None)
        run.park(Frame(thread, name, data, entry, prev, waiting))
        return None

    # ---- results coming back -----------------------------------------------------------

    def _frame_for(self, token: str) -> Frame | None:
        thread_id = token.rpartition("#")[0]
        frame = self.run.frames.get(thread_id)
        if frame is None or not isinstance(frame.waiting, TaskWait):
            return None
        if frame.waiting.token != token:
            return None  # a late answer to an attempt that already timed out or was retried
        self.run.quiet = frame.thread.quiet
        return frame

    def _release(self, frame: Frame) -> TaskState:
        del self.run.frames[frame.thread.id]
        self._cancel_timers(frame)
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState)
        if self.kind(st.resource).activity:
            # answered before any worker took it: the task leaves the activity's queue
            self.run.commands.append(CancelTask(frame.waiting.token, st.resource))
        return st

    def _cancel_timers(self, frame: Frame) -> None:
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState)
        token = frame.waiting.token
        if st.timeout_seconds is not None or st.timeout_seconds_path is not None:
            self.run.commands.append(CancelTimer(f"{token}:timeout"))
        heartbeat = st.heartbeat_seconds is not None or st.heartbeat_seconds_path is not None
        if heartbeat and _heartbeats_apply(st.resource):
            self.run.commands.append(CancelTimer(f"{token}:heartbeat"))

    def on_success(self, event: TaskSucceeded) -> None:
        frame = self._frame_for(event.token)
        if frame is None:
            return
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState)
        kind = self.kind(st.resource)
        if is_callback(st.resource) or ".sync" in st.resource:
            # AWS: the call that started the work returned; the task now waits for the
            # work to end (.sync job run) or for SendTaskSuccess/Failure (callback):
            # a TaskSubmitted event.
            details = {
                "resourceType": kind.resource_type,
                "resource": kind.resource,
                "output": event.output,
            }
            prev = self.run.emit(frame.prev, "TaskSubmitted", details)
            waiting = frame.waiting
            assert isinstance(waiting, TaskWait)
            submitted = replace(waiting, submitted=event.output, early=None)
            self.run.park(replace(frame, prev=prev, waiting=submitted))
            early = waiting.early
            if isinstance(early, dict):
                ended: CallbackSucceeded | CallbackFailed = (
                    CallbackSucceeded(event.token, early.get("output"))
                    if "output" in early
                    else CallbackFailed(event.token, early.get("error"), early.get("cause"))
                )
                self.on_callback(ended)
            return
        self._succeed(frame, st, event.output)

    def on_callback(self, event: CallbackSucceeded | CallbackFailed | CallbackHeartbeat) -> None:
        frame = self._frame_for(event.token)
        if frame is None:
            return
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState)
        waiting = frame.waiting
        assert isinstance(waiting, TaskWait)
        unsubmitted = ".sync" in st.resource and waiting.submitted is None
        if unsubmitted and not isinstance(event, CallbackHeartbeat):
            # The work ended before the call that started it returned: history shows
            # TaskSubmitted first, as on AWS, so the end waits for it.
            early: Json = (
                {"output": event.output}
                if isinstance(event, CallbackSucceeded)
                else {"error": event.error, "cause": event.cause}
            )
            self.run.park(replace(frame, waiting=replace(waiting, early=early)))
            return
        if isinstance(event, CallbackSucceeded):
            self._succeed(frame, st, event.output)
        elif isinstance(event, CallbackFailed):
            self._failed(frame, "Failed", event.error or "", event.cause)
        else:
            waiting = frame.waiting
            assert isinstance(waiting, TaskWait)
            if waiting.heartbeat_seconds is not None:
                # AWS: SendTaskHeartbeat restarts the heartbeat clock (not TimeoutSeconds).
                self.run.start_timer(f"{event.token}:heartbeat", waiting.heartbeat_seconds)

    def _succeed(self, frame: Frame, st: TaskState, output: Json) -> None:
        kind = self.kind(st.resource)
        event = TaskSucceeded(frame.waiting.token, output)
        try:
            # AWS (error_handling/test_states_errors recordings): an oversized result fails
            # the task itself; the cause names the resource type (lambda:invoke) or the
            # function ARN (a bare Lambda resource).
            check_payload_size(
                event.output,
                kind.resource if kind.lambda_function or kind.activity else kind.resource_type,
            )
        except StatesError as exc:
            self._failed(frame, "Failed", exc.error, exc.cause)
            return
        run = self.run
        self._release(frame)
        if kind.activity:
            prev = run.emit(frame.prev, "ActivitySucceeded", {"output": event.output})
        elif kind.lambda_function:
            details: dict[str, Any] = {"output": event.output}
            prev = run.emit(frame.prev, "LambdaFunctionSucceeded", details)
        else:
            details = {
                "resourceType": kind.resource_type,
                "resource": kind.resource,
                "output": event.output,
            }
            prev = run.emit(frame.prev, "TaskSucceeded", details)
        run.proceed(frame, run.complete(frame, st, event.output, prev))

    def on_failure(self, event: TaskFailed) -> None:
        frame = self._frame_for(event.token)
        if frame is None:
            return
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState)
        # An activity's outcome arrives as a callback; TaskFailed means it was not scheduled.
        how = "ScheduleFailed" if self.kind(st.resource).activity else "Failed"
        self._failed(frame, how, event.error, event.cause)

    def on_activity_started(self, event: ActivityStarted) -> None:
        """GetActivityTask handed the task to a worker: ActivityStarted, and the heartbeat
        clock starts."""
        frame = self._frame_for(event.token)
        if frame is None:
            return
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, TaskState) and isinstance(frame.waiting, TaskWait)
        if not self.kind(st.resource).activity:
            return
        # AWS (activities/test_activities recordings): without a workerName the details
        # are empty, not absent.
        details = {} if event.worker_name is None else {"workerName": event.worker_name}
        prev = self.run.emit(frame.prev, "ActivityStarted", details)
        # Noted in the wait too: a Distributed Map's item records no event, yet its step
        # must show that the task was handed out.
        self.run.park(replace(frame, prev=prev, waiting=replace(frame.waiting, started=True)))
        if frame.waiting.heartbeat_seconds is not None:
            self.run.start_timer(f"{event.token}:heartbeat", frame.waiting.heartbeat_seconds)

    def on_timeout(self, frame: Frame, which: str) -> None:
        self.run.commands.append(_cancel(frame))
        # AWS: a missed heartbeat is recorded as States.Timeout too
        # (timeouts/test_heartbeats recordings), with no cause.
        self._failed(frame, "TimedOut", errors.TIMEOUT, None)

    def _failed(self, frame: Frame, how: str, error: str, cause: str | None) -> None:
        run = self.run
        st = self._release(frame)
        kind = self.kind(st.resource)
        details: dict[str, Any] = {"error": error, "cause": cause}
        if kind.activity:
            prev = run.emit(frame.prev, f"Activity{how}", details)
        elif kind.lambda_function:
            prev = run.emit(frame.prev, f"LambdaFunction{how}", details)
        else:
            details = {"resourceType": kind.resource_type, "resource": kind.resource, **details}
            prev = run.emit(frame.prev, f"Task{how}", details)
        result = run.handle_error(
            frame.thread, st, frame.state_input, frame.entry, StatesError(error, cause), prev
        )
        run.proceed(frame, result)

    def cancel(self, frame: Frame) -> None:
        self.run.commands.append(_cancel(frame))
        self._cancel_timers(frame)


def _cancel(frame: Frame) -> CancelTask:
    st = frame.thread.branch.states[frame.state_name]
    assert isinstance(st, TaskState) and isinstance(frame.waiting, TaskWait)
    return CancelTask(frame.waiting.token, st.resource, frame.waiting.submitted)


def _heartbeats_apply(resource: str) -> bool:
    """AWS: heartbeats are sent by activity workers and callback tasks (and, optionally, by
    job-run ``.sync`` tasks); a request-response call such as a Lambda invoke has none, so
    HeartbeatSeconds cannot time it out (SendTaskHeartbeat API reference)."""
    return is_callback(resource) or ".sync" in resource
