"""A Distributed Map's ItemReader over the lake: the items of one object (CSV, JSON, JSONL,
Parquet, an S3 Inventory manifest) or the objects under a prefix (listObjectsV2).

    read_items(LocalObjects(LakePaths(root)), {"Resource": ..., "Parameters": {...},
               "ReaderConfig": {...}})  ->  [item, ...]

AWS (docs input-output-itemreader and the behaviour peers recorded):

- CSV: every value is a string; the header is the first row (``CSVHeaderLocation``
  FIRST_ROW, the default) or ``CSVHeaders`` (GIVEN); ``CSVDelimiter`` COMMA (default), PIPE,
  SEMICOLON, SPACE or TAB; quoted fields may hold delimiters and newlines; a backslash
  escapes the next character; a row shorter than the header gets "" for the missing fields,
  a longer one loses its extra fields; duplicate headers fail the read ("CSV headers cannot
  contain duplicates."). Blank lines are skipped (assumed).
- JSON: the object holds a JSON array (``ItemsPointer``, a JSON Pointer, may select one inside
  an object); anything else fails the read ("Attempting to map over non-iterable node.").
- JSONL: one JSON value per non-blank line.
- PARQUET: one item per row, column name -> value as JSON (assumed: timestamps and dates as
  ISO 8601 text, decimals as numbers, binary as base64 text).
- listObjectsV2: every page; one item per object ``{Etag, Key, LastModified, Size,
  StorageClass}`` (AWS's member names; LastModified in epoch seconds, assumed from the docs'
  example; StorageClass STANDARD, the lake's only class); ``Delimiter`` leaves out what lies
  under the common prefixes. ``Transformation: LOAD_AND_FLATTEN`` reads each listed object as
  ``InputType`` instead and gives their items one after the other.
- MANIFEST (ManifestType S3_INVENTORY, the default): an S3 Inventory ``manifest.json`` whose
  ``files`` (CSV, gzipped or not, columns named by ``fileSchema``; or Parquet) hold one row
  per item. ATHENA_DATA is not supported (validation says so).
- ``MaxItems`` caps the items. Every failure is ``ItemReaderError`` naming the object.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import gzip
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.lake.objects import ObjectError, Objects
from stepline.lake.paths import LakePathError

GET_OBJECT: Final = "arn:aws:states:::s3:getObject"
LIST_OBJECTS: Final = "arn:aws:states:::s3:listObjectsV2"
DELIMITERS: Final = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
NOT_ITERABLE: Final = "Attempting to map over non-iterable node."
DUPLICATE_HEADERS: Final = "CSV headers cannot contain duplicates."


class ItemReaderError(Exception):
    """The read failed (the Map state fails with States.ItemReaderFailed and this cause)."""


def read_items(objects: Objects, request: Mapping[str, Any]) -> list[Json]:
    parameters = request.get("Parameters") or {}
    config = request.get("ReaderConfig") or {}
    limit = config.get("MaxItems")
    try:
        bucket = _text(parameters, "Bucket")
        if request.get("Resource") == LIST_OBJECTS:
            items = _list_objects(objects, bucket, parameters, config)
        else:
            key = _text(parameters, "Key")
            items = _object_items(objects, bucket, key, config)
        found: list[Json] = []
        for item in items:
            if limit is not None and len(found) >= limit:
                break
            found.append(item)
        return found
    except ObjectError as exc:
        raise ItemReaderError(f"{exc.code}: {exc.message}") from None
    except LakePathError as exc:
        raise ItemReaderError(str(exc)) from None


def _text(parameters: Mapping[str, Any], name: str) -> str:
    value = parameters.get(name)
    if not isinstance(value, str) or not value:
        raise ItemReaderError(f"The ItemReader's {name} must be a non-empty string: {value!r}")
    return value


# ---- one object -----------------------------------------------------------------------


def _object_items(
    objects: Objects, bucket: str, key: str, config: Mapping[str, Any]
) -> Iterator[Json]:
    body = objects.get(bucket, key).body
    where = f"s3://{bucket}/{key}"
    kind = config.get("InputType")
    if kind == "MANIFEST":
        return _manifest(objects, body, where, config)
    return parse_items(body, kind or "JSON", config, where)


def parse_items(body: bytes, kind: str, config: Mapping[str, Any], where: str) -> Iterator[Json]:
    """The items of an object's content, read as ``kind`` (CSV, JSON, JSONL, PARQUET)."""
    if kind == "PARQUET":
        return _parquet(body, where)
    text = _decode(body, where)
    if kind == "CSV":
        delimiter = DELIMITERS.get(config.get("CSVDelimiter") or "COMMA", ",")
        headers = config.get("CSVHeaders") if config.get("CSVHeaderLocation") == "GIVEN" else None
        return csv_items(text, delimiter, headers, where)
    if kind == "JSONL":
        return _jsonl(text, where)
    return iter(_json_array(text, config.get("ItemsPointer"), where))


