"""ExecutionState <-> JSON text, so a store can keep an execution between steps.

Everything is plain JSON but the branches a thread runs in: those are named by a path that
the machine resolves again on decode (state names are unique in a whole machine, AWS's
rule): ``""`` for the top level, ``"<Parallel>#<i>"`` for a branch, ``"<Map>#items"`` for a
Map's item processor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from stepline.asl.errors import Json
from stepline.asl.model import Branch, MapState, ParallelState, StateMachine
from stepline.engine.map_runs import decode_ended, encode_ended
from stepline.engine.records import (
    Entry,
    ExecutionInfo,
    ExecutionState,
    FanOutWait,
    Frame,
    Halt,
    TaskWait,
    Thread,
    TimerWait,
    Waiting,
)


class CodecError(ValueError):
    """Stored state that does not fit the machine (a different or changed definition)."""


def branch_paths(machine: StateMachine) -> dict[str, Branch]:
    """Every branch of the machine by its path."""
    found: dict[str, Branch] = {}

    def walk(path: str, branch: Branch) -> None:
        found[path] = branch
        for name, state in branch.states.items():
            if isinstance(state, ParallelState):
                for index, inner in enumerate(state.branches):
                    walk(f"{name}#{index}", inner)
            elif isinstance(state, MapState):
                walk(f"{name}#items", state.processor)

    walk("", machine.root)
    return found


def encode_state(state: ExecutionState, machine: StateMachine) -> str:
    paths = {id(branch): path for path, branch in branch_paths(machine).items()}
    document = {
        "info": _info(state.info),
        "status": state.status,
        "frames": [_frame(frame, paths) for frame in state.frames.values()],
        "next_event_id": state.next_event_id,
        "seq": state.seq,
        "variables": state.variables,
        "output": state.output,
        "error": state.error,
        "cause": state.cause,
    }
    if state.halted:
        document["halted"] = [_halt(halt, paths) for halt in state.halted.values()]
    if state.map_runs_ended:
        document["map_runs_ended"] = encode_ended(state.map_runs_ended)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def decode_state(
    text: str, machine: StateMachine, branches: Mapping[str, Branch] | None = None
) -> ExecutionState:
    """``branches`` is ``branch_paths(machine)``, when the caller keeps it between calls."""
    try:
        document = json.loads(text)
        branches = branch_paths(machine) if branches is None else branches
        frames = {}
        for raw in document["frames"]:
            frame = _unframe(raw, branches)
            frames[frame.thread.id] = frame
        halted = {}
        for raw in document.get("halted", ()):
            halt = _unhalt(raw, branches)
            halted[halt.thread.id] = halt
        return ExecutionState(
            info=_uninfo(document["info"]),
            status=document["status"],
            frames=frames,
            next_event_id=document["next_event_id"],
            seq=document["seq"],
            variables=document["variables"],
            output=document["output"],
            error=document["error"],
            cause=document["cause"],
            halted=halted,
            map_runs_ended=decode_ended(document.get("map_runs_ended", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"stored execution state does not fit this state machine: {exc}") from None


def _info(info: ExecutionInfo) -> dict[str, Json]:
    return {
        "execution_arn": info.execution_arn,
        "name": info.name,
        "state_machine_arn": info.state_machine_arn,
        "state_machine_name": info.state_machine_name,
        "input": info.input,
        "start_time": info.start_time.isoformat(),
        "role_arn": info.role_arn,
        "region": info.region,
        "redrive_count": info.redrive_count,
        "redrive_time": None if info.redrive_time is None else info.redrive_time.isoformat(),
        "parent_token": info.parent_token,
        "parent_mode": info.parent_mode,
        "version_arn": info.version_arn,
        "alias_arn": info.alias_arn,
    }


def _uninfo(raw: Mapping[str, Any]) -> ExecutionInfo:
    redriven = raw.get("redrive_time")
    return ExecutionInfo(
        **{
            **raw,
            "start_time": datetime.fromisoformat(raw["start_time"]),
            "redrive_time": None if redriven is None else datetime.fromisoformat(redriven),
        }
    )


def _thread(thread: Thread, paths: Mapping[int, str]) -> dict[str, Json]:
    return {"id": thread.id, "branch": paths[id(thread.branch)], "quiet": thread.quiet}


def _unthread(raw: Mapping[str, Any], state: str, branches: Mapping[str, Branch]) -> Thread:
    branch = branches[raw["branch"]]
    if state not in branch.states:
        raise KeyError(state)
    return Thread(raw["id"], branch, raw["quiet"])


def _halt(halt: Halt, paths: Mapping[int, str]) -> dict[str, Json]:
    return {
        "thread": _thread(halt.thread, paths),
        "state": halt.state_name,
        "input": halt.state_input,
        "variables": halt.variables,
        "fanout": None if halt.fanout is None else _waiting(halt.fanout),
    }


def _unhalt(raw: Mapping[str, Any], branches: Mapping[str, Branch]) -> Halt:
    fanout = None if raw["fanout"] is None else _unwaiting(raw["fanout"])
    assert fanout is None or isinstance(fanout, FanOutWait)
    thread = _unthread(raw["thread"], raw["state"], branches)
    return Halt(thread, raw["state"], raw["input"], raw["variables"], fanout)


def _frame(frame: Frame, paths: Mapping[int, str]) -> dict[str, Json]:
    entry = frame.entry
    return {
        "thread": _thread(frame.thread, paths),
        "state": frame.state_name,
        "input": frame.state_input,
        "entry": {
            "at": entry.at.isoformat(),
            "event_id": entry.event_id,
            "counters": list(entry.counters),
            "retry_count": entry.retry_count,
            "before": entry.before,
        },
        "prev": frame.prev,
        "waiting": _waiting(frame.waiting),
    }


def _unframe(raw: Mapping[str, Any], branches: Mapping[str, Branch]) -> Frame:
    entry = raw["entry"]
    return Frame(
        thread=_unthread(raw["thread"], raw["state"], branches),
        state_name=raw["state"],
        state_input=raw["input"],
        entry=Entry(
            datetime.fromisoformat(entry["at"]),
            entry["event_id"],
            tuple(entry["counters"]),
            entry["retry_count"],
            entry["before"],
        ),
        prev=raw["prev"],
        waiting=_unwaiting(raw["waiting"]),
    )


def _waiting(waiting: Waiting) -> dict[str, Json]:
    if isinstance(waiting, TaskWait):
        return {
            "kind": "task",
            "token": waiting.token,
            "parameters": waiting.parameters,
            "heartbeat_seconds": waiting.heartbeat_seconds,
            "submitted": waiting.submitted,
            "started": waiting.started,
            "early": waiting.early,
        }
    if isinstance(waiting, TimerWait):
        return {"kind": "timer", "token": waiting.token, "retry": waiting.retry}
    return {
        "kind": "fanout",
        "token": waiting.token,
        "total": waiting.total,
        "results": list(waiting.results),
        "done": waiting.done,
        "running": waiting.running,
        "next_index": waiting.next_index,
        "failures": waiting.failures,
        "items": list(waiting.items),
        "effective_input": waiting.effective_input,
        "max_concurrency": waiting.max_concurrency,
        "tolerated_count": waiting.tolerated_count,
        "tolerated_percentage": waiting.tolerated_percentage,
        "last": waiting.last,
        "failed": list(waiting.failed),
        "queue": list(waiting.queue),
        "map_run_arn": waiting.map_run_arn,
        **_map_io(waiting),
    }


def _map_io(waiting: FanOutWait) -> dict[str, Json]:
    """A Distributed Map's read, write and failed children; left out when unset, so states
    encoded before these fields existed and states without them read the same."""
    found: dict[str, Json] = {}
    if waiting.reading:
        found["reading"] = True
    if waiting.writing:
        found["writing"] = True
    if waiting.errors:
        found["errors"] = [list(entry) for entry in waiting.errors]
    return found


def _unwaiting(raw: Mapping[str, Any]) -> Waiting:
    kind = raw["kind"]
    if kind == "task":
        return TaskWait(
            raw["token"],
            raw["parameters"],
            raw["heartbeat_seconds"],
            raw.get("submitted"),
            raw.get("started", False),
            raw.get("early"),
        )
    if kind == "timer":
        return TimerWait(raw["token"], raw["retry"])
    if kind != "fanout":
        raise ValueError(f"unknown wait kind {kind!r}")
    fields = {k: v for k, v in raw.items() if k != "kind"}
    fields["results"] = tuple(fields["results"])
    fields["items"] = tuple(fields["items"])
    fields["failed"] = tuple(fields.get("failed", ()))
    fields["queue"] = tuple(fields.get("queue", ()))
    fields["errors"] = tuple(
        (int(index), error, cause) for index, error, cause in fields.get("errors", ())
    )
    return FanOutWait(**fields)
