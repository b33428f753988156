"""What the launcher needs to run one Glue-style job script: a JSON-serialisable record."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Engine = Literal["duckdb", "spark", "python"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark", "python")
# Glue's Command.Name -> the engine that runs it here ("glueetl" may also run on "spark").
COMMAND_ENGINES: Mapping[str, Engine] = {"glueetl": "duckdb", "pythonshell": "python"}
BOOKMARK_OPTIONS = ("job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable")


class SpecError(ValueError):
    """A job spec that cannot be used; the message names the field."""


@dataclass(frozen=True)
class ScriptSpec:
    """One run of a job script.

    ``argv`` is what the script sees as ``sys.argv``: the script name, then Glue's arguments
    (``--JOB_NAME n --JOB_RUN_ID id --job-bookmark-option job-bookmark-disable --key value``);
    build it with :func:`glue_argv`. ``engine`` is "duckdb" (Glue ETL on DuckDB through
    sqlframe, the default), "spark" (real PySpark; ``spark_master`` is ``local[*]``,
    ``spark://host:port`` or ``sc://host:port`` for Spark Connect) or "python" (Python shell).
    s3:// URLs map to ``data_root``/BUCKET/KEY; ``bookmark_path`` is the job's bookmark file.
    """

    script: str
    argv: tuple[str, ...]
    engine: Engine = "duckdb"
    data_root: str | None = None
    bookmark_path: str | None = None
    rewrite_s3_arguments: bool = True
    python_path: tuple[str, ...] = ()
    spark_master: str = "local[*]"
    spark_conf: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _require(isinstance(self.script, str) and bool(self.script), "script", "a file path")
        _require(
            isinstance(self.argv, tuple) and all(isinstance(a, str) for a in self.argv),
            "argv",
            "a list of strings",
        )
        _require(bool(self.argv), "argv", "at least the script name (argv[0])")
        # Glue's Command.Name ("glueetl", "pythonshell") is accepted and normalised.
        object.__setattr__(self, "engine", engine_for(str(self.engine)))
        for name in ("data_root", "bookmark_path"):
            value = getattr(self, name)
            _require(value is None or (isinstance(value, str) and bool(value)), name, "a path")
        _require(isinstance(self.spark_master, str), "spark_master", "a string")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ScriptSpec:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise SpecError(f"job spec is not valid JSON: {error}") from None
        if not isinstance(raw, dict):
            raise SpecError("job spec must be a JSON object")
        return cls.from_mapping(raw)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> ScriptSpec:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SpecError(f"job spec has unknown field(s): {', '.join(unknown)}")
        for name in ("script", "argv"):
            if name not in raw:
                raise SpecError(f"job spec field {name!r} is required")
        values = dict(raw)
        for name in ("argv", "python_path"):
            if name in values:
                values[name] = _tuple_of_strings(values[name], name)
        if "spark_conf" in values:
            values["spark_conf"] = _conf_pairs(values["spark_conf"])
        return cls(**values)


def engine_for(name: str) -> Engine:
    """An engine name, accepting Glue's Command.Name ("glueetl", "pythonshell") as aliases."""
    for engine in ENGINES:
        if name == engine:
            return engine
    if name in COMMAND_ENGINES:
        return COMMAND_ENGINES[name]
    choices = ", ".join((*ENGINES, *COMMAND_ENGINES))
    raise SpecError(f"job spec field 'engine': expected one of {choices}, got {name!r}")


def glue_argv(
    script_name: str,
    job_name: str,
    run_id: str,
    arguments: Mapping[str, str] | None = None,
    *,
    bookmark_option: str = "job-bookmark-disable",
) -> tuple[str, ...]:
    """The argv Glue passes to a job script.

    ``arguments`` are the run's arguments keyed like Glue's API (``{"--input_path": "s3://..."}``);
    a key without the leading "--" gets it added.
    """
    if bookmark_option not in BOOKMARK_OPTIONS:
        raise SpecError(
            f"--job-bookmark-option must be one of {', '.join(BOOKMARK_OPTIONS)}, "
            f"got {bookmark_option!r}"
        )
    argv = [script_name, "--JOB_NAME", job_name, "--JOB_RUN_ID", run_id]
    argv += ["--job-bookmark-option", bookmark_option]
    for key, value in (arguments or {}).items():
        if key in {"--JOB_NAME", "--JOB_RUN_ID", "--job-bookmark-option"}:
            continue
        argv += [key if key.startswith("--") else f"--{key}", value]
    return tuple(argv)


def _require(ok: bool, name: str, expected: str) -> None:
    if not ok:
        raise SpecError(f"job spec field {name!r}: expected {expected}")


def _tuple_of_strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise SpecError(f"job spec field {name!r}: expected a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise SpecError(f"job spec field {name!r}: expected a list of strings")
    return tuple(value)


def _conf_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        value = list(value.items())
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise SpecError("job spec field 'spark_conf': expected an object of strings")
    pairs: list[tuple[str, str]] = []
    for item in value:
        pair = isinstance(item, Sequence) and len(item) == 2
        if not (pair and all(isinstance(x, str) for x in item)):
            raise SpecError("job spec field 'spark_conf': expected [key, value] string pairs")
        pairs.append((item[0], item[1]))
    return tuple(pairs)
