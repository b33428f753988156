"""Job scripts run in real subprocesses on the default engine (DuckDB via sqlframe) and as
Python shell jobs: outputs, Glue-style errors, timeout, stop, bookmarks, atomic writes."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from jobs_support import BOOKMARK_SCRIPT, BRIEF_SCRIPT, ORDERS, log_of, write_orders

from stepline.jobs.bookmarks import read_bookmark, reset_bookmark
from stepline.jobs.runner import run_script, start_script


def _rows(directory: Path) -> list[dict[str, Any]]:
    files = sorted(str(p) for p in directory.rglob("*.parquet"))
    hive = any("=" in part for p in files for part in Path(p).parts)
    query = f"SELECT * FROM read_parquet({files!r}, hive_partitioning={str(hive).lower()})"
    relation = duckdb.sql(query)
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _wait_for(path: Path, process: Any) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, "the job ended before it was ready"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_brief_script_runs_unchanged_on_the_default_engine(run_job: Any, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders" / "2024-01-01.csv", ORDERS)
    result = run_job(
        BRIEF_SCRIPT,
        {"--input_path": "s3://raw-bucket/orders/", "--output_path": "s3://bronze-bucket/orders/"},
    )
    assert result.status == "SUCCEEDED", log_of(result)
    assert result.error_message is None and result.exit_code == 0
    output = lake / "bronze-bucket" / "orders"
    assert (output / "_SUCCESS").exists()
    parts = list(output.glob("part-*.snappy.parquet"))
    assert len(parts) == 1
    table = pq.read_table(parts[0])
    assert table.num_rows == 4
    assert sorted(table.column("order_id").to_pylist()) == ["1", "2", "3", "4"]
    # Spark reads CSV columns as strings unless inferSchema is set; so does this engine.
    assert {str(field.type) for field in table.schema} == {"string"}
    assert result.script_started_at is not None
    assert result.started_at <= result.script_started_at <= result.finished_at


def test_a_partition_folder_is_read_without_its_partition_column(run_job: Any, lake: Path) -> None:
    # Spark discovers partitions only below the path it reads, not in the path itself.
    folder = lake / "raw-bucket" / "orders" / "region=eu"
    folder.mkdir(parents=True)
    (folder / "orders.csv").write_text("order_id,amount\n1,2.5\n2,3.5\n")
    arguments = {
        "--input_path": "s3://raw-bucket/orders/region=eu/",
        "--output_path": "s3://bronze-bucket/orders/",
    }
    result = run_job(BRIEF_SCRIPT, arguments)
    assert result.status == "SUCCEEDED", log_of(result)
    (part,) = (lake / "bronze-bucket" / "orders").glob("part-*.parquet")
    table = pq.read_table(part)
    assert table.schema.names == ["order_id", "amount"]
    assert sorted(table.column("order_id").to_pylist()) == ["1", "2"]


def test_overwrite_replaces_previous_output(run_job: Any, lake: Path) -> None:
    arguments = {"--input_path": "s3://raw-bucket/in.csv", "--output_path": "s3://out-bucket/o"}
    write_orders(lake / "raw-bucket" / "in.csv", ORDERS)
    assert run_job(BRIEF_SCRIPT, arguments).status == "SUCCEEDED"
    write_orders(lake / "raw-bucket" / "in.csv", ORDERS[:2])
    result = run_job(BRIEF_SCRIPT, arguments)
    assert result.status == "SUCCEEDED", log_of(result)
    assert sorted(r["order_id"] for r in _rows(lake / "out-bucket" / "o")) == ["1", "2"]
    assert [p.name for p in (lake / "out-bucket").iterdir()] == ["o"]  # no staging left


def test_curated_step_partitions_and_aggregates(run_job: Any, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders.csv", ORDERS)
    script = """
        import sys
        from awsglue.transforms import *
        from awsglue.utils import getResolvedOptions
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from pyspark.context import SparkContext
        from pyspark.sql import functions as F

        args = getResolvedOptions(sys.argv, ["JOB_NAME", "mode"])
        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        job = Job(glue_context)
        job.init(args["JOB_NAME"], args)
        spark.conf.set("spark.sql.sources.partitionOverwriteMode", args["mode"])
        df = spark.read.csv("s3://raw-bucket/orders.csv", header=True, inferSchema=True)
        if args["mode"] == "dynamic":
            df = df.filter(F.col("day") == "2024-01-02").withColumn("amount", F.lit(99.0))
        daily = (
            df.dropDuplicates(["order_id"])
            .withColumn("amount", F.col("amount").cast("double"))
            .filter(F.col("amount") > 1)
            .groupBy("day", "customer")
            .agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
        )
        glue_context.get_logger().info(f"{daily.count()} customer-days")
        daily.write.mode("overwrite").partitionBy("day").parquet("s3://curated-bucket/daily")
        job.commit()
    """
    result = run_job(script, {"--mode": "static"})
    assert result.status == "SUCCEEDED", log_of(result)
    assert "INFO [GlueLogger] 3 customer-days" in result.stderr_path.read_text()
    output = lake / "curated-bucket" / "daily"
    assert sorted(p.name for p in output.iterdir()) == [
        "_SUCCESS",
        "day=2024-01-01",
        "day=2024-01-02",
    ]
    totals = {(str(r["day"]), r["customer"]): r["total"] for r in _rows(output)}
    assert totals == {("2024-01-01", "ann"): 10.5, ("2024-01-01", "bob"): 3.0,
                      ("2024-01-02", "cid"): 7.25}  # fmt: skip

    # dynamic overwrite replaces only the partitions it writes
    result = run_job(script, {"--mode": "dynamic"})
    assert result.status == "SUCCEEDED", log_of(result)
    totals = {(str(r["day"]), r["customer"]): r["total"] for r in _rows(output)}
    assert totals == {("2024-01-01", "ann"): 10.5, ("2024-01-01", "bob"): 3.0,
                      ("2024-01-02", "cid"): 99.0, ("2024-01-02", "dee"): 99.0}  # fmt: skip


def test_python_shell_job_with_duckdb_polars_pyarrow(run_job: Any, lake: Path) -> None:
    write_orders(lake / "raw-bucket" / "orders.csv", ORDERS)
    script = """
        import sys
        import duckdb, polars, pyarrow
        from awsglue.utils import getResolvedOptions

        args = getResolvedOptions(sys.argv, ["input_path", "output_path"])
        counts = duckdb.sql(
            f"SELECT count(DISTINCT order_id) AS n FROM read_csv('{args['input_path']}')"
        ).pl()
        counts.write_parquet(args["output_path"])
        print(args["input_path"], counts["n"][0])
    """
    result = run_job(
        script,
        {
            "--input_path": "s3://raw-bucket/orders.csv",
            "--output_path": "s3://out-bucket/n.parquet",
        },
        engine="pythonshell",
    )
    assert result.status == "SUCCEEDED", log_of(result)
    assert result.stdout_path.read_text().split() == [str(lake / "raw-bucket/orders.csv"), "4"]
    assert pq.read_table(lake / "out-bucket" / "n.parquet").column("n").to_pylist() == [4]


def test_failing_script_reports_glue_error_message(run_job: Any) -> None:
    result = run_job("x = 1\nvalue = int('abc')\n", engine="python")
    assert result.status == "FAILED" and result.exit_code == 1
    assert result.error_message == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 2; "
        "ValueError: invalid literal for int() with base 10: 'abc'"
    )
    assert (result.error_type, result.failed_line) == ("ValueError", 2)
    assert "Traceback (most recent call last)" in result.stderr_path.read_text()


def test_error_categories(run_job: Any) -> None:
    def message(source: str, **kwargs: Any) -> str:
        result = run_job(source, engine="python", **kwargs)
        assert result.status == "FAILED"
        return str(result.error_message)

    assert message("def f(d):\n    return d['day']\n\nf({})\n") == (
        "Error Category: INVALID_ARGUMENT_ERROR; Failed Line Number: 2; KeyError: 'day'"
    )
    assert message("x = (\n").startswith("Error Category: SYNTAX_ERROR; SyntaxError: ")
    assert message(
        "import sys\nfrom awsglue.utils import getResolvedOptions\n"
        "getResolvedOptions(sys.argv, ['input_path'])\n"
    ) == (
        "Error Category: INVALID_ARGUMENT_ERROR; Failed Line Number: 3; "
        "GlueArgumentError: the following arguments are required: --input_path"
    )
    assert message("open('/no/such/file')\n").startswith(
        "Error Category: RESOURCE_NOT_FOUND_ERROR; Failed Line Number: 1; FileNotFoundError: "
    )
    assert message("import sys\nsys.exit(3)\n") == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 2; SystemExit: 3"
    )
    assert run_job("import sys\nsys.exit(0)\n", engine="python").status == "SUCCEEDED"


def test_spark_style_errors_on_the_default_engine(run_job: Any, lake: Path) -> None:
    missing = run_job(BRIEF_SCRIPT, {"--input_path": "s3://raw-bucket/none/",
                                     "--output_path": "s3://out-bucket/x"})  # fmt: skip
    assert missing.status == "FAILED"
    assert missing.error_message == (
        "Error Category: QUERY_ERROR; Failed Line Number: 6; Spark Error Class: PATH_NOT_FOUND; "
        "AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://raw-bucket/none/."
    )
    write_orders(lake / "raw-bucket" / "a.csv", ORDERS)
    (lake / "out-bucket" / "exists").mkdir(parents=True)
    exists = run_job(
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "spark.read.csv('s3://raw-bucket/a.csv', header=True).write.parquet('s3://out-bucket/exists')\n"
    )
    assert exists.status == "FAILED"
    assert (
        "AnalysisException: [PATH_ALREADY_EXISTS] Path s3://out-bucket/exists already exists."
        in (str(exists.error_message))
    )


def test_s3_paths_without_a_data_root_are_a_clear_error(run_job: Any) -> None:
    result = run_job(BRIEF_SCRIPT, {"--input_path": "s3://raw-bucket/a.csv",
                                    "--output_path": "/tmp/x"}, data_root=None)  # fmt: skip
    assert result.status == "FAILED"
    assert "LakePathError: spark.read (csv): 's3://raw-bucket/a.csv' is an s3:// path" in str(
        result.error_message
    )


def test_launcher_errors_are_reported_without_traceback(
    run_job: Any, job_spec: Any, tmp_path: Path
) -> None:
    spec = job_spec("print('never')\n", engine="python")
    os.remove(spec.script)
    result = run_script(spec, tmp_path / "missing")
    assert result.status == "FAILED" and result.exit_code == 2
    assert result.error_message == (
        f"stepline could not start the job: job script {spec.script!r} does not exist"
    )
    assert "Traceback" not in result.stderr_path.read_text()
    bad = run_job(BRIEF_SCRIPT, {"--input_path": "s3://Bad_Bucket/x", "--output_path": "o"})
    assert bad.status == "FAILED" and bad.exit_code == 2
    assert "invalid S3 URL 's3://Bad_Bucket/x' in argument --input_path" in str(bad.error_message)


def test_timeout_kills_the_process_group(run_job: Any) -> None:
    script = """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(child.pid, flush=True)
        time.sleep(600)
    """
    result = run_job(script, engine="python", timeout=8)
    assert result.status == "TIMEOUT"
    assert result.error_message == "Job run timed out after 8 seconds and was stopped"
    child = int(result.stdout_path.read_text().split()[0])
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (killed, not yet reaped by init) counts as gone
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


def test_stop_ends_a_running_job(job_spec: Any, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    spec = job_spec(
        f"import time\nopen({str(ready)!r}, 'w').close()\ntime.sleep(600)\n", engine="python"
    )
    process = start_script(spec, tmp_path / "run")
    _wait_for(ready, process)
    process.stop()
    result = process.wait()
    assert result.status == "STOPPED" and result.error_message is None
    assert process.poll() == result


def test_bookmarks_persist_between_runs(run_job: Any, lake: Path, tmp_path: Path) -> None:
    bookmark = tmp_path / "bookmarks" / "orders_job.json"
    source = lake / "raw-bucket" / "incoming"
    write_orders(source / "a.csv", ORDERS[:2])
    write_orders(source / "b.csv", ORDERS[2:4])
    script = BOOKMARK_SCRIPT

    def rows_read(option: str = "job-bookmark-enable") -> int:
        result = run_job(script, bookmark_option=option, bookmark_path=str(bookmark))
        assert result.status == "SUCCEEDED", log_of(result)
        return int(result.stdout_path.read_text().split()[-1])

    assert rows_read() == 4
    entry = read_bookmark(bookmark)
    assert entry is not None and (entry.job_name, entry.run, entry.version) == ("orders_job", 1, 1)
    assert entry.state["incoming"]["files_at_high_water"]  # the files, by s3:// URL
    assert all(
        f.startswith("s3://raw-bucket/incoming/")
        for f in entry.state["incoming"]["files_at_high_water"]
    )
    assert rows_read() == 0  # nothing new
    write_orders(source / "c.csv", ORDERS[4:])
    os.utime(source / "c.csv", (time.time() + 5, time.time() + 5))  # surely newer
    assert rows_read("job-bookmark-pause") == 2  # pause: skips, does not advance
    assert rows_read() == 2
    second = read_bookmark(bookmark)
    assert second is not None and second.run == 3 and second.previous_run_id is not None
    assert rows_read("job-bookmark-disable") == 6  # disable: reads everything
    assert reset_bookmark(bookmark) == second and read_bookmark(bookmark) is None
    assert rows_read() == 6


def test_killed_overwrite_keeps_the_old_output(job_spec: Any, lake: Path, tmp_path: Path) -> None:
    write_orders(lake / "raw-bucket" / "in.csv", ORDERS)
    arguments = {"--input_path": "s3://raw-bucket/in.csv", "--output_path": "s3://out-bucket/o"}
    first = run_script(job_spec(BRIEF_SCRIPT, arguments), tmp_path / "first")
    assert first.status == "SUCCEEDED", log_of(first)
    before = {p.name: p.read_bytes() for p in (lake / "out-bucket" / "o").iterdir()}

    # The second run's new output is complete in its staging directory when it is killed:
    # the hook blocks just before the rename that would publish it.
    ready = tmp_path / "staged"
    hook = f"""
