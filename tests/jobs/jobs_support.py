"""Helpers shared by the job-runtime tests: the brief's script, sample orders, logs."""

from __future__ import annotations

import csv
from pathlib import Path

from stepline.jobs.runner import ScriptResult

# The raw-to-bronze script, unchanged (examples/jobs/raw_to_bronze.py).
BRIEF_SCRIPT = (
    Path(__file__).resolve().parents[2] / "examples" / "jobs" / "raw_to_bronze.py"
).read_text()
# A Glue ETL script with a bookmark: reads s3://raw-bucket/incoming/ and commits.
BOOKMARK_SCRIPT = """
    import sys
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    args = getResolvedOptions(sys.argv, ["JOB_NAME"])
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": ["s3://raw-bucket/incoming/"]},
        format="csv",
        format_options={"withHeader": True},
        transformation_ctx="incoming",
    )
    print(frame.count())
    job.commit()
"""
ORDERS = [
    ("1", "ann", "10.5", "2024-01-01"),
    ("2", "bob", "3.0", "2024-01-01"),
    ("2", "bob", "3.0", "2024-01-01"),
    ("3", "cid", "7.25", "2024-01-02"),
    ("1", "ann", "10.5", "2024-01-01"),
    ("4", "dee", "0.5", "2024-01-02"),
]


def write_orders(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """A header CSV of orders: order_id, customer, amount, day."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer", "amount", "day"])
        writer.writerows(rows)


def log_of(result: ScriptResult) -> str:
    return result.stdout_path.read_text() + result.stderr_path.read_text()
