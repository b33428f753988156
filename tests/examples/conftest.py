"""The ``orders`` fixture: examples/orders copied into a temporary folder and deployed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from orders_support import EXAMPLE, Orders


@pytest.fixture
def orders(tmp_path: Path) -> Orders:
    shutil.copytree(EXAMPLE, tmp_path / "project", ignore=shutil.ignore_patterns("__pycache__"))
    made = Orders(tmp_path)
    deployed = made.cli("deploy", "--project", str(made.project))
    assert deployed.returncode == 0, deployed.stderr
    return made
