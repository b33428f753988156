"""Responses checked against the botocore service model (the source of truth for shapes):
every member named in the model, required members present, JSON types as the model says.
Errors: a ``__type`` and a ``message``, and a code the operation's model lists (or one of
the protocol's own)."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape

MODEL = botocore.session.get_session().get_service_model("stepfunctions")
# AWS's common errors (any operation may answer them); InternalFailure is not among them:
# a 500 fails the test that meets it.
PROTOCOL_ERRORS = frozenset(
    {
        "ValidationException",
        "UnknownOperationException",
        "SerializationException",
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
    }
)


def problems(shape: Shape, value: Any, path: str = "") -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path or '<body>'}: expected an object, got {value!r}"]
        found = [f"{path}.{name}: unknown member" for name in value if name not in shape.members]
        found += [
            f"{path}.{name}: required member missing"
            for name in shape.required_members
            if name not in value
        ]
        for name, member in shape.members.items():
            if name in value:
                found += problems(member, value[name], f"{path}.{name}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [
            p for i, item in enumerate(value) for p in problems(shape.member, item, f"{path}[{i}]")
        ]  # type: ignore[attr-defined]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        return [p for k, v in value.items() for p in problems(shape.value, v, f"{path}[{k}]")]  # type: ignore[attr-defined]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.enum}"]
        return []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r}"]
    if kind == "timestamp":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected epoch seconds, got {value!r}"]
    return []


def check_answer(operation: OperationModel, status: int, body: Any) -> None:
    """Raise AssertionError when ``body`` does not fit the operation's model."""
    if status >= 300:
        assert isinstance(body, dict) and isinstance(body.get("__type"), str), body
        assert isinstance(body.get("message"), str), body
        modeled = {error.name for error in operation.error_shapes}
        code = body["__type"]
        assert code in modeled | PROTOCOL_ERRORS, f"{operation.name} answered {code}: {body}"
        if code in modeled:
            error_shape = MODEL.shape_for(code)
            extra = {k: v for k, v in body.items() if k != "__type"}
            found = problems(error_shape, extra)
            assert not found, f"{operation.name} error {code}: {found}"
        return
    if operation.output_shape is None:
        assert body == {}, body
        return
    found = problems(operation.output_shape, body)
    assert not found, f"{operation.name} response does not fit the model: {found}\n{body}"


def check_response(http_response: Any, model: OperationModel, **_: Any) -> None:
    """botocore ``after-call`` hook: check each response against the model."""
    raw = http_response.content
    check_answer(model, http_response.status_code, json.loads(raw) if raw else {})
