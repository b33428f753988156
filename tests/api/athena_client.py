"""Helpers of the Athena API tests: boto3's athena client for a real ``stepline serve``
(every response checked against botocore's Athena model as it arrives), waits."""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.session
from botocore.model import OperationModel
from glue_client import check_json11_answer
from sfn_client import boto3_client

ATHENA_MODEL = botocore.session.get_session().get_service_model("athena")
ENDED = ("SUCCEEDED", "FAILED", "CANCELLED")


def _check(http_response: Any, model: OperationModel, **_: Any) -> None:
    raw = http_response.content
    content_type = http_response.headers.get("Content-Type")
    assert content_type == "application/x-amz-json-1.1", content_type
    body = json.loads(raw) if raw else {}
    check_json11_answer(ATHENA_MODEL, model, http_response.status_code, body)


def athena_client(url: str, **options: Any) -> Any:
    return boto3_client("athena", url, _check, **options)


def wait_for_query(athena: Any, query_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = athena.get_query_execution(QueryExecutionId=query_id)
        execution: dict[str, Any] = found["QueryExecution"]
        if execution["Status"]["State"] in ENDED:
            return execution
        if time.monotonic() > deadline:
            raise AssertionError(f"{query_id} still {execution['Status']['State']}")
        time.sleep(0.05)
