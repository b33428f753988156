"""ValidateStateMachineDefinition: every problem of a definition, in AWS's diagnostics shape
``{result: OK|FAIL, diagnostics: [{severity, code, message, location}], truncated}``."""

from __future__ import annotations

from typing import Final

from stepline.api.checks import integer, shape, string
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.sfn_machines import DEFINITION, TYPE
from stepline.api.wire import present
from stepline.asl.errors import DefinitionError
from stepline.asl.express_rules import express_diagnostics
from stepline.asl.parse import load
from stepline.asl.validate import validate

_MAX_DIAGNOSTICS: Final = 100  # AWS: the default and the most per call


def operations() -> Operations:
    return {"ValidateStateMachineDefinition": validate_state_machine_definition}


@operation(
    shape(
        DEFINITION,
        TYPE,
        string("severity", enum=("ERROR", "WARNING")),
        integer("maxResults", min=0, max=_MAX_DIAGNOSTICS),
    )
)
def validate_state_machine_definition(ctx: Context, body: Body) -> Reply:
    diagnostics = validate(body["definition"])
    if body.get("type") == "EXPRESS" and not any(d.severity == "ERROR" for d in diagnostics):
        try:
            diagnostics = express_diagnostics(load(body["definition"])) + diagnostics
        except DefinitionError as exc:  # valid on AWS, not runnable by stepline
            diagnostics = list(exc.diagnostics) + diagnostics
    failed = any(d.severity == "ERROR" for d in diagnostics)
    # AWS: severity is the lowest level returned: ERROR (the default) returns errors only.
    if body.get("severity", "ERROR") == "ERROR":
        diagnostics = [d for d in diagnostics if d.severity == "ERROR"]
    limit = body.get("maxResults") or _MAX_DIAGNOSTICS
    shown = [
        present(
            severity=d.severity,
            code=d.code,
            message=d.message,
            location=d.location or None,  # AWS gives no location for a few codes
        )
        for d in diagnostics[:limit]
    ]
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": shown,
        "truncated": len(diagnostics) > limit,
    }
