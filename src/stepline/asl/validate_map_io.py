"""Validation of a Distributed Map's data fields: ItemReader, ItemBatcher and ResultWriter.

AWS (docs input-output-itemreader, -itembatcher, -resultwriter; shapes of the fields):

- ``ItemReader`` {``Resource`` ``arn:aws:states:::s3:getObject`` | ``...:s3:listObjectsV2``,
  ``Parameters`` (JSONPath) | ``Arguments`` (JSONata) {Bucket, Key | Prefix, ...},
  ``ReaderConfig`` {InputType, CSVHeaderLocation, CSVHeaders, CSVDelimiter, ManifestType,
  Transformation, ItemsPointer, MaxItems | MaxItemsPath}}. ``getObject`` needs an
  ``InputType``; ``CSVHeaders`` go with ``CSVHeaderLocation: GIVEN``; ``MaxItems`` is at most
  100,000,000.
- ``ItemBatcher`` {MaxItemsPerBatch(Path), MaxInputBytesPerBatch(Path) (at most 256 KiB),
  BatchInput}: at least one of the limits.
- ``ResultWriter`` {Resource ``arn:aws:states:::s3:putObject``, Parameters | Arguments
  {Bucket, Prefix}, WriterConfig {OutputType JSON | JSONL, Transformation NONE | COMPACT |
  FLATTEN}}: a Resource with its Parameters, or a WriterConfig, or both.

The three belong to a Distributed Map only. Messages and locations follow the other
schema checks (``Field 'X' is not supported`` at the object; value errors at the field).
ManifestType ATHENA_DATA is not run by stepline (UNSUPPORTED_BY_STEPLINE). Assumed, not
recorded: AWS's exact wording for a Resource it does not know here (stepline
lists the ARNs it accepts) and for these fields on an inline Map (stepline: ``Field 'X' is
not supported``, as for any field a state cannot carry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from stepline.asl.errors import Json
from stepline.asl.validate_common import (
    Language,
    Report,
    check_exclusive,
    check_known_fields,
    check_path,
    check_required,
    check_template,
    expect_array,
    expect_enum,
    expect_int,
    expect_object,
    expect_string,
    fmt_list,
)
from stepline.asl.validate_expressions import check_jsonata, check_jsonata_int, is_expression

GET_OBJECT: Final = "arn:aws:states:::s3:getObject"
LIST_OBJECTS: Final = "arn:aws:states:::s3:listObjectsV2"
PUT_OBJECT: Final = "arn:aws:states:::s3:putObject"
INPUT_TYPES: Final = ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST")
HEADER_LOCATIONS: Final = ("FIRST_ROW", "GIVEN")
DELIMITERS: Final = ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")
MANIFEST_TYPES: Final = ("S3_INVENTORY", "ATHENA_DATA")
READER_TRANSFORMATIONS: Final = ("NONE", "LOAD_AND_FLATTEN")
OUTPUT_TYPES: Final = ("JSON", "JSONL")
WRITER_TRANSFORMATIONS: Final = ("NONE", "COMPACT", "FLATTEN")
MAX_ITEMS: Final = 100_000_000  # AWS: ReaderConfig MaxItems
MAX_BATCH_BYTES: Final = 262_144  # AWS: MaxInputBytesPerBatch, 256 KiB
_READER_CONFIG: Final = frozenset(
    {
        "InputType",
        "CSVHeaderLocation",
        "CSVHeaders",
        "CSVDelimiter",
        "ManifestType",
        "Transformation",
        "ItemsPointer",
        "MaxItems",
        "MaxItemsPath",
    }
)
MAP_IO_FIELDS: Final = ("ItemReader", "ItemBatcher", "ResultWriter")


def check_map_io(
    report: Report, state: Mapping[str, Json], location: str, language: Language
) -> None:
    """ItemReader, ItemBatcher and ResultWriter of a Distributed Map."""
    if "ItemReader" in state:
        _check_reader(report, state["ItemReader"], f"{location}/ItemReader", language)
    if "ItemBatcher" in state:
        _check_batcher(report, state["ItemBatcher"], f"{location}/ItemBatcher", language)
    if "ResultWriter" in state:
        _check_writer(report, state["ResultWriter"], f"{location}/ResultWriter", language)


def _arguments_field(language: Language) -> str:
    return "Arguments" if language == "JSONata" else "Parameters"


def _check_arguments(report: Report, obj: Mapping[str, Json], at: str, language: Language) -> None:
    """Parameters (a payload template) or Arguments (a JSONata object or expression)."""
    name = _arguments_field(language)
    if name not in obj:
        return
    value = obj[name]
    if language == "JSONata":
        if is_expression(value) or expect_object(report, value, f"{at}/{name}") is not None:
            check_jsonata(report, value, name, f"{at}/{name}")
    else:
        check_template(report, value, name, f"{at}/{name}")


def _check_resource(
    report: Report, obj: Mapping[str, Json], at: str, allowed: tuple[str, ...]
) -> str | None:
    resource = expect_string(report, obj["Resource"], f"{at}/Resource")
    if resource is not None and resource not in allowed:
        report.schema(
            f"Value should be one of the following: {fmt_list(allowed)}", f"{at}/Resource"
        )
        return None
    return resource


def _check_reader(report: Report, value: Json, at: str, language: Language) -> None:
    reader = expect_object(report, value, at)
    if reader is None:
        return
    check_known_fields(
        report, reader, frozenset({"Resource", _arguments_field(language), "ReaderConfig"}), at
    )
    resource = None
    if check_required(report, reader, ("Resource",), at):
        resource = _check_resource(report, reader, at, (GET_OBJECT, LIST_OBJECTS))
    _check_arguments(report, reader, at, language)
    config: Mapping[str, Json] | None = {}
    if "ReaderConfig" in reader:
        config = expect_object(report, reader["ReaderConfig"], f"{at}/ReaderConfig")
    if config is None:
        return
    config_at = f"{at}/ReaderConfig"
    check_known_fields(report, config, _READER_CONFIG, config_at)
    enums = (
        ("InputType", INPUT_TYPES),
        ("CSVHeaderLocation", HEADER_LOCATIONS),
        ("CSVDelimiter", DELIMITERS),
        ("ManifestType", MANIFEST_TYPES),
        ("Transformation", READER_TRANSFORMATIONS),
    )
    found = {
        name: expect_enum(report, config[name], allowed, f"{config_at}/{name}")
        for name, allowed in enums
        if name in config
    }
    if found.get("ManifestType") == "ATHENA_DATA":
        report.unsupported("ManifestType 'ATHENA_DATA'", f"{config_at}/ManifestType")
    if resource == GET_OBJECT and "InputType" not in config:
        # AWS: reading one object needs to know its format.
        report.schema("These fields are required: [InputType]", config_at)
    if "CSVHeaders" in config:
        headers = expect_array(
            report, config["CSVHeaders"], f"{config_at}/CSVHeaders", non_empty=True
        )
        for index, header in enumerate(headers or ()):
            expect_string(report, header, f"{config_at}/CSVHeaders[{index}]")
    if found.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in config:
        report.schema("These fields are required: [CSVHeaders]", config_at)
    if "CSVHeaders" in config and found.get("CSVHeaderLocation") != "GIVEN":
        report.schema(
            "Field 'CSVHeaders' is only supported when 'CSVHeaderLocation' is 'GIVEN'", config_at
        )
    if "ItemsPointer" in config:
        pointer = expect_string(report, config["ItemsPointer"], f"{config_at}/ItemsPointer")
        if pointer is not None and pointer and not pointer.startswith("/"):
            report.schema("Value must be a valid JSON Pointer", f"{config_at}/ItemsPointer")
    _check_limit(report, config, "MaxItems", config_at, language, MAX_ITEMS, minimum=0)


def _check_limit(
    report: Report,
    obj: Mapping[str, Json],
    name: str,
    at: str,
    language: Language,
    maximum: int | None,
    *,
    minimum: int,
) -> None:
    """``name`` (a literal; JSONata: or an expression) or ``namePath`` (JSONPath)."""
    if language == "JSONata":
        if f"{name}Path" in obj:
            report.other_language(f"{name}Path", language, at)
        if name in obj:
            check_jsonata_int(report, obj, name, at, minimum=minimum, maximum=maximum)
        return
    check_exclusive(report, obj, (name, f"{name}Path"), at, required=False)
    if name in obj:
        expect_int(report, obj[name], f"{at}/{name}", minimum=minimum, maximum=maximum)
    if f"{name}Path" in obj:
        check_path(report, obj[f"{name}Path"], f"{at}/{name}Path", reference=True)


def _check_batcher(report: Report, value: Json, at: str, language: Language) -> None:
    batcher = expect_object(report, value, at)
    if batcher is None:
        return
    names = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
    allowed = {*names, "BatchInput"}
    if language == "JSONPath":
        allowed.update(f"{name}Path" for name in names)
    check_known_fields(report, batcher, frozenset(allowed), at)
    if not any(key in batcher for key in (*names, *(f"{n}Path" for n in names))):
        # AWS: a batcher without a limit has nothing to batch by.
        report.schema(
            "This object should have at least one of the following fields: "
            "[MaxItemsPerBatch, MaxItemsPerBatchPath, MaxInputBytesPerBatch, "
            "MaxInputBytesPerBatchPath]",
            at,
        )
    _check_limit(report, batcher, "MaxItemsPerBatch", at, language, None, minimum=1)
    _check_limit(report, batcher, "MaxInputBytesPerBatch", at, language, MAX_BATCH_BYTES, minimum=1)
    if "BatchInput" in batcher:
        batch_at = f"{at}/BatchInput"
        if language == "JSONata":
            check_jsonata(report, batcher["BatchInput"], "BatchInput", batch_at)
        else:
            check_template(report, batcher["BatchInput"], "BatchInput", batch_at)


def _check_writer(report: Report, value: Json, at: str, language: Language) -> None:
    writer = expect_object(report, value, at)
    if writer is None:
        return
    arguments = _arguments_field(language)
    check_known_fields(report, writer, frozenset({"Resource", arguments, "WriterConfig"}), at)
    if "Resource" in writer:
        _check_resource(report, writer, at, (PUT_OBJECT,))
        check_required(report, writer, (arguments,), at)
    elif arguments in writer:
        check_required(report, writer, ("Resource",), at)
    if "Resource" not in writer and "WriterConfig" not in writer:
        # AWS: "The ResultWriter field cannot be empty": a Resource with its Parameters,
        # a WriterConfig, or both.
        report.schema(
            "This object should have at least one of the following fields: "
            "[Resource, WriterConfig]",
            at,
        )
    _check_arguments(report, writer, at, language)
    if "WriterConfig" in writer:
        config_at = f"{at}/WriterConfig"
        config = expect_object(report, writer["WriterConfig"], config_at)
        if config is not None:
            check_known_fields(
                report, config, frozenset({"OutputType", "Transformation"}), config_at
            )
            if "OutputType" in config:
                expect_enum(report, config["OutputType"], OUTPUT_TYPES, f"{config_at}/OutputType")
            if "Transformation" in config:
                expect_enum(
                    report,
                    config["Transformation"],
                    WRITER_TRANSFORMATIONS,
                    f"{config_at}/Transformation",
                )
