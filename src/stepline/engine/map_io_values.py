"""What a Distributed Map's ItemReader, ItemBatcher and ResultWriter compute from data, in
either query language: the reader's request (Bucket, Key/Prefix, ReaderConfig with MaxItems
resolved), the batch limits and BatchInput, the writer's Bucket and Prefix.

JSONPath: ``Parameters`` and ``BatchInput`` are payload templates over the Map's effective
input (after InputPath), ``...Path`` fields read from it; JSONata: ``Arguments`` and the
expressions see ``$states.input`` (the raw state input) and ``$states.context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from stepline.asl import errors
from stepline.asl.dataflow import read_path
from stepline.asl.errors import Json, QueryEvaluationError, StatesError
from stepline.asl.model import Expression, MapState, ReaderConfig
from stepline.asl.paths import Path
from stepline.asl.templates import Template
from stepline.engine.flow import Visit
from stepline.engine.flow_jsonpath import whole_number

if TYPE_CHECKING:
    from stepline.engine.interpreter import Interpreter

MAX_ITEMS: Final = 100_000_000  # AWS: ReaderConfig MaxItems


@dataclass(frozen=True, slots=True)
class BatchPlan:
    max_items: int | None
    max_bytes: int | None
    batch_input: Json
    has_batch_input: bool


class MapIOValues:
    def __init__(self, run: Interpreter) -> None:
        self.run = run

    # ---- evaluation in the state's language ---------------------------------------------

    def _context(self, visit: Visit) -> Json:
        return self.run.context(visit.name, visit.entry)

    def _value(
        self, st: MapState, given: Template | Expression, visit: Visit, effective: Json
    ) -> Json:
        if isinstance(given, Template):
            ctx = self._context(visit) if given.uses_context else None
            return given.evaluate(effective, ctx, self.run.rng, visit.variables)
        states = {"input": visit.data, "context": self._context(visit)}
        return given.evaluate(states, visit.variables, self.run.rng, self.run.now)

    def _count(
        self,
        literal: int | None,
        path: Path | None,
        expression: Expression | None,
        visit: Visit,
        effective: Json,
        field: str,
    ) -> int | None:
        if literal is not None:
            return literal
        if path is not None:
            ctx = self._context(visit) if path.is_context else None
            value = read_path(path, effective, ctx, visit.variables)
            return whole_number(value, f"{field}Path", path.text, field)
        if expression is not None:
            states = {"input": visit.data, "context": self._context(visit)}
            value = expression.evaluate(states, visit.variables, self.run.rng, self.run.now)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise QueryEvaluationError(
                    f"The {field} field must evaluate to a non-negative integer: {value!r}", field
                )
            if value != int(value):
                raise QueryEvaluationError(
                    f"The {field} field must be an integer: {value!r}", field
                )
            return int(value)
        return None

    # ---- the three fields ---------------------------------------------------------------

    def reader_request(self, st: MapState, visit: Visit, effective: Json) -> Json:
        """The read command's parameters: ``{"Resource", "Parameters", "ReaderConfig"}``."""
        reader = st.item_reader
        assert reader is not None
        given = reader.parameters if reader.parameters is not None else reader.arguments
        parameters = {} if given is None else self._value(st, given, visit, effective)
        if not isinstance(parameters, dict):
            raise StatesError(errors.RUNTIME, "The ItemReader's Arguments must be a JSON object")
        config = reader.config
        max_items = self._count(
            config.max_items,
            config.max_items_path,
            config.max_items_expression,
            visit,
            effective,
            "MaxItems",
        )
        if max_items is not None and max_items > MAX_ITEMS:
            raise StatesError(errors.RUNTIME, f"MaxItems cannot be more than {MAX_ITEMS}.")
        return {
            "Resource": reader.resource,
            "Parameters": parameters,
            "ReaderConfig": reader_config(config, max_items),
        }

    def batching(self, st: MapState, visit: Visit, effective: Json) -> BatchPlan | None:
        batcher = st.item_batcher
        if batcher is None:
            return None
        max_items = self._count(
            batcher.max_items,
            batcher.max_items_path,
            batcher.max_items_expression,
            visit,
            effective,
            "MaxItemsPerBatch",
        )
        max_bytes = self._count(
            batcher.max_bytes,
            batcher.max_bytes_path,
            batcher.max_bytes_expression,
            visit,
            effective,
            "MaxInputBytesPerBatch",
        )
        if max_items == 0 or max_bytes == 0:
            raise StatesError(errors.RUNTIME, "The ItemBatcher's limits must be positive.")
        batch_input: Json = None
        if batcher.batch_input is not None:
            batch_input = self._value(st, batcher.batch_input, visit, effective)
        return BatchPlan(max_items, max_bytes, batch_input, batcher.batch_input is not None)

    def writer_target(self, st: MapState, visit: Visit, effective: Json) -> Json:
        """The ResultWriter's evaluated Parameters / Arguments ({Bucket, Prefix})."""
        writer = st.result_writer
        assert writer is not None
        given = writer.parameters if writer.parameters is not None else writer.arguments
        target = {} if given is None else self._value(st, given, visit, effective)
        if not isinstance(target, dict):
            raise StatesError(errors.RUNTIME, "The ResultWriter's Arguments must be a JSON object")
        return target


def reader_config(config: ReaderConfig, max_items: int | None) -> dict[str, Json]:
    """The ReaderConfig as the reader takes it (AWS's names; absent fields left out)."""
    found: dict[str, Json] = {
        "InputType": config.input_type,
        "CSVHeaderLocation": config.csv_header_location,
        "CSVHeaders": None if config.csv_headers is None else list(config.csv_headers),
        "CSVDelimiter": config.csv_delimiter,
        "ManifestType": config.manifest_type,
        "Transformation": config.transformation,
        "ItemsPointer": config.items_pointer,
        "MaxItems": max_items,
    }
    return {name: value for name, value in found.items() if value is not None}
