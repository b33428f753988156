"""Table file formats: how a catalog table's files are read (from its StorageDescriptor, as
Athena decides by the SerDe and input format), and the StorageDescriptor Athena writes for
``STORED AS PARQUET|TEXTFILE|JSON`` and for CTAS's ``format``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from stepline.store.lake_records import LakeColumn, LakeTable, SerDeInfo, StorageDescriptor

FileKind: TypeAlias = Literal["parquet", "csv", "json"]

PARQUET_SERDE: Final = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT: Final = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT: Final = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
LAZY_SIMPLE_SERDE: Final = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE: Final = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
HIVE_JSON_SERDE: Final = "org.apache.hive.hcatalog.data.JsonSerDe"
TEXT_INPUT: Final = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT: Final = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
HIVE_DEFAULT_DELIMITER: Final = "\x01"  # AWS: TEXTFILE without a delimiter uses \001
_UNSUPPORTED: Final = {"orc": "ORC", "avro": "Avro", "ion": "Ion", "rcfile": "RCFile"}


class FormatError(ValueError):
    """A format stepline cannot read or write; the message names the table and format."""


@dataclass(frozen=True, slots=True)
class FileFormat:
    """How to read (and write) a table's files."""

    kind: FileKind
    delimiter: str = ","
    quote: str = ""  # "": none (LazySimpleSerDe)
    escape: str = ""
    null_format: str = "\\N"
    header_lines: int = 0  # skip.header.line.count
    ignore_malformed: bool = False  # JSON: ignore.malformed.json
    compression: str | None = None  # write: parquet codec


def file_format(table: LakeTable) -> FileFormat:
    """How ``table``'s files are read. Raises FormatError for ORC, Avro and the like."""
    sd = table.storage_descriptor
    serde = (sd.serde_info.serialization_library or "").lower()
    hints = " ".join(
        (serde, (sd.input_format or "").lower(), table.parameters.get("classification", ""))
    ).lower()
    for marker, name in _UNSUPPORTED.items():
        if marker in hints:
            raise FormatError(
                f"table {table.database}.{table.name} is stored as {name}, which stepline "
                "does not read (supported: Parquet, CSV/TSV text, JSON lines)"
            )
    if "parquet" in hints:
        return FileFormat("parquet")
    params = {**sd.serde_info.parameters, **table.parameters}
    header = _int(table.parameters.get("skip.header.line.count", "0"), table)
    if "json" in hints:
        malformed = params.get("ignore.malformed.json", "false").lower() == "true"
        return FileFormat("json", ignore_malformed=malformed)
    if "opencsv" in serde:
        return FileFormat(
            "csv",
            delimiter=params.get("separatorChar", ","),
            quote=params.get("quoteChar", '"'),
            # opencsv reads "" in a quoted value as one quote: DuckDB's escape is the quote
            escape=params.get("escapeChar", '"'),
            null_format="",
            header_lines=header,
        )
    delimiter = params.get("field.delim") or params.get("serialization.format")
    if not delimiter or delimiter == "1":  # serialization.format "1": the default \001
        delimiter = "," if "csv" in hints else HIVE_DEFAULT_DELIMITER
    return FileFormat(
        "csv",
        delimiter=delimiter,
        escape=params.get("escape.delim", ""),
        null_format=params.get("serialization.null.format", "\\N"),
        header_lines=header,
    )


def _int(value: str, table: LakeTable) -> int:
    try:
        return max(int(value), 0)
    except ValueError:
        raise FormatError(
            f"table {table.database}.{table.name}: skip.header.line.count must be a number,"
            f" got {value!r}"
        ) from None


def storage_descriptor(
    stored_as: str,
    location: str,
    columns: tuple[LakeColumn, ...],
    *,
    serde: str | None = None,
    serde_parameters: Mapping[str, str] | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
) -> StorageDescriptor:
    """The StorageDescriptor Athena writes for ``STORED AS <stored_as>`` (PARQUET, TEXTFILE,
    JSON) with an optional ROW FORMAT SERDE."""
    kind = stored_as.upper()
    parameters = dict(serde_parameters or {})
    if kind == "PARQUET":
        library, inputs, outputs = PARQUET_SERDE, PARQUET_INPUT, PARQUET_OUTPUT
        parameters.setdefault("serialization.format", "1")
    elif kind in ("TEXTFILE", "JSON", "JSONFILE"):
        default = HIVE_JSON_SERDE if kind != "TEXTFILE" else LAZY_SIMPLE_SERDE
        library, inputs, outputs = serde or default, TEXT_INPUT, TEXT_OUTPUT
        if library == LAZY_SIMPLE_SERDE:
            parameters.setdefault("serialization.format", parameters.get("field.delim", "1"))
    elif kind.lower() in _UNSUPPORTED:
        raise FormatError(
            f"STORED AS {kind}: stepline reads and writes PARQUET, TEXTFILE and JSON only"
        )
    else:
        raise FormatError(f"unknown file format STORED AS {kind} (PARQUET, TEXTFILE or JSON)")
    return StorageDescriptor(
        location=location,
        columns=columns,
        input_format=input_format or inputs,
        output_format=output_format or outputs,
        serde_info=SerDeInfo(library, parameters),
    )


def classification(sd: StorageDescriptor) -> str:
    """Glue's ``classification`` table parameter for a StorageDescriptor."""
    serde = (sd.serde_info.serialization_library or "").lower()
    if "parquet" in serde:
        return "parquet"
    if "json" in serde:
        return "json"
    return "csv"


def ctas_storage(
    format_name: str,
    location: str,
    columns: tuple[LakeColumn, ...],
    delimiter: str | None,
    compression: str | None,
) -> tuple[StorageDescriptor, FileFormat]:
    """CTAS's ``WITH (format = ...)``: the new table's StorageDescriptor and how its files
    are written. # AWS: CTAS writes Parquet unless told otherwise; TEXTFILE's field
    delimiter defaults to \\001."""
    kind = format_name.upper()
    if kind == "PARQUET":
        sd = storage_descriptor("PARQUET", location, columns)
        codec = (compression or "GZIP").upper()
        return sd, FileFormat("parquet", compression=None if codec == "NONE" else codec)
    if kind == "TEXTFILE":
        delim = delimiter or HIVE_DEFAULT_DELIMITER
        sd = storage_descriptor(
            "TEXTFILE", location, columns, serde_parameters={"field.delim": delim}
        )
        return sd, FileFormat("csv", delimiter=delim)
    if kind == "JSON":
        return storage_descriptor("JSON", location, columns), FileFormat("json")
    if kind.lower() in _UNSUPPORTED:
        raise FormatError(f"format '{format_name}': stepline writes PARQUET, TEXTFILE and JSON")
    raise FormatError(f"unknown format '{format_name}' (PARQUET, TEXTFILE or JSON)")
