"""Map Runs in the engine: a Distributed Map's progress, its end, and UpdateMapRun.

A running Map Run *is* its Distributed Map's ``FanOutWait`` (items started, done, failed,
the concurrency limit and failure tolerance the pump obeys), so its counts are read from
there and never kept twice. When the Map Run ends (succeeded, failed, or dropped because its
execution was stopped, timed out or failed elsewhere) the frame goes; its last counts and
settings stay in ``ExecutionState.map_runs_ended`` for DescribeMapRun. A redrive of the
execution runs a failed Map Run again (``MapRunRedriven``): it is a frame again.

Only Map Runs recorded in the history are noted: a Distributed Map inside another one's
iteration runs in that child's (unrecorded) world, as on AWS it runs in a child execution.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

from stepline.asl.errors import Json
from stepline.engine.records import (
    ExecutionState,
    FanOutWait,
    Frame,
    MapRunProgress,
    MapRunStatus,
    UpdateMapRun,
)

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter

_FIELDS: Final = tuple(f.name for f in fields(MapRunProgress))
T = TypeVar("T")


def live(frames: Mapping[str, Frame], map_run_arn: str) -> tuple[Frame, FanOutWait] | None:
    """The frame of the Distributed Map whose running Map Run this is, and its wait."""
    for frame in frames.values():
        waiting = frame.waiting
        if isinstance(waiting, FanOutWait) and waiting.map_run_arn == map_run_arn:
            return frame, waiting
    return None


def progress(state: ExecutionState, map_run_arn: str) -> MapRunProgress | None:
    """The Map Run as the execution's state knows it: running (its frame) or ended; None
    when the state knows no such Map Run."""
    found = live(state.frames, map_run_arn) if state.status == "RUNNING" else None
    if found is not None:
        return counted(found[1], "RUNNING", None)
    return state.map_runs_ended.get(map_run_arn)


def halted(state: ExecutionState, map_run_arn: str) -> bool:
    """Whether a redrive of the execution would run this (failed or aborted) Map Run again:
    the execution noted where its Distributed Map stood when it ended."""
    return any(
        halt.fanout is not None and halt.fanout.map_run_arn == map_run_arn
        for halt in state.halted.values()
    )


def counted(waiting: FanOutWait, status: MapRunStatus, stopped: datetime | None) -> MapRunProgress:
    """The counts of a Map Run from its wait. Ended, the children still running were
    aborted with it; items never started stay pending."""
    ended = status != "RUNNING"
    return MapRunProgress(
        status=status,
        stopped=stopped,
        total=waiting.total,
        pending=waiting.total - waiting.next_index + len(waiting.queue),
        running=0 if ended else waiting.running,
        succeeded=waiting.done - waiting.failures,
        failed=waiting.failures,
        aborted=waiting.running if ended else 0,
        pending_redrive=0 if ended else len(waiting.queue),
        max_concurrency=waiting.max_concurrency,
        tolerated_count=waiting.tolerated_count,
        tolerated_percentage=waiting.tolerated_percentage,
    )


def note_end(
    ended: MutableMapping[str, MapRunProgress],
    frame: Frame,
    waiting: FanOutWait,
    status: MapRunStatus,
    now: datetime,
    failing_child: bool = False,
) -> None:
    """Keep how the Map Run of ``frame`` (a Distributed Map's) ended. ``failing_child``:
    it fails because of a child that failed just now (still counted as running)."""
    arn = waiting.map_run_arn
    if arn is None or frame.thread.quiet:
        return
    if failing_child:
        waiting = replace(
            waiting,
            done=waiting.done + 1,
            failures=waiting.failures + 1,
            running=waiting.running - 1,
        )
    ended[arn] = counted(waiting, status, now)


def update(run: Interpreter, event: UpdateMapRun) -> None:
    """AWS UpdateMapRun: the running Map Run takes the new settings at once; a higher
    concurrency starts more children now, a lower one starts none until enough have ended.
    A tolerance is checked as children fail (the next failure fails the Map Run when it is
    over the new threshold). A Map Run that is not running is left as it is."""
    found = live(run.frames, event.map_run_arn)
    if found is None:
        return
    frame, waiting = found
    changed = replace(
        waiting,
        max_concurrency=_given(event.max_concurrency, waiting.max_concurrency),
        tolerated_count=_given(event.tolerated_count, waiting.tolerated_count),
        tolerated_percentage=_given(event.tolerated_percentage, waiting.tolerated_percentage),
    )
    if changed == waiting:
        return
    frame = replace(frame, waiting=changed)
    run.frames[frame.thread.id] = frame
    with run.recording(frame.thread.quiet):
        result = run.fanout.pump(frame.thread.id, frame.prev)
    run.proceed(frame, result)


def _given(value: T | None, current: T) -> T:
    return current if value is None else value


# ---- the codec's part -------------------------------------------------------------------


def encode_ended(ended: Mapping[str, MapRunProgress]) -> dict[str, Json]:
    document: dict[str, Json] = {}
    for arn, found in ended.items():
        raw: dict[str, Json] = {name: getattr(found, name) for name in _FIELDS}
        raw["stopped"] = None if found.stopped is None else found.stopped.isoformat()
        document[arn] = raw
    return document


def decode_ended(document: Mapping[str, Any]) -> dict[str, MapRunProgress]:
    ended = {}
    for arn, raw in document.items():
        stopped = raw["stopped"]
        values = {name: raw[name] for name in _FIELDS}
        values["stopped"] = None if stopped is None else datetime.fromisoformat(stopped)
        ended[arn] = MapRunProgress(**values)
    return ended