def _decode(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ItemReaderError(f"{where} is not UTF-8 text: {exc}") from None


def csv_items(
    text: str, delimiter: str, headers: list[str] | None, where: str
) -> Iterator[dict[str, str]]:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, escapechar="\\")
    try:
        if headers is None:
            headers = next((row for row in rows if row), [])
        if len(set(headers)) < len(headers):
            raise ItemReaderError(DUPLICATE_HEADERS)
        for row in rows:
            if not row:
                continue
            values = row + [""] * (len(headers) - len(row))
            yield dict(zip(headers, values, strict=False))
    except csv.Error as exc:
        raise ItemReaderError(f"{where} is not valid CSV: {exc}") from None


def _jsonl(text: str, where: str) -> Iterator[Json]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise ItemReaderError(f"{where} line {number} is not JSON: {exc}") from None


def _json_array(text: str, pointer: str | None, where: str) -> list[Json]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ItemReaderError(f"{where} is not JSON: {exc}") from None
    if pointer:
        document = _pointed(document, pointer, where)
    if not isinstance(document, list):
        raise ItemReaderError(NOT_ITERABLE)
    return document


def _pointed(document: Json, pointer: str, where: str) -> Json:
    """RFC 6901: ``/a/0/b``, with ``~1`` for "/" and ``~0`` for "~"."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and token in document:
            document = document[token]
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            raise ItemReaderError(f"ItemsPointer {pointer!r} selects nothing in {where}")
    return document


def _parquet(body: bytes, where: str) -> Iterator[Json]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(body))
    except (pa.ArrowException, OSError) as exc:
        raise ItemReaderError(f"{where} is not a Parquet file: {exc}") from None
    for batch in table.to_batches():
        for row in batch.to_pylist():
            yield {name: _json_value(value) for name, value in row.items()}


def _json_value(value: Any) -> Json:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


# ---- S3 Inventory manifests ---------------------------------------------------------------


def _manifest(
    objects: Objects, body: bytes, where: str, config: Mapping[str, Any]
) -> Iterator[Json]:
    if (config.get("ManifestType") or "S3_INVENTORY") != "S3_INVENTORY":
        raise ItemReaderError(f"ManifestType {config.get('ManifestType')} is not supported")
    try:
        manifest = json.loads(_decode(body, where))
        bucket = str(manifest["destinationBucket"]).removeprefix("arn:aws:s3:::")
        file_format = str(manifest.get("fileFormat", "CSV")).upper()
        schema = [part.strip() for part in str(manifest.get("fileSchema", "")).split(",")]
        files = [str(entry["key"]) for entry in manifest["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ItemReaderError(f"{where} is not an S3 Inventory manifest: {exc}") from None
    for key in files:
        data = objects.get(bucket, key).body
        inner = f"s3://{bucket}/{key}"
        if key.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise ItemReaderError(f"{inner} is not gzip data: {exc}") from None
        if file_format == "PARQUET":
            yield from _parquet(data, inner)
        elif file_format == "CSV":
            yield from csv_items(_decode(data, inner), ",", schema, inner)
        else:
            raise ItemReaderError(f"S3 Inventory files in {file_format} are not supported")


# ---- listObjectsV2 -------------------------------------------------------------------------


def _list_objects(
    objects: Objects, bucket: str, parameters: Mapping[str, Any], config: Mapping[str, Any]
) -> Iterator[Json]:
    prefix = parameters.get("Prefix") or ""
    delimiter = parameters.get("Delimiter") or ""
    flatten = config.get("Transformation") == "LOAD_AND_FLATTEN"
    token: str | None = None
    while True:
        page = objects.list(bucket, prefix=prefix, delimiter=delimiter, token=token)
        for info in page.contents:
            if flatten:
                yield from _object_items(objects, bucket, info.key, config)
            else:
                yield {
                    "Etag": info.etag,
                    "Key": info.key,
                    "LastModified": int(info.last_modified.timestamp()),
                    "Size": info.size,
                    "StorageClass": "STANDARD",
                }
        if not page.truncated or page.next_token is None:
            return
        token = page.next_token
