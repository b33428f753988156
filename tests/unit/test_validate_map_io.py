"""ItemReader, ItemBatcher and ResultWriter: what validation refuses (AWS codes and JSON
pointer locations) and what parsing builds."""

from __future__ import annotations

from typing import Any

import pytest

from stepline.asl.diagnostics import Diagnostic
from stepline.asl.model import MapState
from stepline.asl.parse import load
from stepline.inprocess import validate

GET = "arn:aws:states:::s3:getObject"
LIST = "arn:aws:states:::s3:listObjectsV2"
PUT = "arn:aws:states:::s3:putObject"
SCHEMA = "SCHEMA_VALIDATION_FAILED"


def distributed(language: str = "JSONPath", **fields: Any) -> dict[str, Any]:
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
        **fields,
    }
    return {"QueryLanguage": language, "StartAt": "M", "States": {"M": state}}


def problems(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    found: list[Diagnostic] = [d for d in validate(definition) if d.severity == "ERROR"]
    return [(d.code, d.location, d.message) for d in found]


CASES = [
    (
        "unknown resource",
        {"ItemReader": {"Resource": "arn:aws:states:::s3:nope", "Parameters": {}}},
        (SCHEMA, "/States/M/ItemReader/Resource", "Value should be one of the following"),
    ),
    (
        "resource missing",
        {"ItemReader": {"Parameters": {"Bucket": "b"}}},
        (SCHEMA, "/States/M/ItemReader", "These fields are required: [Resource]"),
    ),
    (
        "getObject needs an InputType",
        {"ItemReader": {"Resource": GET, "Parameters": {"Bucket": "b", "Key": "k"}}},
        (SCHEMA, "/States/M/ItemReader/ReaderConfig", "These fields are required: [InputType]"),
    ),
    (
        "bad InputType",
        {"ItemReader": {"Resource": GET, "ReaderConfig": {"InputType": "XML"}}},
        (SCHEMA, "/States/M/ItemReader/ReaderConfig/InputType", "Value should be one of"),
    ),
    (
        "GIVEN without headers",
        {
            "ItemReader": {
                "Resource": GET,
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"},
            }
        },
        (SCHEMA, "/States/M/ItemReader/ReaderConfig", "These fields are required: [CSVHeaders]"),
    ),
    (
        "bad delimiter",
        {
            "ItemReader": {
                "Resource": GET,
                "ReaderConfig": {"InputType": "CSV", "CSVDelimiter": "COLON"},
            }
        },
        (SCHEMA, "/States/M/ItemReader/ReaderConfig/CSVDelimiter", "Value should be one of"),
    ),
    (
        "MaxItems and MaxItemsPath",
        {"ItemReader": {"Resource": LIST, "ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.n"}}},
        (SCHEMA, "/States/M/ItemReader/ReaderConfig", "There should only be one of"),
    ),
    (
        "MaxItems too large",
        {"ItemReader": {"Resource": LIST, "ReaderConfig": {"MaxItems": 100_000_001}}},
        (SCHEMA, "/States/M/ItemReader/ReaderConfig/MaxItems", "Maximum value is 100000000"),
    ),
    (
        "unknown reader field",
        {"ItemReader": {"Resource": LIST, "Nope": 1}},
        (SCHEMA, "/States/M/ItemReader", "Field 'Nope' is not supported"),
    ),
    (
        "bad reader path",
        {"ItemReader": {"Resource": LIST, "Parameters": {"Bucket.$": "not a path"}}},
        (SCHEMA, "/States/M/ItemReader/Parameters", "must be a valid JSONPath"),
    ),
    (
        "ATHENA_DATA",
        {
            "ItemReader": {
                "Resource": GET,
                "ReaderConfig": {"InputType": "MANIFEST", "ManifestType": "ATHENA_DATA"},
            }
        },
        ("UNSUPPORTED_BY_STEPLINE", "/States/M/ItemReader/ReaderConfig/ManifestType", "ATHENA"),
    ),
    (
        "batcher without a limit",
        {"ItemBatcher": {"BatchInput": {}}},
        (SCHEMA, "/States/M/ItemBatcher", "at least one of the following fields"),
    ),
    (
        "batch bytes too large",
        {"ItemBatcher": {"MaxInputBytesPerBatch": 262_145}},
        (SCHEMA, "/States/M/ItemBatcher/MaxInputBytesPerBatch", "Maximum value is 262144"),
    ),
    (
        "batch of zero",
        {"ItemBatcher": {"MaxItemsPerBatch": 0}},
        (SCHEMA, "/States/M/ItemBatcher/MaxItemsPerBatch", "Minimum value is 1"),
    ),
    (
        "empty writer",
        {"ResultWriter": {}},
        (SCHEMA, "/States/M/ResultWriter", "at least one of the following fields"),
    ),
    (
        "writer resource",
        {"ResultWriter": {"Resource": GET, "Parameters": {"Bucket": "b"}}},
        (SCHEMA, "/States/M/ResultWriter/Resource", "Value should be one of"),
    ),
    (
        "writer without parameters",
        {"ResultWriter": {"Resource": PUT}},
        (SCHEMA, "/States/M/ResultWriter", "These fields are required: [Parameters]"),
    ),
    (
        "bad output type",
        {"ResultWriter": {"WriterConfig": {"OutputType": "CSV"}}},
        (SCHEMA, "/States/M/ResultWriter/WriterConfig/OutputType", "Value should be one of"),
    ),
]


