"""A quality run, start to end: read the ruleset (DQDL) and/or the SQL checks, make the target
a DuckDB view, evaluate, judge with the profile, store the result per dataset and partition.

The answer (the task's output, ``stepline quality run --json``)::

    {"status": "PASS"|"FAIL", "quality_score": 0..1, "failed_checks": [...],
     "results": [{"rule", "status", "actual", "message"}], "run_id": UUID,
     "dataset", "partition", "profile", "target"}

Problems with the request (a bad ruleset, a missing table) are ``QualityError``s with the
task error names (``Quality.InvalidRuleset``...); what the data does is a result (FAIL/ERROR).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from stepline.athena.catalog import LakeCatalog
from stepline.athena.process import open_database
from stepline.athena.types import quote_identifier
from stepline.lake.paths import LakePathError, LakePaths
from stepline.quality.checks import Check, ChecksError, parse_checks
from stepline.quality.dqdl import Composite, DqdlError, Node, Rule, parse_ruleset
from stepline.quality.evaluate import PRIMARY, Dataset, evaluate_check, evaluate_rules
from stepline.quality.profiles import ProfileError, load_profiles, resolve_profile, verdict
from stepline.quality.target import Target, TargetError, reference_target, source_sql
from stepline.runtime.clock import Clock
from stepline.store.protocol import Store
from stepline.store.quality_records import QualityResultRecord


class QualityError(Exception):
    """A run that cannot be made: ``code`` is the task's error name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class QualityRequest:
    target: Target
    dataset: str | None = None  # default: the table or the path
    ruleset: str | None = None  # DQDL text ("Rules = [...]") or a file (local or s3://)
    checks: str | None = None  # a .sql file (local or s3://), or SQL text
    profile: Any = None  # a profile name, or {"min_score", "must_pass"}
    profiles_file: str | None = None
    references: Mapping[str, str] = field(default_factory=dict)  # alias -> table or path


def _read(spec: str, lake: LakePaths, what: str, code: str) -> tuple[str, Path]:
    try:
        path = Path(lake.resolve(spec, where=what))
        return path.read_text(encoding="utf-8"), path
    except LakePathError as error:
        raise QualityError(code, str(error)) from None
    except OSError as error:
        raise QualityError(code, f"cannot read the {what} {spec}: {error.strerror}") from None


def load_rules(spec: str, lake: LakePaths) -> tuple[Node, ...]:
    """A ruleset given inline (``Rules = [...]``) or as a file."""
    inline = spec.lstrip().startswith("Rules")
    text, path = (spec, None) if inline else _read(spec, lake, "ruleset", "Quality.InvalidRuleset")
    try:
        return parse_ruleset(text).rules
    except DqdlError as error:
        where = f"{path}: " if path else "ruleset: "
        raise QualityError("Quality.InvalidRuleset", where + str(error)) from None


def load_checks(spec: str, lake: LakePaths) -> tuple[Check, ...]:
    """SQL checks from a ``.sql`` file, or given inline (text with white space)."""
    inline = any(ch.isspace() for ch in spec.strip()) and not spec.strip().endswith(".sql")
    if inline:
        text, stem, where = spec, "check", "checks"
    else:
        text, path = _read(spec, lake, "checks file", "Quality.InvalidChecks")
        stem, where = path.stem, str(path)
    try:
        return parse_checks(text, stem)
    except ChecksError as error:
        raise QualityError("Quality.InvalidChecks", f"{where}: {error}") from None


def _aliases(nodes: tuple[Node, ...]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, Composite):
            yield from _aliases(node.parts)
        elif isinstance(node, Rule) and node.type == "ReferentialIntegrity":
            yield node.args[1].partition(".")[0]


class QualityRunner:
    """Runs quality checks over the lake and keeps their results in the store."""

    def __init__(self, store: Store, lake: LakePaths, clock: Clock) -> None:
        self.store = store
        self.lake = lake
        self.clock = clock
        self.catalog = LakeCatalog(store, clock)

    def run(self, request: QualityRequest) -> dict[str, Any]:
        if not request.ruleset and not request.checks:
            raise QualityError("Quality.InvalidRuleset", "give a ruleset (DQDL) or SQL checks")
        rules = load_rules(request.ruleset, self.lake) if request.ruleset else ()
        checks = load_checks(request.checks, self.lake) if request.checks else ()
        try:
            named = load_profiles(request.profiles_file) if request.profiles_file else None
            profile = resolve_profile(request.profile, named)
        except ProfileError as error:
            raise QualityError("Quality.InvalidProfile", str(error)) from None
        now = self.clock.now()
        db = open_database()
        try:
            cursor = db.cursor()
            self._view(cursor, PRIMARY, request.target)
            references = self._references(cursor, rules, request.references)
            data = Dataset(cursor, now, PRIMARY, references)
            results = evaluate_rules(data, rules) + [evaluate_check(data, c) for c in checks]
        finally:
            db.close()
        try:
            judged = verdict(results, profile)
        except ProfileError as error:
            raise QualityError("Quality.InvalidProfile", str(error)) from None
        target = request.target
        record = QualityResultRecord(
            run_id=str(uuid.uuid4()),
            dataset=request.dataset or target.table or target.path or "",
            partition=target.partition or "",
            status=judged.status,
            score=judged.score,
            target=target.describe(),
            profile=profile.name,
            results=json.dumps([r.to_json() for r in results]),
            created_at=now,
        )
        self.store.put_quality_result(record)
        return answer(record) | {"reasons": list(judged.reasons)}

    def _view(self, cursor: Any, name: str, target: Target) -> None:
        def probe(reader: str) -> list[str]:
            return list(cursor.sql(f"SELECT * FROM {reader}").columns)

        try:
            sql = source_sql(target, self.catalog, self.lake, probe)
            cursor.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
        except TargetError as error:
            raise QualityError(error.code, error.message) from None
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0]
            raise QualityError(
                "Quality.InvalidTarget", f"cannot read {target.describe()}: {first}"
            ) from None

    def _references(
        self, cursor: Any, rules: tuple[Node, ...], given: Mapping[str, str]
    ) -> dict[str, str]:
        """Views of the reference datasets the rules name (their alias: a table name, unless
        ``given`` maps it to a table or a path). One that cannot be read is left out: its
        rules are ERRORs."""
        found: dict[str, str] = {}
        for alias in dict.fromkeys(_aliases(rules)):
            name = quote_identifier(f"reference_{alias}")
            try:
                self._view(cursor, name, reference_target(given.get(alias, alias)))
            except QualityError:
                continue
            found[alias] = name
        return found

    def results(
        self, dataset: str, partition: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        return [answer(r) for r in self.store.list_quality_results(dataset, partition, limit)]


def answer(record: QualityResultRecord) -> dict[str, Any]:
    """A stored run as the task's output."""
    results = json.loads(record.results)
    return {
        "status": record.status,
        "quality_score": record.score,
        "failed_checks": [r["rule"] for r in results if r["status"] != "PASS"],
        "results": results,
        "run_id": record.run_id,
        "dataset": record.dataset,
        "partition": record.partition or None,
        "profile": record.profile,
        "target": record.target,
        "created_at": record.created_at.isoformat(),
    }
