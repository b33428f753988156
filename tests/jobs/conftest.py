"""Fixtures for job-runtime tests: a lake directory and a helper that runs a job script."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from stepline.jobs.runner import ScriptResult, run_script
from stepline.jobs.spec import ScriptSpec, glue_argv

RunJob = Callable[..., ScriptResult]


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    root.mkdir()
    return root


@pytest.fixture
def job_spec(tmp_path: Path, lake: Path) -> Callable[..., ScriptSpec]:
    """Write ``source`` as a job script and return the spec to run it."""
    counter = iter(range(1, 1000))

    def make(
        source: str,
        arguments: Mapping[str, str] | None = None,
        *,
        engine: str = "duckdb",
        job_name: str = "orders_job",
        bookmark_option: str = "job-bookmark-disable",
        **fields: Any,
    ) -> ScriptSpec:
        number = next(counter)
        script = tmp_path / "scripts" / f"job_{number}.py"
        script.parent.mkdir(exist_ok=True)
        script.write_text(textwrap.dedent(source))
        argv = glue_argv(
            script.name, job_name, f"jr_{number}", arguments, bookmark_option=bookmark_option
        )
        values: dict[str, Any] = {"data_root": str(lake), **fields}
        return ScriptSpec(script=str(script), argv=argv, engine=engine, **values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def run_job(tmp_path: Path, job_spec: Callable[..., ScriptSpec]) -> RunJob:
    """Run a job script (source text) to its end; returns the ScriptResult."""
    counter = iter(range(1, 1000))

    def run(source: str, arguments: Mapping[str, str] | None = None, **kwargs: Any) -> ScriptResult:
        timeout = kwargs.pop("timeout", 300)
        spec = job_spec(source, arguments, **kwargs)
        return run_script(spec, tmp_path / "runs" / f"run_{next(counter)}", timeout=timeout)

    return run
