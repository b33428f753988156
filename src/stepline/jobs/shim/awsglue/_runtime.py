"""What the shim learns from the launcher: the job spec (bookmark file, lake data root)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stepline.jobs.spec import ScriptSpec
from stepline.lake.paths import LakePaths

SPEC_ENVIRONMENT_VARIABLE = "STEPLINE_JOB_SPEC"


def job_spec() -> ScriptSpec | None:
    """The spec of the job run this process executes (None outside a launched job)."""
    location = os.environ.get(SPEC_ENVIRONMENT_VARIABLE)
    if not location:
        return None
    return ScriptSpec.from_json(Path(location).read_text(encoding="utf-8"))


def lake_paths() -> LakePaths | None:
    spec = job_spec()
    return LakePaths(Path(spec.data_root)) if spec and spec.data_root else None


def argv_value(name: str) -> str | None:
    """The value of ``--name`` in this process's argv (either spelling), if any."""
    argv = sys.argv
    for index, item in enumerate(argv):
        if item == name and index + 1 < len(argv):
            return argv[index + 1]
        if item.startswith(name + "="):
            return item.split("=", 1)[1]
    return None
