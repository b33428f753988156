"""Typed, immutable records for a parsed state machine (JSONPath and JSONata modes).

``parse.load`` builds these from definition JSON after ``validate`` found no error;
every path, template and Choice rule is compiled once here, never per execution.
Absent optional fields take AWS's defaults at parse time, so the engine never
re-derives them. A path field holding ``None`` means the definition set it to JSON
``null`` (AWS: InputPath/OutputPath null give ``{}``; ResultPath null discards the result).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeAlias

from stepline.asl.choice import ChoiceRule
from stepline.asl.errors import Json
from stepline.asl.paths import Path, ReferencePath
from stepline.asl.templates import Template

JitterStrategy: TypeAlias = Literal["FULL", "NONE"]
QueryLanguage: TypeAlias = Literal["JSONPath", "JSONata"]


class Expression(Protocol):
    """A compiled JSONata value: a ``"{% expr %}"`` string, or an object/array holding them.

    ``states`` binds ``$states`` (input, result, errorOutput, context); ``variables`` binds
    every workflow variable by name; ``rng`` feeds ``$random()`` and ``$uuid()``; ``now``
    (timezone-aware UTC) is what ``$now()`` and ``$millis()`` return, the wall clock when
    None. Raises StatesError(States.QueryEvaluationError, ...).
    """

    @property
    def is_constant(self) -> bool: ...

    def evaluate(
        self,
        states: Mapping[str, Json],
        variables: Mapping[str, Json],
        rng: random.Random | None,
        now: datetime | None = None,
    ) -> Json: ...


Assignment: TypeAlias = "Template | Expression"
"""A compiled ``Assign`` object: a payload template (JSONPath state) or JSONata value."""


@dataclass(frozen=True, slots=True)
class Expressions:
    """A JSONata state's compiled fields; None where the definition leaves a field out.

    Which fields a state type accepts is validation's business; the engine reads only the
    ones that belong to the state at hand.
    """

    arguments: Expression | None = None  # Task, Parallel
    output: Expression | None = None  # all but Fail
    items: Expression | None = None  # Map
    item_selector: Expression | None = None  # Map
    seconds: Expression | None = None  # Wait
    timestamp: Expression | None = None  # Wait
    timeout_seconds: Expression | None = None  # Task
    heartbeat_seconds: Expression | None = None  # Task
    max_concurrency: Expression | None = None  # Map
    tolerated_failure_count: Expression | None = None  # Map
    tolerated_failure_percentage: Expression | None = None  # Map
    error: Expression | None = None  # Fail
    cause: Expression | None = None  # Fail


@dataclass(frozen=True, slots=True)
class JsonataChoiceRule:
    """A JSONata Choice rule: ``Condition`` decides; its ``Output`` applies when it does."""

    next: str
    condition: Expression
    output: Expression | None = None


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: int = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: int | None = None
    jitter_strategy: JitterStrategy = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: ReferencePath | None  # None: ResultPath null (the error output is dropped)
    output: Expression | None = None  # JSONata catcher: Output (default $states.errorOutput)
    assign: Assignment | None = None


@dataclass(frozen=True, slots=True)
class StateBase:
    """Fields every state has. ``next`` is None for terminal states (End, Succeed, Fail)."""

    name: str
    comment: str | None
    next: str | None
    end: bool
    query_language: QueryLanguage = "JSONPath"
    assign: Assignment | None = None
    jsonata: Expressions | None = None  # set exactly when query_language is "JSONata"


@dataclass(frozen=True, slots=True)
class IOFields:
    input_path: Path | None
    output_path: Path | None


@dataclass(frozen=True, slots=True)
class PassState:
    base: StateBase
    io: IOFields
    parameters: Template | None
    result: Json
    has_result: bool
    result_path: ReferencePath | None
    type: Literal["Pass"] = "Pass"


@dataclass(frozen=True, slots=True)
class TaskState:
    base: StateBase
    io: IOFields
    resource: str
    parameters: Template | None
    result_selector: Template | None
    result_path: ReferencePath | None
    timeout_seconds: int | None
    timeout_seconds_path: Path | None
    heartbeat_seconds: int | None
    heartbeat_seconds_path: Path | None
    credentials: Template | None
    retry: tuple[Retrier, ...]
    catch: tuple[Catcher, ...]
    type: Literal["Task"] = "Task"


@dataclass(frozen=True, slots=True)
class ChoiceState:
    base: StateBase
    io: IOFields
    choices: tuple[ChoiceRule | JsonataChoiceRule, ...]
    default: str | None
    # Rule-level Assign, one per rule (None where a rule has none); AWS applies the matched
    # rule's Assign, or the state-level one when the Default is taken.
    assigns: tuple[Assignment | None, ...] = ()
    type: Literal["Choice"] = "Choice"


@dataclass(frozen=True, slots=True)
class WaitState:
    base: StateBase
    io: IOFields
    seconds: int | None
    seconds_path: Path | None
    timestamp: datetime | None
    timestamp_path: Path | None
    type: Literal["Wait"] = "Wait"


@dataclass(frozen=True, slots=True)
class SucceedState:
    base: StateBase
    io: IOFields
    type: Literal["Succeed"] = "Succeed"


@dataclass(frozen=True, slots=True)
class FailState:
    base: StateBase
    error: str | None
    error_path: Path | None
    cause: str | None
    cause_path: Path | None
    type: Literal["Fail"] = "Fail"
    # ErrorPath / CausePath given as an intrinsic function (AWS accepts it, like a path):
    # a one-key template {"Error.$": "States.Format(...)"} (resp. "Cause.$"); the value is
    # ``template.evaluate(data, context)["Error"]`` (resp. ["Cause"]).
    error_template: Template | None = None
    cause_template: Template | None = None


@dataclass(frozen=True, slots=True)
class ParallelState:
    base: StateBase
    io: IOFields
    branches: tuple[Branch, ...]
    parameters: Template | None
    result_selector: Template | None
    result_path: ReferencePath | None
    retry: tuple[Retrier, ...]
    catch: tuple[Catcher, ...]
    type: Literal["Parallel"] = "Parallel"


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    """A Distributed Map's ``ItemReader.ReaderConfig``; None where the definition leaves a
    field out (the reader applies AWS's defaults: FIRST_ROW, COMMA)."""

    input_type: str | None = None  # CSV | JSON | JSONL | PARQUET | MANIFEST
    csv_header_location: str | None = None  # FIRST_ROW | GIVEN
    csv_headers: tuple[str, ...] | None = None
    csv_delimiter: str | None = None  # COMMA | PIPE | SEMICOLON | SPACE | TAB
    manifest_type: str | None = None  # S3_INVENTORY | ATHENA_DATA
    transformation: str | None = None  # NONE | LOAD_AND_FLATTEN (listObjectsV2)
    items_pointer: str | None = None  # a JSON Pointer into a JSON object
    max_items: int | None = None
    max_items_path: Path | None = None
    max_items_expression: Expression | None = None  # JSONata MaxItems


@dataclass(frozen=True, slots=True)
class ItemReader:
    """A Distributed Map's ``ItemReader``: where its items come from (an S3 object or the
    objects under a prefix, in the lake). ``parameters`` (JSONPath) or ``arguments``
    (JSONata) give the Bucket and Key / Prefix."""

    resource: str
    config: ReaderConfig
    parameters: Template | None = None
    arguments: Expression | None = None


@dataclass(frozen=True, slots=True)
class ItemBatcher:
    """A Distributed Map's ``ItemBatcher``: each child gets ``{"Items": [...],
    "BatchInput": ...}``. A literal, a ``...Path`` (JSONPath) or an expression (JSONata)."""

    max_items: int | None = None
    max_items_path: Path | None = None
    max_items_expression: Expression | None = None
    max_bytes: int | None = None
    max_bytes_path: Path | None = None
    max_bytes_expression: Expression | None = None
    batch_input: Template | Expression | None = None  # a payload template / JSONata value


@dataclass(frozen=True, slots=True)
class ResultWriter:
    """A Distributed Map's ``ResultWriter``: where (``resource`` + Bucket/Prefix) and how
    (``WriterConfig``) its children's results go. No resource: only the WriterConfig's
    transformation of the Map's output (AWS: a preview)."""

    resource: str | None = None
    parameters: Template | None = None
    arguments: Expression | None = None
    output_type: str | None = None  # JSON | JSONL
    transformation: str | None = None  # NONE | COMPACT | FLATTEN


@dataclass(frozen=True, slots=True)
class MapState:
    base: StateBase
    io: IOFields
    processor: Branch
    mode: Literal["INLINE", "DISTRIBUTED"]
    items_path: Path | None  # default "$"
    item_selector: Template | None  # ItemSelector, or legacy Parameters
    max_concurrency: int  # 0: no limit
    max_concurrency_path: Path | None
    tolerated_failure_count: int | None
    tolerated_failure_count_path: Path | None
    tolerated_failure_percentage: float | None
    tolerated_failure_percentage_path: Path | None
    result_selector: Template | None
    result_path: ReferencePath | None
    retry: tuple[Retrier, ...]
    catch: tuple[Catcher, ...]
    label: str | None = None
    item_reader: ItemReader | None = None  # Distributed only
    item_batcher: ItemBatcher | None = None  # Distributed only
    result_writer: ResultWriter | None = None  # Distributed only
    type: Literal["Map"] = "Map"


State: TypeAlias = (
    PassState
    | TaskState
    | ChoiceState
    | WaitState
    | SucceedState
    | FailState
    | ParallelState
    | MapState
)


@dataclass(frozen=True, slots=True)
class Branch:
    """A set of states with a start: the top level, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, State]


@dataclass(frozen=True, slots=True)
class StateMachine:
    root: Branch
    timeout_seconds: int | None = None
    comment: str | None = None
    version: str | None = None
    definition: Mapping[str, Json] = field(default_factory=dict)  # the source, as parsed
