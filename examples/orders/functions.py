"""The orders project's Lambda-style functions: plain Python, as they run on AWS Lambda.

The input checks read the day's raw file through the lake (``s3://`` is the data root);
the job functions drive Glue with boto3's ``glue`` client exactly as on AWS: stepline serve
answers it when ``AWS_ENDPOINT_URL`` points at it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

EXPECTED_HEADER = "order_id,customer_id,order_ts,amount,status,currency"


def _local(url: str) -> Path:
    """``s3://BUCKET/KEY`` under the data root (``$STEPLINE_DATA_ROOT``, else .stepline/lake)."""
    root = Path(os.environ.get("STEPLINE_DATA_ROOT") or ".stepline/lake")
    return root / url.split("://", 1)[1]


def _day_file(event: dict[str, Any]) -> Path:
    folder = _local(event["input_path"])
    return folder / "orders.csv" if folder.is_dir() or not folder.suffix else folder


def check_input_available(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The reliable pipeline's first step: the day's file is there and not empty."""
    path = _day_file(event)
    if not path.is_file():
        raise FileNotFoundError(f"no input file for {event['process_date']}: {event['input_path']}")
    with path.open() as handle:
        rows = sum(1 for _ in handle) - 1
    if rows <= 0:
        raise ValueError(f"the input file for {event['process_date']} has no rows")
    return {"rows": rows, "bytes": path.stat().st_size}


def validate_input_file(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The daily sales pipeline's first step: the file is there and has the expected columns."""
    path = _day_file(event)
    if not path.is_file():
        raise FileNotFoundError(f"no input file for {event['process_date']}: {event['input_path']}")
    with path.open() as handle:
        header = handle.readline().strip()
        rows = sum(1 for _ in handle)
    if header != EXPECTED_HEADER:
        raise ValueError(f"unexpected columns {header!r} (expected {EXPECTED_HEADER!r})")
    return {"file": str(event["input_path"]), "rows": rows}


def _glue() -> Any:
    import boto3

    return boto3.client("glue", region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


def start_glue_job(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = event["step"]
    run = _glue().start_job_run(JobName=step["job"], Arguments=step["arguments"])
    return {"JobName": step["job"], "JobRunId": run["JobRunId"], "JobRunState": "STARTING"}


def get_glue_job_status(event: dict[str, Any], context: Any) -> dict[str, Any]:
    run = _glue().get_job_run(JobName=event["JobName"], RunId=event["RunId"])["JobRun"]
    return {
        "JobName": event["JobName"],
        "JobRunId": event["RunId"],
        "JobRunState": run["JobRunState"],
        "ErrorMessage": run.get("ErrorMessage", ""),
    }
