"""The public in-process API: ``stepline.run`` and ``stepline.validate``."""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from stepline.asl.diagnostics import Diagnostic
from stepline.asl.errors import PAYLOAD_LIMIT_BYTES, Json
from stepline.asl.model import StateMachine
from stepline.asl.parse import load
from stepline.asl.validate import validate as _validate
from stepline.engine.history import HistoryEvent
from stepline.engine.records import ExecutionInfo
from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.map_storage import MapStorage
from stepline.lake import default_data_root
from stepline.runtime.clock import Clock, RealClock, VirtualClock
from stepline.runtime.local import LocalRun

DEFAULT_REGION = "us-east-1"
_NAME_FORBIDDEN = frozenset(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class ExecutionResult:
    status: Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING"]
    output: Json
    error: str | None
    cause: str | None
    execution_arn: str
    name: str
    state_machine_arn: str
    start_date: datetime
    stop_date: datetime
    history: tuple[HistoryEvent, ...] = field(repr=False)

    @property
    def events(self) -> list[dict[str, Any]]:
        """The history as ``GetExecutionHistory`` returns it (JSON payloads as text)."""
        return [event.to_dict() for event in self.history]


def validate(definition: str | Mapping[str, Json]) -> list[Diagnostic]:
    """Every problem in a definition, each with its location and AWS's code."""
    return _validate(definition)


def run(
    definition: str | Mapping[str, Json] | StateMachine,
    input: Json = None,
    *,
    functions: Mapping[str, Callable[[Any, Any], Any]] | None = None,
    clock: Literal["virtual", "real"] | Clock = "virtual",
    name: str | None = None,
    context: Mapping[str, Any] | None = None,
    state_machine_name: str = "StateMachine",
    seed: int | None = None,
    data_root: str | os.PathLike[str] | None = None,
) -> ExecutionResult:
    """Run a state machine to its end in this process and return its result and history.

    ``definition`` is ASL as JSON text, a dict, a path to a file, or a loaded machine.
    ``input`` defaults to ``{}``. ``functions`` maps Lambda function names to
    ``handler(event, context)`` callables. With the virtual clock, waits and retry
    back-offs take no real time. ``context`` overrides parts of the context object:
    ``{"Execution": {"RoleArn": ..., "RedriveCount": ...}, "Region": ..., "Account": ...}``.
    Raises ``stepline.DefinitionError`` listing every problem of an invalid definition, and
    ``ValueError`` for an input that is not JSON or a name AWS would reject.
    ``data_root``: the lake a Distributed Map's ItemReader and ResultWriter use (``s3://B/K``
    is ``<data_root>/B/K``; default ``stepline.lake.default_data_root()``).
    """
    machine = _as_machine(definition)
    overrides = dict(context or {})
    region = str(overrides.get("Region", DEFAULT_REGION))
    account = str(overrides.get("Account", DEFAULT_ACCOUNT))
    execution = dict(overrides.get("Execution", {}))
    state_machine_name = str(
        dict(overrides.get("StateMachine", {})).get("Name", state_machine_name)
    )
    name = _execution_name(name)
    payload = _execution_input(input)
    the_clock: Clock
    if clock == "virtual":
        the_clock = VirtualClock()
    elif clock == "real":
        the_clock = RealClock()
    else:
        the_clock = clock
    sm_arn = f"arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}"
    info = ExecutionInfo(
        execution_arn=f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{name}",
        name=name,
        state_machine_arn=sm_arn,
        state_machine_name=state_machine_name,
        input=payload,
        start_time=the_clock.now(),
        role_arn=str(
            execution.get(
                "RoleArn", f"arn:aws:iam::{account}:role/StepFunctions-{state_machine_name}"
            )
        ),
        region=region,
        redrive_count=int(execution.get("RedriveCount", 0)),
    )
    root = Path(data_root) if data_root is not None else default_data_root()
    registry = Registry([LambdaFunctions(functions or {}), MapStorage.over(lambda: root)])
    runner = LocalRun(machine, registry, the_clock, random.Random(seed))
    final = runner.run(info)
    history = tuple(runner.history)
    return ExecutionResult(
        status=final.status,
        output=final.output if final.status == "SUCCEEDED" else None,
        error=final.error,
        cause=final.cause,
        execution_arn=info.execution_arn,
        name=name,
        state_machine_arn=sm_arn,
        start_date=info.start_time,
        stop_date=history[-1].timestamp if history else info.start_time,
        history=history,
    )


def _as_machine(definition: str | Mapping[str, Json] | StateMachine) -> StateMachine:
    if isinstance(definition, StateMachine):
        return definition
    if isinstance(definition, str) and _is_file_path(definition):
        with open(definition, encoding="utf-8") as handle:
            return load(handle.read())
    return load(definition)


def _execution_name(name: str | None) -> str:
    """AWS's StartExecution rules for ``name``; a UUID when none is given."""
    if name is None:
        return str(uuid.uuid4())
    if not 1 <= len(name) <= 80:
        raise ValueError(f"execution name must be 1 to 80 characters, got {len(name)}: {name!r}")
    bad = sorted({c for c in name if c in _NAME_FORBIDDEN or ord(c) < 32 or 127 <= ord(c) < 160})
    if bad:
        # AWS: names must avoid whitespace, brackets, wildcards, punctuation and controls.
        raise ValueError(f"execution name {name!r} contains characters AWS rejects: {bad!r}")
    return name


def _execution_input(value: Json) -> Json:
    """The input as plain JSON (tuples become lists); clear errors for what is not JSON."""
    if value is None:
        return {}
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"execution input is not JSON: {exc}") from None
    if len(text.encode("utf-8")) > PAYLOAD_LIMIT_BYTES:
        raise ValueError(
            f"execution input is {len(text.encode('utf-8'))} bytes; AWS accepts at most "
            f"{PAYLOAD_LIMIT_BYTES} (256 KiB)"
        )
    return json.loads(text)


def _is_file_path(text: str) -> bool:
    return not text.lstrip().startswith("{") and os.path.isfile(text)


__all__ = ["ExecutionResult", "run", "validate"]
