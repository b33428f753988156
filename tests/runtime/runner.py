"""The type of the ``cli`` fixture (tests/runtime/conftest.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import TypeAlias

Run: TypeAlias = Callable[..., subprocess.CompletedProcess[str]]
