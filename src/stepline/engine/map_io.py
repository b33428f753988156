"""A Distributed Map's Map Run reading its items (ItemReader) and writing its results
(ResultWriter): I/O the engine asks the shell for with commands, as it does a task's.

Reading: the Map Run starts (``MapStateStarted`` with length 0, as AWS records it when an
ItemReader gives the items, then ``MapRunStarted``) and parks with its ``FanOutWait``
``reading``; the engine emits ``InvokeTask(READ_ITEMS, {"Resource", "Parameters",
"ReaderConfig"})``. The shell's reader (``stepline.lake.item_reader``) answers with
``TaskSucceeded(items)`` or ``TaskFailed``: the items are then recorded in the wait, so a
crash, a retry of an item or a redrive never reads them again (or differently), and the
children start. No Task event is recorded for the read (AWS: the parent history shows the
Map Run only). A failed read ends the Map Run (``MapRunFailed``) and fails the state with
``States.ItemReaderFailed``: Retry and Catch apply, a retry reads again.

Writing: once every child has ended within the failure tolerance, a Map with a
ResultWriter ``Resource`` parks ``writing`` and emits ``InvokeTask(WRITE_RESULTS,
{"Resource", "Parameters" {Bucket, Prefix}, "WriterConfig", "MapRunArn", "Results"})``;
the writer answers ``{"Bucket", "Key"}`` of the manifest, and the Map's result becomes
``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``. A failed write fails the Map
Run and the state with ``States.ResultWriterFailed``; a redrive of the execution writes again
(the children's results are kept).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from stepline.asl import errors
from stepline.asl.errors import Json, StatesError
from stepline.asl.model import MapState
from stepline.engine import map_runs
from stepline.engine.flow import Visit
from stepline.engine.map_io_values import MapIOValues
from stepline.engine.map_items import batch_items, result_records, transformed
from stepline.engine.records import FanOutWait, Frame, InvokeTask, TaskFailed, TaskSucceeded

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter, Result

READ_ITEMS: Final = "stepline:map:readItems"
WRITE_RESULTS: Final = "stepline:map:writeResults"


def reads(st: MapState) -> bool:
    return st.mode == "DISTRIBUTED" and st.item_reader is not None


def exports(st: MapState) -> bool:
    writer = st.result_writer
    return st.mode == "DISTRIBUTED" and writer is not None and writer.resource is not None


class MapIO:
    def __init__(self, run: Interpreter) -> None:
        self.run = run
        self.values = MapIOValues(run)

    # ---- items ------------------------------------------------------------------------

    def prepare(
        self, st: MapState, visit: Visit, effective: Json, items: tuple[Json, ...]
    ) -> tuple[Json, ...]:
        """A Distributed Map's items as its children get them: with an ItemBatcher, each
        item through ItemSelector (``$$.Map.Item`` is the item and its index), then in
        batches; without one, unchanged (ItemSelector applies as each child starts)."""
        plan = self.values.batching(st, visit, effective) if st.mode == "DISTRIBUTED" else None
        if plan is None:
            return items
        flow = self.run.flow(st)
        selected = [
            flow.item_input(st, visit, effective, index, item) for index, item in enumerate(items)
        ]
        return batch_items(selected, plan)

    def request_items(self, frame: Frame, request: Json) -> None:
        """Park the Map Run until its items are read."""
        st = frame.thread.branch.states[frame.state_name]
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        self.run.park(replace(frame, waiting=replace(waiting, reading=True)))
        self.run.commands.append(
            InvokeTask(waiting.token, READ_ITEMS, request, None, None, st.base.name)
        )

    # ---- answers from the shell ------------------------------------------------------

    def waiting_frame(self, token: str) -> Frame | None:
        """The Map whose read or write this token names (None: not one, or stale)."""
        frame = self.run.frames.get(token.rpartition("#")[0])
        if frame is None or not isinstance(frame.waiting, FanOutWait):
            return None
        waiting = frame.waiting
        if waiting.token != token or not (waiting.reading or waiting.writing):
            return None
        return frame

    def on_answer(self, frame: Frame, event: TaskSucceeded | TaskFailed) -> None:
        run = self.run
        run.quiet = frame.thread.quiet
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        if waiting.reading:
            if isinstance(event, TaskFailed):
                self._fail_run(frame, errors.ITEM_READER_FAILED, event.cause, keep=False)
            else:
                self._items_read(frame, event.output)
        elif isinstance(event, TaskFailed):
            self._fail_run(frame, errors.RESULT_WRITER_FAILED, event.cause, keep=True)
        else:
            self._written(frame, event.output)

    def _items_read(self, frame: Frame, items: Json) -> None:
        run = self.run
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, MapState) and isinstance(frame.waiting, FanOutWait)
        if not isinstance(items, list):
            cause = "The ItemReader did not give a JSON array of items"
            self._fail_run(frame, errors.ITEM_READER_FAILED, cause, keep=False)
            return
        visit = run.visit(frame.thread, st, frame.state_input, frame.entry)
        try:
            prepared = self.prepare(st, visit, frame.waiting.effective_input, tuple(items))
        except StatesError as exc:
            self._fail_run(frame, exc.error, exc.cause, keep=False)
            return
        waiting = replace(
            frame.waiting,
            reading=False,
            total=len(prepared),
            items=prepared,
            results=(None,) * len(prepared),
        )
        frame = replace(frame, waiting=waiting)
        run.frames[frame.thread.id] = frame
        run.proceed(frame, run.fanout.pump(frame.thread.id, frame.prev))

    def _written(self, frame: Frame, answer: Json) -> None:
        waiting = frame.waiting
        assert isinstance(waiting, FanOutWait)
        where = answer if isinstance(answer, dict) else {}
        output = {
            "MapRunArn": waiting.map_run_arn,
            "ResultWriterDetails": {"Bucket": where.get("Bucket"), "Key": where.get("Key")},
        }
        self.run.frames[frame.thread.id] = replace(frame, waiting=replace(waiting, writing=False))
        self.run.proceed(frame, self.run.fanout.finish(frame.thread.id, output))

    def _fail_run(self, frame: Frame, error: str | None, cause: str | None, *, keep: bool) -> None:
        """The Map Run fails, and the Map state with it (Retry and Catch apply). ``keep``:
        the children's results stay for a redrive (a failed write)."""
        run = self.run
        st = frame.thread.branch.states[frame.state_name]
        assert isinstance(st, MapState) and isinstance(frame.waiting, FanOutWait)
        waiting = replace(frame.waiting, reading=False, writing=False)
        del run.frames[frame.thread.id]
        if keep:
            run.halt(frame.thread, frame.state_name, frame.state_input, waiting)
        prev = run.emit(frame.prev, "MapRunFailed", {"error": error, "cause": cause})
        map_runs.note_end(run.map_runs_ended, frame, waiting, "FAILED", run.now)
        failure = StatesError(error or errors.RUNTIME, cause)
        result = run.handle_error(
            frame.thread, st, frame.state_input, frame.entry, failure, prev, "MapStateFailed"
        )
        run.proceed(frame, result)

    # ---- results ----------------------------------------------------------------------

    def write(self, frame: Frame) -> Result:
        """Every child has ended: export their results (the Map Run parks ``writing``)."""
        run = self.run
        st = frame.thread.branch.states[frame.state_name]
        waiting = frame.waiting
        assert isinstance(st, MapState) and isinstance(waiting, FanOutWait)
        writer = st.result_writer
        assert writer is not None
        visit = run.visit(frame.thread, st, frame.state_input, frame.entry)
        try:
            target = self.values.writer_target(st, visit, waiting.effective_input)
            records = self.records(frame, st, visit, waiting)
        except StatesError as exc:
            self._fail_run(frame, exc.error, exc.cause, keep=True)
            return None
        config = {"OutputType": writer.output_type, "Transformation": writer.transformation}
        request = {
            "Resource": writer.resource,
            "Parameters": target,
            "WriterConfig": {k: v for k, v in config.items() if v is not None},
            "MapRunArn": waiting.map_run_arn,
            "Results": records,
        }
        token = run.new_token(frame.thread)
        run.park(replace(frame, waiting=replace(waiting, token=token, writing=True)))
        run.commands.append(InvokeTask(token, WRITE_RESULTS, request, None, None, st.base.name))
        return None

    def records(
        self, frame: Frame, st: MapState, visit: Visit, waiting: FanOutWait
    ) -> list[dict[str, Json]]:
        """The children's records as a ResultWriter exports them (Transformation NONE)."""
        flow = self.run.flow(st)
        effective = waiting.effective_input
        inputs = [
            item if st.item_batcher is not None else flow.item_input(st, visit, effective, i, item)
            for i, item in enumerate(waiting.items)
        ]
        failures = {int(index): (error, cause) for index, error, cause in waiting.errors}
        return result_records(
            waiting.map_run_arn or "",
            self.run.info.state_machine_arn,
            inputs,
            waiting.results,
            failures,
            frame.entry.at,
            self.run.now,
        )

    def output(self, frame: Frame, st: MapState, waiting: FanOutWait) -> Json:
        """A Distributed Map's result without export: its children's outputs, through a
        WriterConfig's Transformation when it has one (AWS: COMPACT by default; NONE gives
        each child's record)."""
        writer = st.result_writer
        if writer is None or st.mode != "DISTRIBUTED":
            return list(waiting.results)
        if writer.transformation == "NONE":
            visit = self.run.visit(frame.thread, st, frame.state_input, frame.entry)
            return self.records(frame, st, visit, waiting)
        return transformed(waiting.results, writer.transformation)
