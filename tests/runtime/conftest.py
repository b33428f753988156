"""The ``cli`` fixture: run ``stepline`` as a real subprocess on a SQLite store in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from runner import Run


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    env = dict(os.environ, STEPLINE_DB=f"sqlite:///{tmp_path}/store.db")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stepline.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    return run
