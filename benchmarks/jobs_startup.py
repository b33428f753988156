"""Glue-style job start overhead and wall time, per engine (prints a table; not a test).

    .venv/bin/python benchmarks/jobs_startup.py [--rows 100000] [--repeat 3] [--no-spark]

Runs the unchanged Glue script below (header CSV read, dropDuplicates, parquet overwrite)
on a generated CSV with duplicate order ids. "start" is from starting the job process to
the script's first line; "wall" is from starting the process to its end (for Spark this
includes the JVM's start and stop). Each figure is the median of the repeats.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
from pathlib import Path

from stepline.jobs.runner import ScriptResult, run_script
from stepline.jobs.spec import ScriptSpec, glue_argv

SCRIPT = (Path(__file__).resolve().parent.parent / "examples/jobs/raw_to_bronze.py").read_text()
SHELL_SCRIPT = """\
import sys
from awsglue.utils import getResolvedOptions
args = getResolvedOptions(sys.argv, ["input_path", "output_path"])
"""


def write_csv(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer", "amount", "day"])
        for index in range(rows):
            order = index % (rows * 9 // 10 or 1)  # ~10% duplicate order ids
            day = f"2024-01-{1 + order % 28:02d}"
            writer.writerow([order, f"customer-{order % 997}", f"{order % 1000 / 7:.2f}", day])


def run(engine: str, script: Path, lake: Path, work: Path, attempt: int) -> ScriptResult:
    arguments = {"--input_path": "s3://raw/orders/", "--output_path": f"s3://bronze/{engine}/"}
    spec = ScriptSpec(
        script=str(script),
        argv=glue_argv(script.name, "orders_clean", f"jr_{engine}_{attempt}", arguments),
        engine=engine,  # type: ignore[arg-type]
        data_root=str(lake),
        spark_master="local[*]",
    )
    result = run_script(spec, work / f"{engine}-{attempt}", timeout=900)
    if result.status != "SUCCEEDED":
        raise SystemExit(f"{engine} run failed: {result.error_message} (see {result.stderr_path})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true", help="skip the PySpark engine")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="stepline-jobs-bench-") as temporary:
        work = Path(temporary)
        lake = work / "lake"
        write_csv(lake / "raw" / "orders" / "orders.csv", options.rows)
        glue_script = work / "clean_orders.py"
        glue_script.write_text(SCRIPT)
        shell_script = work / "shell.py"
        shell_script.write_text(SHELL_SCRIPT)
        plan = [("python", shell_script), ("duckdb", glue_script)]
        if not options.no_spark:
            plan.append(("spark", glue_script))
        print(f"{options.rows} CSV rows, {options.repeat} runs each, {os.cpu_count()} CPUs\n")
        print(f"{'engine':<8} {'start (s)':>10} {'wall (s)':>10}   runs (start / wall)")
        for engine, script in plan:
            results = [run(engine, script, lake, work, n) for n in range(options.repeat)]
            starts = [r.start_overhead or 0.0 for r in results]
            walls = [r.execution_time for r in results]
            each = ", ".join(f"{s:.2f}/{w:.2f}" for s, w in zip(starts, walls, strict=True))
            print(
                f"{engine:<8} {statistics.median(starts):>10.2f} "
                f"{statistics.median(walls):>10.2f}   {each}"
            )


if __name__ == "__main__":
    main()
