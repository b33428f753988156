"""Parallel and Map states: start children, gather their results in order, fail as AWS does.

Children that finish without waiting finish inside the call that started them; the
others park and report back through ``child_ended``. At most ``MaxConcurrency`` children
are in flight at once (0: no limit); results keep branch/item order whatever the finish
order. Event links follow AWS's recordings (see HISTORY_FACTS.md in the conformance
cases): a batch of MapIterationStarted events comes before the iterations run, and the
Succeeded/Exited/Failed events link to the last child event, not to each other.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from stepline.asl import errors
from stepline.asl.errors import Json, StatesError
from stepline.asl.model import MapState, ParallelState
from stepline.engine import map_io, map_runs
from stepline.engine.outcomes import Done, Failed, Outcome
from stepline.engine.records import Entry, FanOutWait, Frame, Thread

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter, Result

FanOutState = ParallelState | MapState

TOLERANCE_EXCEEDED_CAUSE = "The specified tolerated failure threshold was exceeded"


class FanOut:
    def __init__(self, run: Interpreter) -> None:
        self.run = run
        self.io = map_io.MapIO(run)

    def enter(self, thread: Thread, st: FanOutState, data: Json, entry: Entry) -> Result:
        return self.start(thread, st, data, entry.event_id, entry)

    def start(self, thread: Thread, st: FanOutState, data: Json, prev: int, entry: Entry) -> Result:
        run = self.run
        flow = run.flow(st)
        visit = run.visit(thread, st, data, entry)
        request: Json = None
        try:
            plan = flow.fan_out(st, visit)
            items = plan.items
            if isinstance(st, MapState):
                if map_io.reads(st):
                    request = self.io.values.reader_request(st, visit, plan.effective)
                else:
                    items = self.io.prepare(st, visit, plan.effective, items)
        except StatesError as exc:
            return run.handle_error(thread, st, data, entry, exc, prev)
        tolerated_count: int | None = None
        tolerated_percentage: float | None = None
        map_run_arn: str | None = None
        if isinstance(st, ParallelState):
            started = run.emit(prev, "ParallelStateStarted")
        else:
            # AWS: with an ItemReader, the length is 0 (the Map Run reads the items later).
            started = run.emit(prev, "MapStateStarted", {"length": len(plan.items)})
            try:
                tolerated_count, tolerated_percentage = flow.tolerance(st, visit, plan.effective)
            except StatesError as exc:
                return run.handle_error(thread, st, data, entry, exc, started)
            if st.mode == "DISTRIBUTED":
                # AWS: a Distributed Map runs its items as child executions of a Map Run;
                # the parent history shows only the Map Run, not the iterations.
                map_run_arn = self._map_run_arn(st)
                started = run.emit(started, "MapRunStarted", {"mapRunArn": map_run_arn})
        waiting = FanOutWait(
            token=run.new_token(thread),
            total=len(items),
            results=(None,) * len(items),
            done=0,
            running=0,
            next_index=0,
            failures=0,
            items=items,
            effective_input=plan.effective,
            max_concurrency=plan.max_concurrency,
            tolerated_count=tolerated_count,
            tolerated_percentage=tolerated_percentage,
            last=started,
            map_run_arn=map_run_arn,
        )
        frame = Frame(thread, st.base.name, data, entry, started, waiting)
        if request is not None:
            self.io.request_items(frame, request)
            return None
        run.park(frame)
        return self.pump(thread.id, started)

    def resume(
        self, thread: Thread, st: FanOutState, data: Json, entry: Entry, before: FanOutWait
    ) -> Result:
        """A redrive: run again only the children that did not succeed (AWS: an inline
        Map or Parallel redrives its failed and aborted iterations and branches; a
        Distributed Map's Map Run is redriven), keeping the others' results."""
        run = self.run
        if before.reading:  # it stopped before its items were read: read them now
            return self.start(thread, st, data, entry.event_id, entry)
        prefix = thread.id + "/"
        halted = {i for i in range(before.next_index) if f"{prefix}{i}" in run.halted}
        again = tuple(sorted(halted.union(before.failed)))
        if isinstance(st, ParallelState):
            started = run.emit(entry.event_id, "ParallelStateStarted")
        else:
            started = run.emit(entry.event_id, "MapStateStarted", {"length": before.total})
            if st.mode == "DISTRIBUTED":
                details = {"mapRunArn": before.map_run_arn, "redriveCount": run.info.redrive_count}
                started = run.emit(started, "MapRunRedriven", details)
                run.map_runs_ended.pop(before.map_run_arn or "", None)  # it runs again
        waiting = replace(
            before,
            token=run.new_token(thread),
            done=before.next_index - len(again),
            running=0,
            failures=0,
            failed=(),
            queue=again,
            last=started,
            writing=False,
        )
        run.park(Frame(thread, st.base.name, data, entry, started, waiting))
        return self.pump(thread.id, started)

    def _map_run_arn(self, st: MapState) -> str:
        info = self.run.info
        label = st.label or st.base.name
        run_id = uuid.UUID(int=self.run.rng.getrandbits(128), version=4)
        return (
            f"arn:aws:states:{info.region}:{info.state_machine_arn.split(':')[4]}:mapRun:"
            f"{info.state_machine_name}/{label}:{run_id}"
        )

    # ---- running the children ----------------------------------------------------------

    def pump(self, thread_id: str, anchor: int) -> Result:
        """Start children while the concurrency limit allows; finish when all are done.

        ``anchor`` is the event the next MapIterationStarted links to.
        """
        run = self.run
        while True:
            frame = run.frames[thread_id]
            waiting = frame.waiting
            assert isinstance(waiting, FanOutWait)
            if waiting.reading or waiting.writing:
                return None  # its items are not read yet, or its results are being written
            st = frame.thread.branch.states[frame.state_name]
            assert isinstance(st, ParallelState | MapState)
            queue = waiting.queue
            free = waiting.total - waiting.next_index + len(queue)
            if waiting.max_concurrency:
                free = min(free, waiting.max_concurrency - waiting.running)
            if free <= 0:
                break
            again = queue[:free]  # a redrive's children come first
            first = waiting.next_index
            fresh = free - len(again)
            batch = [*again, *range(first, first + fresh)]
            waiting = replace(
                waiting,
                next_index=first + fresh,
                running=waiting.running + free,
                queue=queue[len(again) :],
            )
            run.frames[thread_id] = frame = replace(frame, waiting=waiting)
            if isinstance(st, MapState) and st.mode != "DISTRIBUTED":
                details = [{"name": st.base.name, "index": i} for i in batch]
                starts = [run.emit(anchor, "MapIterationStarted", d) for d in details]
            else:
                starts = [frame.prev] * free
            for index, start in zip(batch, starts, strict=True):
                halt = run.halted.pop(f"{thread_id}/{index}", None) if again else None
                if halt is not None:
                    outcome = run.resume(halt, start)
                else:
                    outcome = self._run_child(frame, st, waiting, index, start)
                if outcome is None:
                    continue
                ended, result = self._record(thread_id, index, outcome)
                if ended:
                    return result
                anchor = outcome.prev
        frame = run.frames[thread_id]
        assert isinstance(frame.waiting, FanOutWait)
        if frame.waiting.done == frame.waiting.total:
            return self._succeed(thread_id)
        return None

    def _run_child(
        self, frame: Frame, st: FanOutState, waiting: FanOutWait, index: int, prev: int
    ) -> Outcome | None:
        run = self.run
        child_id = f"{frame.thread.id}/{index}"
        outer = run.variables.get(frame.thread.id, {})
        if isinstance(st, ParallelState):
            branch = st.branches[index]
            child = Thread(child_id, branch, frame.thread.quiet)
            run.variables[child_id] = outer  # AWS: branches read outer variables
            return run.run_from(child, branch.start_at, waiting.items[index], prev)
        item = waiting.items[index]
        distributed = st.mode == "DISTRIBUTED"
        if not (distributed and st.item_batcher is not None):  # a batch is selected already
            visit = run.visit(frame.thread, st, frame.state_input, frame.entry)
            try:
                item = run.flow(st).item_input(st, visit, waiting.effective_input, index, item)
            except StatesError as exc:
                return run.failure(exc, st.base.name, frame.entry, prev)
        child = Thread(child_id, st.processor, frame.thread.quiet or distributed)
        # AWS: iterations read outer variables, except a Distributed Map's child executions.
        run.variables[child_id] = {} if distributed else outer
        return run.run_from(child, st.processor.start_at, item, prev)

    def _record(self, thread_id: str, index: int, outcome: Outcome) -> tuple[bool, Result]:
        """Note a child's end: (True, result) when that ends the fan-out with a failure."""
        run = self.run
        frame = run.frames[thread_id]
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, ParallelState | MapState)
        last = outcome.prev
        if isinstance(st, MapState) and st.mode == "DISTRIBUTED":
            last = frame.prev
        elif isinstance(st, MapState):
            kind = "MapIterationSucceeded" if isinstance(outcome, Done) else "MapIterationFailed"
            last = run.emit(outcome.prev, kind, {"name": st.base.name, "index": index})
        failed, noted = waiting.failed, waiting.errors
        if isinstance(outcome, Done):
            result: Json = outcome.output
            failures = waiting.failures
        else:
            failures = waiting.failures + 1
            failed = (*failed, index)
            if not _tolerated(waiting, failures):
                return True, self._fail(frame, st, replace(waiting, failed=failed), outcome)
            result = None
            if isinstance(st, MapState) and st.result_writer is not None:
                noted = (*noted, (index, outcome.error, outcome.cause))
        waiting = replace(
            waiting,
            results=waiting.results[:index] + (result,) + waiting.results[index + 1 :],
            done=waiting.done + 1,
            running=waiting.running - 1,
            failures=failures,
            failed=failed,
            last=last,
            errors=noted,
        )
        run.frames[thread_id] = replace(frame, waiting=waiting)
        return False, None

    def _fail(self, frame: Frame, st: FanOutState, waiting: FanOutWait, outcome: Failed) -> Result:
        run = self.run
        thread_id = frame.thread.id
        del run.frames[thread_id]
        # Noted before the children are aborted: a redrive runs the failed and the
        # aborted ones again, and keeps the results of the others.
        run.halt(frame.thread, frame.state_name, frame.state_input, waiting)
        for index in self._running_children(thread_id):
            child = f"{thread_id}/{index}"
            before = run.next_id
            run.abort_threads(child, include_self=True)
            # AWS: a Distributed Map's aborted children are no events of the parent's.
            if isinstance(st, MapState) and st.mode != "DISTRIBUTED":
                prev = run.next_id - 1 if run.next_id > before else outcome.prev
                run.emit(prev, "MapIterationAborted", {"name": st.base.name, "index": index})
        failure: StatesError | Failed = outcome
        if waiting.tolerated_count is not None or waiting.tolerated_percentage is not None:
            failure = StatesError(
                errors.EXCEED_TOLERATED_FAILURE_THRESHOLD, TOLERANCE_EXCEEDED_CAUSE
            )
        prev = outcome.prev
        if isinstance(st, MapState) and st.mode == "DISTRIBUTED":
            details = {"error": failure.error, "cause": failure.cause}
            prev = run.emit(frame.prev, "MapRunFailed", details)
            ended = run.map_runs_ended
            map_runs.note_end(ended, frame, waiting, "FAILED", run.now, failing_child=True)
        event = "ParallelStateFailed" if isinstance(st, ParallelState) else "MapStateFailed"
        return run.handle_error(
            frame.thread, st, frame.state_input, frame.entry, failure, prev, event
        )

    def _running_children(self, thread_id: str) -> list[int]:
        prefix = thread_id + "/"
        found = {
            int(key[len(prefix) :].partition("/")[0])
            for key in self.run.frames
            if key.startswith(prefix)
        }
        return sorted(found)

    def _succeed(self, thread_id: str) -> Result:
        run = self.run
        frame = run.frames[thread_id]
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        st = frame.thread.branch.states[frame.state_name]
        if isinstance(st, ParallelState):
            return self.finish(thread_id, list(waiting.results))
        assert isinstance(st, MapState)
        if map_io.exports(st):
            return self.io.write(frame)
        return self.finish(thread_id, self.io.output(frame, st, waiting))

    def finish(self, thread_id: str, output: Json) -> Result:
        """Every child has ended (and a ResultWriter has written): ``output`` is the
        state's result."""
        run = self.run
        frame = run.frames.pop(thread_id)
        run.forget(thread_id)  # tolerated failures of its children
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, ParallelState | MapState)
        last = waiting.last
        if isinstance(st, MapState) and st.mode == "DISTRIBUTED":
            last = run.emit(frame.prev, "MapRunSucceeded")
            map_runs.note_end(run.map_runs_ended, frame, waiting, "SUCCEEDED", run.now)
        event = "ParallelStateSucceeded" if isinstance(st, ParallelState) else "MapStateSucceeded"
        prev = run.emit(last, event)
        # AWS: the Exited event links to the last child event, not to ...StateSucceeded.
        return run.complete(frame, st, output, prev, exit_prev=last)

    def child_ended(self, parent_id: str, index: int, outcome: Outcome) -> None:
        """A child that had parked finished in a later call."""
        run = self.run
        frame = run.frames.get(parent_id)
        if frame is None or not isinstance(frame.waiting, FanOutWait):
            return  # the fan-out already failed and dropped its children
        ended, result = self._record(parent_id, index, outcome)
        if not ended:
            result = self.pump(parent_id, outcome.prev)
        run.proceed(frame, result)


def _tolerated(waiting: FanOutWait, failures: int) -> bool:
    """AWS: the run fails once failures exceed the count or the percentage (strictly)."""
    if waiting.tolerated_count is None and waiting.tolerated_percentage is None:
        return False
    if waiting.tolerated_count is not None and failures > waiting.tolerated_count:
        return False
    if waiting.tolerated_percentage is not None and waiting.total:
        return failures * 100.0 / waiting.total <= waiting.tolerated_percentage
    return True
