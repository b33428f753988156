"""Where the lake is when nobody says: the one default every command and worker shares."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

DATA_ROOT_ENV: Final = "STEPLINE_DATA_ROOT"
DEFAULT_DATA_ROOT: Final = ".stepline/lake"


def default_data_root(environ: Mapping[str, str] | None = None) -> Path:
    """``$STEPLINE_DATA_ROOT`` when set (and not empty), else ``.stepline/lake`` (relative to
    the working directory)."""
    env = os.environ if environ is None else environ
    return Path(env.get(DATA_ROOT_ENV) or DEFAULT_DATA_ROOT)
