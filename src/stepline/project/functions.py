"""Import a project's ``[functions]`` (``name = "module:function"``) with the project root
first on ``sys.path``: the Lambda functions its state machines call by name."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from stepline.project.errors import at
from stepline.project.specs import Project


def load_functions(project: Project) -> dict[str, Callable[[Any, Any], Any]]:
    """Function name -> handler(event, context); ConfigError names the one that fails."""
    root = str(project.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    importlib.invalidate_caches()
    loaded: dict[str, Callable[[Any, Any], Any]] = {}
    for spec in project.functions:
        module_name, _, attr = spec.target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise at(
                project.file,
                "functions",
                spec.name,
                f"cannot import {module_name} (from {root}): {type(exc).__name__}: {exc}",
            ) from None
        handler = getattr(module, attr, None)
        if not callable(handler):
            raise at(
                project.file,
                "functions",
                spec.name,
                f"{module_name} has no function {attr}"
                if handler is None
                else f"{spec.target} is not callable",
            )
        loaded[spec.name] = handler
    return loaded
