"""Query results as Athena gives them: a CSV file at ``<OutputLocation>/<QueryExecutionId>.csv``
(a quoted header, then every value quoted, NULL as an empty unquoted field), read back a page
at a time as GetQueryResults' ``ResultSet``.

A page token is the row number and byte offset where the next page starts, so a page costs
its own rows only, however deep into the file it is.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from stepline.athena.types import (
    DuckType,
    ResultType,
    quote_identifier,
    quote_literal,
    result_type,
    text_expression,
)

MAX_RESULTS: Final = 1000  # AWS: GetQueryResults' MaxResults is 1 to 1000


class TokenError(ValueError):
    """A NextToken that is not one of ours."""


@dataclass(frozen=True, slots=True)
class ResultColumn:
    name: str
    type: ResultType

    def to_api(self) -> dict[str, Any]:
        """Athena's ColumnInfo."""
        return {
            "CatalogName": "hive",
            "SchemaName": "",
            "TableName": "",
            "Name": self.name,
            "Label": self.name,
            "Type": self.type.name,
            "Precision": self.type.precision,
            "Scale": self.type.scale,
            "Nullable": "UNKNOWN",
            "CaseSensitive": self.type.case_sensitive,
        }


def columns_json(columns: Sequence[ResultColumn]) -> str:
    return json.dumps(
        [
            {
                "name": c.name,
                "type": c.type.name,
                "precision": c.type.precision,
                "scale": c.type.scale,
            }
            for c in columns
        ]
    )


def columns_from_json(text: str | None) -> tuple[ResultColumn, ...]:
    raw = json.loads(text) if text else []
    return tuple(
        ResultColumn(c["name"], ResultType(c["type"], int(c["precision"]), int(c["scale"])))
        for c in raw
    )


def varchar_columns(*names: str) -> tuple[ResultColumn, ...]:
    return tuple(ResultColumn(name, ResultType("varchar", 2147483647)) for name in names)


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One GetQueryResults answer."""

    columns: tuple[ResultColumn, ...]
    rows: tuple[tuple[str | None, ...], ...]
    next_token: str | None = None
    update_count: int = 0

    def to_api(self) -> dict[str, Any]:
        """GetQueryResults' output: UpdateCount, ResultSet (Rows, ResultSetMetadata), NextToken."""
        answer: dict[str, Any] = {
            "UpdateCount": self.update_count,
            "ResultSet": {
                "Rows": [
                    {"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                    for row in self.rows
                ],
                "ResultSetMetadata": {"ColumnInfo": [c.to_api() for c in self.columns]},
            },
        }
        if self.next_token is not None:
            answer["NextToken"] = self.next_token
        return answer


# ---- writing --------------------------------------------------------------------------------


def result_names(names: Sequence[str]) -> list[str]:
    """Result column names as Athena shows them: lower case."""
    return [name.lower() for name in names]


def copy_sql(query_sql: str, names: Sequence[str], types: Sequence[DuckType], path: str) -> str:
    """A DuckDB COPY writing the query's result as Athena's CSV at ``path``."""
    inner = [f"c{i}" for i in range(len(names))]
    select = ", ".join(
        f"{text_expression(quote_identifier(c), t)} AS {quote_identifier(n)}"
        for c, t, n in zip(inner, types, result_names(names), strict=True)
    )
    return (
        f"COPY (SELECT {select} FROM ({query_sql}) AS _q({', '.join(inner)}))"
        f" TO {quote_literal(path)}"
        " (FORMAT CSV, HEADER true, FORCE_QUOTE *, DELIMITER ',', QUOTE '\"', ESCAPE '\"',"
        " NULLSTR '')"
    )


def duck_columns(names: Sequence[str], types: Sequence[DuckType]) -> tuple[ResultColumn, ...]:
    return tuple(
        ResultColumn(name, result_type(t))
        for name, t in zip(result_names(names), types, strict=True)
    )


def _quoted(value: str | None) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def write_rows(path: Path, names: Sequence[str], rows: Sequence[Sequence[str | None]]) -> None:
    """Write a small result (DDL, SHOW...) as Athena's CSV, atomically."""
    lines = []
    if names:
        lines.append(",".join(_quoted(n) for n in names))
        lines.extend(",".join(_quoted(v) for v in row) for row in rows)
    text = "".join(line + "\n" for line in lines)
    with staged_file(path) as staging:
        staging.write_text(text, encoding="utf-8")


@contextmanager
def staged_file(target: Path) -> Iterator[Path]:
    """``with staged_file(target) as tmp``: write ``tmp``; it becomes ``target`` at the end
    (one rename: readers see the whole file or none); removed on error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.stepline-staging-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        yield staging
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


# ---- reading --------------------------------------------------------------------------------


def parse_record(line: str) -> list[str | None]:
    """One record of Athena's CSV: quoted values, NULL as an empty unquoted field."""
    if line.endswith("\n"):
        line = line[:-1]
    fields: list[str | None] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            parts, j = [], i + 1
            while True:
                k = line.find('"', j)
                if k < 0:
                    raise ValueError(f"unterminated quoted value in result record {line!r}")
                parts.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            fields.append("".join(parts))
        else:
            k = line.find(",", i)
            k = n if k < 0 else k
            fields.append(line[i:k] or None)
            i = k
        if i >= n:
            return fields
        i += 1  # the comma
        if i == n:
            fields.append(None)
            return fields


def _records(handle: IO[bytes], start: int) -> Iterator[tuple[list[str | None], int]]:
    """The records from byte ``start``, each with the offset just after it."""
    handle.seek(start)
    buffer, offset = b"", start
    for line in iter(handle.readline, b""):
        buffer += line
        if buffer.count(b'"') % 2:  # inside a quoted value that spans lines
            continue
        offset += len(buffer)
        yield parse_record(buffer.decode("utf-8")), offset
        buffer = b""


def encode_token(row: int, offset: int) -> str:
    return base64.urlsafe_b64encode(f"stepline:{row}:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, row, offset = text.split(":")
        if tag != "stepline":
            raise ValueError(tag)
        return int(row), int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TokenError(f"invalid NextToken {token!r}") from None


def read_page(
    path: Path, header: bool, max_results: int, token: str | None
) -> tuple[tuple[tuple[str | None, ...], ...], str | None]:
    """Rows of the result file from ``token`` (None: the start; the header row first when
    ``header``), at most ``max_results``; and the token of the next page (None: no more)."""
    row, offset = decode_token(token) if token else (0, 0)
    rows: list[tuple[str | None, ...]] = []
    with open(path, "rb") as handle:
        records = _records(handle, offset)
        if token is None and not header:
            first = next(records, None)  # the header line is not a row of DDL results
            offset = first[1] if first is not None else offset
        for record, end in records:
            if len(rows) == max_results:
                return tuple(rows), encode_token(row, offset)
            rows.append(tuple(record))
            row, offset = row + 1, end
    return tuple(rows), None
