"""Quality profiles: when a run's results make it PASS. Pure.

A profile has ``min_score`` (the share of rules and checks that must pass, 0..1) and
``must_pass`` (rules, by their DQDL text, or checks, by name, that must pass whatever the
score). Built in: ``default`` (every rule must pass, as a Glue ruleset's outcome) and
``lenient`` (min_score 0.8). More are named in a profiles file (TOML or JSON:
``[profiles.NAME] min_score = 0.95  must_pass = ['IsUnique "order_id"']``), or given inline
as a JSON object.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from stepline.quality.dqdl import normalize
from stepline.quality.evaluate import RuleResult


class ProfileError(ValueError):
    """A profile that does not exist or is malformed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    min_score: float = 1.0
    must_pass: tuple[str, ...] = ()


BUILT_IN: Final = {
    "default": Profile("default", 1.0),
    "lenient": Profile("lenient", 0.8),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # PASS | FAIL
    score: float
    failed: tuple[str, ...]  # rules and checks that did not pass
    reasons: tuple[str, ...]  # why the verdict is FAIL


def profile_from(name: str, spec: Any) -> Profile:
    if not isinstance(spec, Mapping):
        raise ProfileError(f"profile {name!r} must be an object with min_score / must_pass")
    unknown = sorted(set(spec) - {"min_score", "must_pass"})
    if unknown:
        raise ProfileError(f"profile {name!r}: unknown field(s) {unknown}")
    score = spec.get("min_score", 1.0)
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise ProfileError(f"profile {name!r}: min_score must be a number from 0 to 1")
    must = spec.get("must_pass", [])
    if not isinstance(must, list) or not all(isinstance(m, str) for m in must):
        raise ProfileError(f"profile {name!r}: must_pass must be a list of strings")
    return Profile(name, float(score), tuple(normalize(m) for m in must))


def load_profiles(path: str | Path) -> dict[str, Profile]:
    """The profiles of a ``.toml`` or ``.json`` file (``profiles`` table, or top level)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except OSError as error:
        raise ProfileError(f"cannot read the profiles file {file}: {error.strerror}") from None
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"the profiles file {file} is not valid: {error}") from None
    table = data.get("profiles", data) if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ProfileError(f"the profiles file {file} must hold a table of profiles")
    return {name: profile_from(name, spec) for name, spec in table.items()}


def resolve_profile(spec: Any, named: Mapping[str, Profile] | None = None) -> Profile:
    """A profile by name (``named`` first, then the built-in ones), or an inline object."""
    if spec is None:
        return (named or {}).get("default", BUILT_IN["default"])
    if isinstance(spec, Mapping):
        return profile_from("inline", spec)
    if isinstance(spec, str) and spec.lstrip().startswith("{"):
        try:
            return profile_from("inline", json.loads(spec))
        except ValueError as error:
            raise ProfileError(f"the inline profile is not JSON: {error}") from None
    if isinstance(spec, str):
        found = (named or {}).get(spec) or BUILT_IN.get(spec)
        if found is None:
            known = sorted({*BUILT_IN, *(named or {})})
            raise ProfileError(f"no quality profile named {spec!r} (known: {known})")
        return found
    raise ProfileError("a profile is a name or an object {min_score, must_pass}")


def verdict(results: Sequence[RuleResult], profile: Profile) -> Verdict:
    """PASS when the score (passed / all) reaches min_score and every must_pass passed."""
    by_name = {normalize(r.rule): r for r in results}
    missing = [m for m in profile.must_pass if m not in by_name]
    if missing:
        raise ProfileError(
            f"profile {profile.name!r}: must_pass names no rule or check of this run: {missing}"
        )
    passed = sum(1 for r in results if r.status == "PASS")
    score = passed / len(results) if results else 0.0
    failed = tuple(r.rule for r in results if r.status != "PASS")
    reasons = []
    if score < profile.min_score:
        reasons.append(f"score {score:.4f} is below min_score {profile.min_score}")
    failed_names = {normalize(f) for f in failed}
    reasons += [f"must_pass {m} did not pass" for m in profile.must_pass if m in failed_names]
    return Verdict("FAIL" if reasons else "PASS", round(score, 6), failed, tuple(reasons))
