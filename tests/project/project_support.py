"""Helpers of the project tests: write a project folder."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

PASS_MACHINE: dict[str, Any] = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Result": {"bucket": "${bucket}"}, "End": True}},
}


def write_project(root: Path, toml: str, files: dict[str, Any] | None = None) -> Path:
    """``stepline.toml`` (dedented) and other files (dicts are written as JSON)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "stepline.toml").write_text(textwrap.dedent(toml))
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text)
    return root
