"""Loading a Distributed Map's ItemReader, ItemBatcher and ResultWriter into model records,
from what validation compiled (``validate_map_io``), looked up by location."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepline.asl.model import (
    Expression,
    ItemBatcher,
    ItemReader,
    ReaderConfig,
    ResultWriter,
)
from stepline.asl.paths import ReferencePath
from stepline.asl.templates import Template
from stepline.asl.validate_common import Report
from stepline.asl.validate_expressions import is_expression

Obj = Mapping[str, Any]


def item_reader(report: Report, state: Obj, at: str) -> ItemReader | None:
    reader: Obj | None = state.get("ItemReader")
    if reader is None:
        return None
    config: Obj = reader.get("ReaderConfig") or {}
    config_at = f"{at}/ReaderConfig"
    headers = config.get("CSVHeaders")
    return ItemReader(
        resource=reader["Resource"],
        config=ReaderConfig(
            input_type=config.get("InputType"),
            csv_header_location=config.get("CSVHeaderLocation"),
            csv_headers=None if headers is None else tuple(headers),
            csv_delimiter=config.get("CSVDelimiter"),
            manifest_type=config.get("ManifestType"),
            transformation=config.get("Transformation"),
            items_pointer=config.get("ItemsPointer"),
            max_items=_literal_int(config, "MaxItems"),
            max_items_path=_path(report, config, "MaxItemsPath", config_at),
            max_items_expression=_expression(report, config, "MaxItems", config_at),
        ),
        parameters=report.templates.get(f"{at}/Parameters"),
        arguments=report.expressions.get(f"{at}/Arguments"),
    )


def item_batcher(report: Report, state: Obj, at: str) -> ItemBatcher | None:
    batcher: Obj | None = state.get("ItemBatcher")
    if batcher is None:
        return None
    batch_input: Template | Expression | None = report.templates.get(
        f"{at}/BatchInput"
    ) or report.expressions.get(f"{at}/BatchInput")
    return ItemBatcher(
        max_items=_literal_int(batcher, "MaxItemsPerBatch"),
        max_items_path=_path(report, batcher, "MaxItemsPerBatchPath", at),
        max_items_expression=_expression(report, batcher, "MaxItemsPerBatch", at),
        max_bytes=_literal_int(batcher, "MaxInputBytesPerBatch"),
        max_bytes_path=_path(report, batcher, "MaxInputBytesPerBatchPath", at),
        max_bytes_expression=_expression(report, batcher, "MaxInputBytesPerBatch", at),
        batch_input=batch_input,
    )


def result_writer(report: Report, state: Obj, at: str) -> ResultWriter | None:
    writer: Obj | None = state.get("ResultWriter")
    if writer is None:
        return None
    config: Obj = writer.get("WriterConfig") or {}
    return ResultWriter(
        resource=writer.get("Resource"),
        parameters=report.templates.get(f"{at}/Parameters"),
        arguments=report.expressions.get(f"{at}/Arguments"),
        output_type=config.get("OutputType"),
        transformation=config.get("Transformation"),
    )


def _literal_int(obj: Obj, name: str) -> int | None:
    value = obj.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _path(report: Report, obj: Obj, name: str, at: str) -> ReferencePath | None:
    return report.reference_paths.get(f"{at}/{name}") if name in obj else None


def _expression(report: Report, obj: Obj, name: str, at: str) -> Expression | None:
    """A JSONata expression given for an integer field (None for a literal)."""
    return report.expressions.get(f"{at}/{name}") if is_expression(obj.get(name)) else None
