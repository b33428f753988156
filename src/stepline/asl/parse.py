"""Loading a definition: ``load(definition) -> StateMachine``.

``load`` validates first and raises ``DefinitionError`` (carrying every diagnostic) when
any ERROR is found. Otherwise it builds the model records, taking every path, template,
Choice rule, timestamp and JSONata value from what validation already compiled (looked up
by location), and filling AWS's defaults for absent fields.

A JSONata state gets its compiled fields in ``base.jsonata`` (constants included); literal
numbers, timestamps and strings also go to the typed fields the JSONPath engine reads
(``"Seconds": 10`` sets ``WaitState.seconds``), and its JSONPath-only fields take the
identity: InputPath, OutputPath, ResultPath and ItemsPath ``$``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from stepline.asl.choice import ChoiceRule
from stepline.asl.diagnostics import has_errors
from stepline.asl.errors import DefinitionError, Json
from stepline.asl.model import (
    Assignment,
    Branch,
    Catcher,
    ChoiceState,
    Expression,
    Expressions,
    FailState,
    IOFields,
    JitterStrategy,
    JsonataChoiceRule,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    StateBase,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from stepline.asl.model import State as StateRecord
from stepline.asl.parse_map_io import item_batcher, item_reader, result_writer
from stepline.asl.paths import Path, ReferencePath
from stepline.asl.templates import Template
from stepline.asl.validate import analyse
from stepline.asl.validate_common import Language, Report
from stepline.asl.validate_expressions import is_expression

Obj = Mapping[str, Any]


def load(definition: str | Mapping[str, Json]) -> StateMachine:
    """The compiled state machine; ``DefinitionError`` lists every problem if it is invalid."""
    analysis = analyse(definition)
    diagnostics = analysis.report.diagnostics
    if analysis.definition is None or has_errors(diagnostics):
        raise DefinitionError(diagnostics)
    return _Builder(analysis.report).machine(analysis.definition)


class _Builder:
    """Turns a validated definition into records; never compiles anything itself."""

    __slots__ = ("report", "root_path", "root_reference")

    def __init__(self, report: Report) -> None:
        self.report = report
        # AWS: InputPath, OutputPath, ResultPath and ItemsPath default to "$".
        self.root_path = report.compile_path("$")
        self.root_reference = report.compile_reference_path("$")

    def machine(self, definition: Obj) -> StateMachine:
        return StateMachine(
            root=self.branch(definition, ""),
            timeout_seconds=definition.get("TimeoutSeconds"),
            comment=definition.get("Comment"),
            version=definition.get("Version"),
            definition=definition,
        )

    def branch(self, scope: Obj, location: str) -> Branch:
        states: dict[str, StateRecord] = {
            name: self.state(name, state, f"{location}/States/{name}")
            for name, state in scope["States"].items()
        }
        return Branch(start_at=scope["StartAt"], states=states)

    def state(self, name: str, state: Obj, at: str) -> StateRecord:
        kind = state["Type"]
        if kind == "Pass":
            return self.pass_state(name, state, at)
        if kind == "Task":
            return self.task(name, state, at)
        if kind == "Choice":
            return self.choice(name, state, at)
        if kind == "Wait":
            return self.wait(name, state, at)
        if kind == "Succeed":
            return SucceedState(
                base=self.base(name, state, at, terminal=True), io=self.io(state, at)
            )
        if kind == "Fail":
            return self.fail(name, state, at)
        if kind == "Parallel":
            return self.parallel(name, state, at)
        return self.map_state(name, state, at)

    # --- compiled values, looked up by location ---------------------------------------

    def language(self, at: str) -> Language:
        return self.report.languages[at]

    def path(self, state: Obj, name: str, at: str, default: Path | None) -> Path | None:
        if name not in state:
            return default
        if state[name] is None:
            return None  # AWS: InputPath/OutputPath null mean {}
        return self.report.paths[f"{at}/{name}"]

    def reference(
        self, state: Obj, name: str, at: str, default: ReferencePath | None
    ) -> ReferencePath | None:
        if name not in state:
            return default
        if state[name] is None:
            return None  # AWS: ResultPath null discards the result
        return self.report.reference_paths[f"{at}/{name}"]

    def template(self, state: Obj, name: str, at: str) -> Template | None:
        return self.report.templates[f"{at}/{name}"] if name in state else None

    def expression(self, at: str) -> Expression | None:
        return self.report.expressions.get(at)

    def assignment(self, obj: Obj, at: str, language: Language) -> Assignment | None:
        """The compiled ``Assign`` of a state, Choice rule or catcher found at ``at``."""
        if "Assign" not in obj:
            return None
        if language == "JSONata":
            return self.report.expressions[f"{at}/Assign"]
        return self.report.templates[f"{at}/Assign"]

    def io(self, state: Obj, at: str) -> IOFields:
        if self.language(at) == "JSONata":
            return IOFields(input_path=self.root_path, output_path=self.root_path)
        return IOFields(
            input_path=self.path(state, "InputPath", at, self.root_path),
            output_path=self.path(state, "OutputPath", at, self.root_path),
        )

    def result_path(self, state: Obj, at: str) -> ReferencePath | None:
        return self.reference(state, "ResultPath", at, self.root_reference)

    def base(self, name: str, state: Obj, at: str, *, terminal: bool = False) -> StateBase:
        """``end`` is True for ``"End": true`` and for the terminal types (Succeed, Fail)."""
        language = self.language(at)
        return StateBase(
            name=name,
            comment=state.get("Comment"),
            next=state.get("Next"),
            end=terminal or state.get("End") is True,
            query_language=language,
            assign=self.assignment(state, at, language),
            jsonata=self.expressions(at) if language == "JSONata" else None,
        )

    def expressions(self, at: str) -> Expressions:
        def field(name: str) -> Expression | None:
            return self.expression(f"{at}/{name}")

        return Expressions(
            arguments=field("Arguments"),
            output=field("Output"),
            items=field("Items"),
            item_selector=field("ItemSelector"),
            seconds=field("Seconds"),
            timestamp=field("Timestamp"),
            timeout_seconds=field("TimeoutSeconds"),
            heartbeat_seconds=field("HeartbeatSeconds"),
            max_concurrency=field("MaxConcurrency"),
            tolerated_failure_count=field("ToleratedFailureCount"),
            tolerated_failure_percentage=field("ToleratedFailurePercentage"),
            error=field("Error"),
            cause=field("Cause"),
        )

    # --- states -------------------------------------------------------------------

    def pass_state(self, name: str, state: Obj, at: str) -> PassState:
        jsonata = self.language(at) == "JSONata"
        return PassState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            parameters=self.template(state, "Parameters", at),
            result=None if jsonata else state.get("Result"),
            has_result=not jsonata and "Result" in state,
            result_path=self.result_path(state, at),
        )

    def task(self, name: str, state: Obj, at: str) -> TaskState:
        return TaskState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            resource=state["Resource"],
            parameters=self.template(state, "Parameters", at),
            result_selector=self.template(state, "ResultSelector", at),
            result_path=self.result_path(state, at),
            timeout_seconds=_literal_int(state, "TimeoutSeconds"),
            timeout_seconds_path=self.reference(state, "TimeoutSecondsPath", at, None),
            heartbeat_seconds=_literal_int(state, "HeartbeatSeconds"),
            heartbeat_seconds_path=self.reference(state, "HeartbeatSecondsPath", at, None),
            credentials=self.report.templates.get(f"{at}/Credentials"),
            retry=_retriers(state),
            catch=self.catchers(state, at),
        )

    def choice(self, name: str, state: Obj, at: str) -> ChoiceState:
        language = self.language(at)
        rules: list[Obj] = state["Choices"]
        locations = [f"{at}/Choices[{i}]" for i in range(len(rules))]
        choices: tuple[ChoiceRule | JsonataChoiceRule, ...]
        if language == "JSONata":
            choices = tuple(
                JsonataChoiceRule(
                    next=rule["Next"],
                    condition=self.report.expressions[f"{rule_at}/Condition"],
                    output=self.expression(f"{rule_at}/Output"),
                )
                for rule, rule_at in zip(rules, locations, strict=True)
            )
        else:
            choices = tuple(self.report.choice_rules[rule_at] for rule_at in locations)
        assigns: tuple[Assignment | None, ...] = ()
        if any("Assign" in rule for rule in rules):
            assigns = tuple(
                self.assignment(rule, rule_at, language)
                for rule, rule_at in zip(rules, locations, strict=True)
            )
        return ChoiceState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            choices=choices,
            default=state.get("Default"),
            assigns=assigns,
        )

    def wait(self, name: str, state: Obj, at: str) -> WaitState:
        return WaitState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            seconds=_literal_int(state, "Seconds"),
            seconds_path=self.reference(state, "SecondsPath", at, None),
            timestamp=self.report.timestamps.get(f"{at}/Timestamp"),
            timestamp_path=self.reference(state, "TimestampPath", at, None),
        )

    def fail(self, name: str, state: Obj, at: str) -> FailState:
        return FailState(
            base=self.base(name, state, at, terminal=True),
            error=_literal_str(state, "Error", self.language(at)),
            error_path=self.report.reference_paths.get(f"{at}/ErrorPath"),
            cause=_literal_str(state, "Cause", self.language(at)),
            cause_path=self.report.reference_paths.get(f"{at}/CausePath"),
            error_template=self.report.templates.get(f"{at}/ErrorPath"),
            cause_template=self.report.templates.get(f"{at}/CausePath"),
        )

    def parallel(self, name: str, state: Obj, at: str) -> ParallelState:
        branches = state["Branches"]
        return ParallelState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            branches=tuple(
                self.branch(branch, f"{at}/Branches[{i}]") for i, branch in enumerate(branches)
            ),
            parameters=self.template(state, "Parameters", at),
            result_selector=self.template(state, "ResultSelector", at),
            result_path=self.result_path(state, at),
            retry=_retriers(state),
            catch=self.catchers(state, at),
        )

    def map_state(self, name: str, state: Obj, at: str) -> MapState:
        key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
        processor: Obj = state[key]
        selector = "ItemSelector" if "ItemSelector" in state else "Parameters"
        percentage = state.get("ToleratedFailurePercentage")
        if is_expression(percentage):
            percentage = None
        return MapState(
            base=self.base(name, state, at),
            io=self.io(state, at),
            processor=self.branch(processor, f"{at}/{key}"),
            mode=_mode(processor),
            items_path=self.reference(state, "ItemsPath", at, self.root_reference),
            item_selector=self.report.templates.get(f"{at}/{selector}"),
            max_concurrency=_literal_int(state, "MaxConcurrency") or 0,
            max_concurrency_path=self.reference(state, "MaxConcurrencyPath", at, None),
            tolerated_failure_count=_literal_int(state, "ToleratedFailureCount"),
            tolerated_failure_count_path=self.reference(
                state, "ToleratedFailureCountPath", at, None
            ),
            tolerated_failure_percentage=None if percentage is None else float(percentage),
            tolerated_failure_percentage_path=self.reference(
                state, "ToleratedFailurePercentagePath", at, None
            ),
            result_selector=self.template(state, "ResultSelector", at),
            result_path=self.result_path(state, at),
            retry=_retriers(state),
            catch=self.catchers(state, at),
            label=state.get("Label"),
            item_reader=item_reader(self.report, state, f"{at}/ItemReader"),
            item_batcher=item_batcher(self.report, state, f"{at}/ItemBatcher"),
            result_writer=result_writer(self.report, state, f"{at}/ResultWriter"),
        )

    def catchers(self, state: Obj, at: str) -> tuple[Catcher, ...]:
        language = self.language(at)
        catchers: list[Catcher] = []
        for i, catcher in enumerate(state.get("Catch", ())):
            catcher_at = f"{at}/Catch[{i}]"
            if language == "JSONata":
                result_path: ReferencePath | None = self.root_reference
            else:
                result_path = self.result_path(catcher, catcher_at)
            catchers.append(
                Catcher(
                    error_equals=tuple(catcher["ErrorEquals"]),
                    next=catcher["Next"],
                    result_path=result_path,
                    output=self.expression(f"{catcher_at}/Output"),
                    assign=self.assignment(catcher, catcher_at, language),
                )
            )
        return tuple(catchers)


def _literal_int(state: Obj, name: str) -> int | None:
    """A literal integer field; None when absent or a JSONata expression."""
    value = state.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _literal_str(state: Obj, name: str, language: Language) -> str | None:
    """A literal string field (Fail Error/Cause); None when absent or a JSONata expression."""
    value = state.get(name)
    if language == "JSONata" and is_expression(value):
        return None
    return value if isinstance(value, str) else None


def _retriers(state: Obj) -> tuple[Retrier, ...]:
    # AWS defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, JitterStrategy NONE.
    return tuple(
        Retrier(
            error_equals=tuple(retrier["ErrorEquals"]),
            interval_seconds=retrier.get("IntervalSeconds", 1),
            max_attempts=retrier.get("MaxAttempts", 3),
            backoff_rate=float(retrier.get("BackoffRate", 2.0)),
            max_delay_seconds=retrier.get("MaxDelaySeconds"),
            jitter_strategy=_jitter(retrier.get("JitterStrategy")),
        )
        for retrier in state.get("Retry", ())
    )


def _jitter(value: Json) -> JitterStrategy:
    return "FULL" if value == "FULL" else "NONE"


def _mode(processor: Obj) -> Literal["INLINE", "DISTRIBUTED"]:
    config = processor.get("ProcessorConfig") or {}
    return "DISTRIBUTED" if config.get("Mode") == "DISTRIBUTED" else "INLINE"