import time
import stepline.lake.atomic as atomic
def publish_directory(staging, target):
    open({str(ready)!r}, "w").write(str(staging))
    time.sleep(600)
atomic.publish_directory = publish_directory
"""
    write_orders(lake / "raw-bucket" / "in.csv", ORDERS[:1])
    process = start_script(job_spec(hook + BRIEF_SCRIPT, arguments), tmp_path / "second")
    _wait_for(ready, process)
    staging = Path(ready.read_text())
    assert any(staging.glob("part-*.parquet")) and (staging / "_SUCCESS").exists()
    process.stop()
    assert process.wait().status == "STOPPED"
    assert {p.name: p.read_bytes() for p in (lake / "out-bucket" / "o").iterdir()} == before
    assert staging.exists()  # hidden from readers: its name starts with "."

    third = run_script(job_spec(BRIEF_SCRIPT, arguments), tmp_path / "third")
    assert third.status == "SUCCEEDED", log_of(third)
    assert not staging.exists()  # the dead writer's leftovers are swept
    assert [r["order_id"] for r in _rows(lake / "out-bucket" / "o")] == ["1"]


def test_common_pyspark_patterns_on_the_default_engine(
    run_job: Any, lake: Path, tmp_path: Path
) -> None:
    (lake / "raw-bucket").mkdir()
    (lake / "raw-bucket" / "plain.csv").write_text("1;a;2024-01-01\n2;b;2024-01-02\n2;b;x\n")
    helpers = tmp_path / "extra"
    helpers.mkdir()
    (helpers / "team_helpers.py").write_text("SEP = ';'\n")
    script = """
        from pyspark import SparkConf, StorageLevel
        from pyspark.context import SparkContext
        from pyspark.sql import SparkSession, Window
        from pyspark.sql import functions as F
        from pyspark.sql.types import IntegerType, StringType, StructField, StructType
        from pyspark.sql.utils import AnalysisException
        from awsglue.context import GlueContext
        from awsglue.dynamicframe import DynamicFrame
        from team_helpers import SEP

        sc = SparkContext(conf=SparkConf().setAppName("patterns"))
        sc.setLogLevel("WARN")
        spark = SparkSession(sc)
        plain = spark.read.csv("s3://raw-bucket/plain.csv", sep=SEP)
        print("columns", plain.columns)
        schema = StructType([StructField("id", IntegerType()), StructField("name", StringType()),
                             StructField("day", StringType())])
        typed = spark.read.schema(schema).option("delimiter", SEP).csv("s3://raw-bucket/plain.csv")
        latest = Window.partitionBy("id").orderBy(F.col("day").desc())
        unique = typed.withColumn("rn", F.row_number().over(latest)).filter("rn = 1").drop("rn")
        unique.persist(StorageLevel.MEMORY_AND_DISK)
        unique.write.format("csv").option("header", True).mode("overwrite").save("s3://out/csv")
        unique.write.mode("append").json("s3://out/json")
        unique.write.mode("append").json("s3://out/json")
        unique.write.mode("ignore").json("s3://out/json")
        print("json", spark.read.json("s3://out/json").count())
        print("csv", sorted(r.id for r in spark.read.option("header", True).csv("s3://out/csv").collect()))
        frame = DynamicFrame.fromDF(unique, GlueContext(sc), "unique")
        print("dynamic", frame.count())
        try:
            spark.read.parquet("s3://nope-bucket/x")
        except AnalysisException as error:
            print("caught", error)
        try:
            sc.parallelize([1, 2])
        except NotImplementedError as error:
            print("rdd", error)
    """
    result = run_job(script, python_path=(str(helpers),))
    assert result.status == "SUCCEEDED", log_of(result)
    assert result.stdout_path.read_text().splitlines() == [
        "columns ['_c0', '_c1', '_c2']",
        "json 4",
        "csv ['1', '2']",
        "dynamic 2",
        "caught [PATH_NOT_FOUND] Path does not exist: s3://nope-bucket/x.",
        "rdd SparkContext.parallelize is not available on stepline's DuckDB engine; "
        "run the job with engine 'spark' to use the RDD API",
    ]
    assert sorted(p.name for p in (lake / "out" / "json").iterdir())[0] == "_SUCCESS"
    assert len(list((lake / "out" / "json").glob("part-*.json"))) == 2
