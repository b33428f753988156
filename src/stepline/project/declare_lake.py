"""``[tables.<name>]``, ``[quality.<name>]``, ``[quality_profiles.<name>]`` and
``[pipelines.<name>]``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from stepline.lake.paths import LakePathError, is_s3_url, parse_s3_url
from stepline.project.reader import Section
from stepline.project.specs import (
    MachineSpec,
    PipelineSpec,
    QualityProfileSpec,
    QualitySpec,
    QueueSpec,
    TableSpec,
)

FORMATS: Final = ("parquet", "csv", "json")
TABLE_KEYS: Final = (
    "database",
    "name",
    "location",
    "format",
    "columns",
    "partition_keys",
    "header",
    "delimiter",
    "description",
)
QUALITY_KEYS: Final = ("ruleset", "checks", "table", "profile")
PIPELINE_KEYS: Final = (
    "dataset",
    "state_machine",
    "partition",
    "replay_queue",
    "quality",
    "input",
)


def tables(section: Section, root: Path) -> tuple[TableSpec, ...]:
    found: list[TableSpec] = []
    for key, table in section.children():
        table.check_keys(TABLE_KEYS)
        location = table.string("location")
        if is_s3_url(location):
            try:
                parse_s3_url(location)
            except LakePathError as exc:
                raise table.error("location", str(exc)) from None
        else:
            location = str((root / location.removeprefix("file://")).resolve())
        fmt = table.string("format", "parquet", FORMATS)
        columns = _columns(table, "columns")
        if not columns:
            raise table.error("columns", "is required: a table of column name = type")
        keys = _columns(table, "partition_keys")
        names = [c for c, _ in (*columns, *keys)]
        for name in names:
            if names.count(name) > 1:
                raise table.error("partition_keys", f"column {name!r} is declared twice")
        if fmt != "csv" and (table.has("header") or table.has("delimiter")):
            raise table.error(
                "header" if table.has("header") else "delimiter",
                "only a csv table has a header or a delimiter",
            )
        delimiter = table.string("delimiter", ",")
        if len(delimiter) != 1:
            raise table.error("delimiter", f"must be one character, got {delimiter!r}")
        found.append(
            TableSpec(
                database=table.string("database", "default").lower(),
                name=table.string("name", key).lower(),
                location=location,
                format=fmt,
                columns=columns,
                partition_keys=keys,
                header=table.boolean("header", False),
                delimiter=delimiter,
                description=table.optional_string("description"),
            )
        )
    return tuple(found)


def _columns(table: Section, key: str) -> tuple[tuple[str, str], ...]:
    columns = table.string_map(key)
    for name, type_ in columns.items():
        if not type_.strip():
            raise table.table_of(key).error(name, "must be a type (bigint, string, ...)")
    return tuple((name.lower(), type_.strip().lower()) for name, type_ in columns.items())


def profiles(section: Section) -> tuple[QualityProfileSpec, ...]:
    found: list[QualityProfileSpec] = []
    for name, profile in section.children():
        profile.check_keys(("min_score", "description"))
        score = profile.number("min_score", 0.0, 1.0)
        found.append(
            QualityProfileSpec(
                name, 1.0 if score is None else score, profile.optional_string("description")
            )
        )
    return tuple(found)


def quality(
    section: Section, root: Path, known: Sequence[QualityProfileSpec]
) -> tuple[QualitySpec, ...]:
    found: list[QualitySpec] = []
    for name, rules in section.children():
        rules.check_keys(QUALITY_KEYS)
        if rules.has("ruleset") == rules.has("checks"):
            raise rules.error(None, "give either ruleset (a .dqdl file) or checks (a .sql file)")
        kind = "ruleset" if rules.has("ruleset") else "checks"
        source, path = rules.path(kind, root, (".dqdl",) if kind == "ruleset" else (".sql",))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise rules.error(kind, f"cannot read {source}: {exc}") from None
        profile = rules.optional_string("profile")
        names = [p.name for p in known]
        if profile is not None and profile not in names:
            raise rules.error(
                "profile",
                f"{profile!r} is not a [quality_profiles.<name>] (profiles:"
                f" {', '.join(names) or 'none'})",
            )
        found.append(QualitySpec(name, kind, source, text, rules.optional_string("table"), profile))
    return tuple(found)


def pipelines(
    section: Section,
    machines: Sequence[MachineSpec],
    queues: Sequence[QueueSpec],
    quality: Sequence[QualitySpec],
) -> tuple[PipelineSpec, ...]:
    found: list[PipelineSpec] = []
    for name, pipeline in section.children():
        pipeline.check_keys(PIPELINE_KEYS)
        machine = _one_of(pipeline, "state_machine", [m.name for m in machines], "state machines")
        assert machine is not None
        partition = pipeline.string("partition")
        if not partition.startswith("$"):
            raise pipeline.error(
                "partition",
                f"must be a JSONPath into the execution input, like $.process_date,"
                f" got {partition!r}",
            )
        found.append(
            PipelineSpec(
                name=name,
                dataset=pipeline.string("dataset"),
                state_machine=machine,
                partition=partition,
                replay_queue=_one_of(pipeline, "replay_queue", [q.name for q in queues], "queues"),
                quality=_one_of(pipeline, "quality", [q.name for q in quality], "quality rules"),
                alias=next(m.alias for m in machines if m.name == machine),
                input=_input_template(pipeline),
            )
        )
    return tuple(found)


def _input_template(section: Section) -> str | None:
    """``input``: the execution input of a backfilled partition, a table whose strings may
    hold ``${partition}`` (written ``$${partition}`` in the file, as any literal ``${``)."""
    if not section.has("input"):
        return None
    return json.dumps(dict(section.table_of("input").data), sort_keys=True)


def _one_of(section: Section, key: str, names: Sequence[str], what: str) -> str | None:
    value = section.string(key) if key == "state_machine" else section.optional_string(key)
    if value is not None and value not in names:
        raise section.error(
            key, f"{value!r} is not one of this project's {what} ({', '.join(names) or 'none'})"
        )
    return value
