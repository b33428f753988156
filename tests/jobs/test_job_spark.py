"""The same job scripts on real PySpark (local master, Java 17): ``pytest -m spark``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from jobs_support import BRIEF_SCRIPT, ORDERS, log_of, write_orders

pytestmark = pytest.mark.spark


def test_brief_script_runs_unchanged_on_local_pyspark(run_job: Any, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders" / "2024-01-01.csv", ORDERS)
    arguments = {"--input_path": "s3://raw-bucket/orders/", "--output_path": "s3://bronze/o/"}
    result = run_job(BRIEF_SCRIPT, arguments, engine="spark", spark_master="local[2]")
    assert result.status == "SUCCEEDED", log_of(result)
    output = lake / "bronze" / "o"
    assert (output / "_SUCCESS").exists()
    table = ds.dataset(output, format="parquet").to_table()
    assert sorted(table.column("order_id").to_pylist()) == ["1", "2", "3", "4"]
    assert [p.name for p in output.parent.iterdir()] == ["o"]  # staging published, none left


def test_glue_boilerplate_partitions_and_errors_on_local_pyspark(run_job: Any, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders.csv", ORDERS)
    (lake / "curated" / "daily" / "day=2023-12-31").mkdir(parents=True)
    (lake / "curated" / "daily" / "day=2023-12-31" / "part-0.parquet").write_bytes(b"kept")
    script = """
        import sys
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.transforms import *
        from awsglue.utils import getResolvedOptions
        from pyspark.context import SparkContext
        from pyspark.sql import functions as F

        args = getResolvedOptions(sys.argv, ["JOB_NAME"])
        sc = SparkContext.getOrCreate()
        glue_context = GlueContext(sc)
        spark = glue_context.spark_session
        job = Job(glue_context)
        job.init(args["JOB_NAME"], args)
        spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
        orders = spark.read.csv("s3://raw-bucket/orders.csv", header=True, inferSchema=True)
        unique = orders.dropDuplicates(["order_id"])
        daily = unique.groupBy("day").agg(F.sum("amount").alias("total"))
        daily.write.mode("overwrite").partitionBy("day").parquet("s3://curated/daily")
        job.commit()
        spark.read.parquet("s3://raw-bucket/missing/")
    """
    result = run_job(script, engine="spark", spark_master="local[1]")
    assert result.status == "FAILED", log_of(result)
    assert str(result.error_message).startswith(
        "Error Category: QUERY_ERROR; Failed Line Number: 22; Spark Error Class: PATH_NOT_FOUND; "
        "AnalysisException: [PATH_NOT_FOUND] Path does not exist: file:"
    )
    daily = lake / "curated" / "daily"
    assert sorted(p.name for p in daily.iterdir() if not p.name.startswith(".")) == [
        "day=2023-12-31",  # dynamic overwrite keeps partitions it did not write
        "day=2024-01-01",
        "day=2024-01-02",
    ]
    totals = ds.dataset(daily / "day=2024-01-01", format="parquet").to_table()
    assert totals.column("total").to_pylist() == [13.5]
