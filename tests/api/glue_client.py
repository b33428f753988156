"""Helpers of the Glue API tests: boto3's glue client for a real ``stepline serve`` (every
response checked against botocore's Glue model as it arrives), job scripts, waits."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel
from sfn_client import RawAnswer, boto3_client, raw_post
from sfn_model import PROTOCOL_ERRORS, problems

GLUE_MODEL = botocore.session.get_session().get_service_model("glue")
ROLE = "arn:aws:iam::123456789012:role/glue-tests"
ENDED = ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR")


def check_glue_answer(operation: OperationModel, status: int, body: Any) -> None:
    """Raise AssertionError when ``body`` does not fit the Glue operation's model."""
    check_json11_answer(GLUE_MODEL, operation, status, body)


def check_json11_answer(
    service: ServiceModel, operation: OperationModel, status: int, body: Any
) -> None:
    """Raise AssertionError when ``body`` does not fit the operation's model (Glue's,
    Athena's: JSON 1.1 services whose errors say "Message")."""
    if status >= 300:
        assert isinstance(body, dict) and isinstance(body.get("__type"), str), body
        assert isinstance(body.get("Message"), str), body  # Glue's errors say "Message"
        modeled = {error.name for error in operation.error_shapes}
        code = body["__type"]
        assert code in modeled | PROTOCOL_ERRORS, f"{operation.name} answered {code}: {body}"
        if code in modeled:
            extra = {k: v for k, v in body.items() if k != "__type"}
            found = problems(service.shape_for(code), extra)
            assert not found, f"{operation.name} error {code}: {found}"
        return
    assert operation.output_shape is not None
    found = problems(operation.output_shape, body)
    assert not found, f"{operation.name} response does not fit the model: {found}\n{body}"


def _check(http_response: Any, model: OperationModel, **_: Any) -> None:
    raw = http_response.content
    content_type = http_response.headers.get("Content-Type")
    assert content_type == "application/x-amz-json-1.1", content_type
    check_glue_answer(model, http_response.status_code, json.loads(raw) if raw else {})


def glue_client(url: str, **options: Any) -> Any:
    return boto3_client("glue", url, _check, **options)


def write_script(directory: Path, name: str, source: str) -> str:
    """Write a job script; returns its path (absolute: the server's cwd is elsewhere)."""
    path = directory / "scripts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return str(path)


def wait_for_run(
    glue: Any, job_name: str, run_id: str, states: tuple[str, ...] = ENDED, timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
        if run["JobRunState"] in states:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"{run_id} still {run['JobRunState']} after {timeout} s")
        time.sleep(0.05)


def signed_glue_post(url: str, target: str, body: bytes) -> RawAnswer:
    """POST / with exactly ``body``, signed for the "glue" service as boto3's client signs."""
    return raw_post(url, body, target, service="glue", content_type="application/x-amz-json-1.1")
