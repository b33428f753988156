"""HTTP APIs: the AWS Step Functions JSON 1.0 protocol served by ``stepline serve``.

(The in-process API, ``stepline.run``/``stepline.validate``, lives in
``stepline.inprocess``; its old names here still resolve.)
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("ExecutionResult", "run", "validate"):
        from stepline import inprocess

        return getattr(inprocess, name)
    raise AttributeError(f"module 'stepline.api' has no attribute {name!r}")