@pytest.mark.parametrize(("fields", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_is_reported_with_code_and_location(
    fields: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    [(code, location, message)] = problems(distributed(**fields))
    assert (code, location) == expected[:2]
    assert expected[2] in message


def test_jsonata_readers_take_arguments_not_parameters() -> None:
    reader = {"Resource": LIST, "Parameters": {"Bucket": "b"}}
    [(code, location, message)] = problems(distributed("JSONata", ItemReader=reader))
    assert (code, location) == (SCHEMA, "/States/M/ItemReader")
    assert "Field 'Parameters' is not supported" in message
    bad = {"Resource": LIST, "Arguments": {"Bucket": "{% $states.input. %}"}}
    [(code, location, _)] = problems(distributed("JSONata", ItemReader=bad))
    assert (code, location) == (
        "INVALID_JSONATA_EXPRESSION",
        "/States/M/ItemReader/Arguments/Bucket",
    )


def test_the_fields_belong_to_a_distributed_map() -> None:
    definition = distributed(ItemBatcher={"MaxItemsPerBatch": 2})
    definition["States"]["M"]["ItemProcessor"].pop("ProcessorConfig")
    assert problems(definition) == [(SCHEMA, "/States/M", "Field 'ItemBatcher' is not supported")]


def test_parse_builds_the_records() -> None:
    definition = distributed(
        ItemReader={
            "Resource": GET,
            "Parameters": {"Bucket": "b", "Key.$": "$.key"},
            "ReaderConfig": {
                "InputType": "CSV",
                "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["a", "b"],
                "CSVDelimiter": "PIPE",
                "MaxItemsPath": "$.n",
            },
        },
        ItemBatcher={"MaxItemsPerBatch": 5, "MaxInputBytesPerBatchPath": "$.bytes"},
        ResultWriter={
            "Resource": PUT,
            "Parameters": {"Bucket": "b", "Prefix": "out"},
            "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"},
        },
    )
    assert problems(definition) == []
    st = load(definition).root.states["M"]
    assert isinstance(st, MapState)
    reader, batcher, writer = st.item_reader, st.item_batcher, st.result_writer
    assert reader is not None and batcher is not None and writer is not None
    assert reader.resource == GET and reader.parameters is not None
    config = reader.config
    assert (config.input_type, config.csv_headers, config.csv_delimiter) == (
        "CSV",
        ("a", "b"),
        "PIPE",
    )
    assert config.max_items is None and config.max_items_path is not None
    assert config.max_items_path.text == "$.n"
    assert batcher.max_items == 5 and batcher.max_bytes_path is not None
    assert (writer.resource, writer.output_type, writer.transformation) == (PUT, "JSONL", "COMPACT")
