"""Fixtures for the SQL-over-the-lake tests: a lake folder, an engine over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stepline.athena import AthenaSettings, QueryEngine
from stepline.lake import LakePaths
from stepline.store.memory import MemoryStore


@pytest.fixture
def lake(tmp_path: Path) -> LakePaths:
    root = tmp_path / "lake"
    root.mkdir()
    return LakePaths(root)


@pytest.fixture
def engine(lake: LakePaths) -> Iterator[QueryEngine]:
    opened = QueryEngine(MemoryStore(), lake, settings=AthenaSettings(threads=4))
    try:
        yield opened
    finally:
        opened.close()
