"""The two-job Glue pipeline through stepline, on the default engine (DuckDB) and on local
PySpark, in one run (prints a table; not a test).

    .venv/bin/python benchmarks/jobs.py [--sizes 100000 1000000 10000000] [--engines ...] [--cold]

An orders CSV (order_id, customer_id, amount, order_ts, status; ~2% duplicate order_id) is
generated per size. A state machine runs ``raw_to_bronze`` (the issue's script, unchanged:
header CSV -> dropDuplicates(order_id) -> Parquet) then ``bronze_to_curated`` (amount cast,
process_date from order_ts, Parquet partitioned by process_date), both as
``glue:startJobRun.sync`` tasks (the scripts are examples/jobs/), on a SQLite store with an
in-process worker that has been up a moment (its DuckDB fork server running; ``--cold``:
the pipeline starts with the worker).

Columns: start = StartJobRun to the script's first line (mean of the two jobs); wall = the
execution's start to its end; peak PSS = the largest total proportional set size of the job
processes (the launcher and, for Spark, its JVM; for DuckDB the fork server too, its
pages shared out with the jobs forked from it), sampled every 50 ms; rows/s = input rows over
wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from stepline.cli_store import service_registry
from stepline.jobs.job_runner import JobRunner, JobSettings
from stepline.jobs.result import read_report
from stepline.runtime.clock import RealClock
from stepline.runtime.worker import Worker
from stepline.service import Service
from stepline.store.open import open_store

JOBS = Path(__file__).resolve().parent.parent / "examples" / "jobs"  # the example jobs


def orders_csv(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    distinct = rows - rows // 50  # ~2% of the rows repeat an order id
    duckdb.sql(
        f"""COPY (
            SELECT i % {distinct} AS order_id,
                   'c-' || (hash(i % {distinct}) % 50000) AS customer_id,
                   round(((hash(i % {distinct}) % 100000) / 100.0), 2) AS amount,
                   TIMESTAMP '2025-01-01' + to_seconds((i % {distinct}) % (30 * 86400))
                       AS order_ts,
                   CASE WHEN i % 40 = 0 THEN 'cancelled' ELSE 'paid' END AS status
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')"""
    )


class MemoryWatch:
    """The peak of the summed proportional set size (PSS) of this process's descendants (the
    job processes, and the fork server they come from): pages shared between processes are
    shared out between them, not counted once per process as RSS counts them."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.05):
            parents: dict[int, int] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                        parents[int(entry)] = int(stat[1])
                    except (OSError, IndexError, ValueError):
                        continue
            total = 0
            for pid in parents:
                ancestor = parents.get(pid)
                while ancestor not in (None, 0, 1, me):
                    ancestor = parents.get(ancestor)
                if ancestor == me and pid != me:
                    total += _pss(pid)
            self.peak = max(self.peak, total)


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def pipeline(directory: Path, engine: str, rows: int, cold: bool) -> dict[str, float]:
    store = open_store(f"sqlite:///{directory}/store.db")
    service = Service(store, RealClock())
    settings = JobSettings(directory / "jobs", directory / "lake", engine=engine)
    jobs = JobRunner(service.job_runs, "bench", settings, slots=1, lease_seconds=60)
    worker = Worker(service, service_registry(service, {}), "bench", 4, jobs=jobs)
    if not cold:
        jobs.warmed(30)  # as a worker that has been up a moment
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        for name in ("raw_to_bronze", "bronze_to_curated"):
            command = {"Name": "glueetl", "ScriptLocation": str(JOBS / f"{name}.py")}
            service.jobs.create(name, {"Role": "r", "Command": command})
        paths = {
            "Bronze": ("raw_to_bronze", "s3://raw/orders/", "s3://bronze/orders/"),
            "Curated": ("bronze_to_curated", "s3://bronze/orders/", "s3://curated/orders/"),
        }
        states = {}
        for state, (job, source, target) in paths.items():
            arguments = {"--input_path": source, "--output_path": target}
            states[state] = {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": job, "Arguments": arguments},
                "ResultPath": f"$.{state}",
                **({"Next": "Curated"} if state == "Bronze" else {"End": True}),
            }
        machine = {"StartAt": "Bronze", "States": states}
        arn = service.create_state_machine("orders", json.dumps(machine)).arn
        with MemoryWatch() as memory:
            began = time.perf_counter()
            execution = service.start_execution(arn, "{}").arn
            while service.describe_execution(execution).status == "RUNNING":
                time.sleep(0.02)
            wall = time.perf_counter() - began
        done = service.describe_execution(execution)
        if done.status != "SUCCEEDED":
            raise SystemExit(f"{engine} {rows}: {done.status} {done.error} {done.cause}")
        starts = []
        for job in ("raw_to_bronze", "bronze_to_curated"):
            (run,), _ = service.job_runs.page(job)
            report = read_report(settings.run_dir(run.id) / "result.json")
            assert report is not None and report.script_started_at is not None
            starts.append(report.script_started_at - run.started_at.timestamp())
        return {
            "start": statistics.mean(starts),
            "wall": wall,
            "peak": memory.peak / 2**20,
            "rate": rows / wall,
        }
    finally:
        stop.set()
        thread.join(60)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument(
        "--cold", action="store_true", help="start the pipeline as the worker starts"
    )
    args = parser.parse_args()
    rows_out = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            source = Path(scratch) / f"orders-{size}.csv"
            orders_csv(source, size)
            for engine in args.engines:
                directory = Path(scratch) / f"{engine}-{size}"
                target = directory / "lake" / "raw" / "orders" / "orders.csv"
                target.parent.mkdir(parents=True)
                os.link(source, target)
                rows_out.append((size, engine, pipeline(directory, engine, size, args.cold)))
                print(f"  done: {engine} {size:,} rows", flush=True)
    when = "as the worker starts" if args.cold else "on a worker that is up"
    print(f"two-job pipeline (raw -> bronze -> curated), {os.cpu_count()} CPUs, SQLite store,")
    print(f"started {when}")
    heads = ("rows", "engine", "start", "wall", "peak PSS", "rows/s", "speed-up")
    widths = (11, 7, 9, 9, 10, 11, 9)
    print(" ".join(f"{head:>{width}}" for head, width in zip(heads, widths, strict=True)))
    walls = {(size, engine): m["wall"] for size, engine, m in rows_out}
    for size, engine, m in rows_out:
        spark = walls.get((size, "spark"))
        ratio = f"{spark / m['wall']:.1f}x" if spark and engine != "spark" else ""
        print(
            f"{size:>11,} {engine:>7} {m['start'] * 1000:>6.0f} ms {m['wall']:>7.2f} s"
            f" {m['peak']:>7.0f} MB {m['rate']:>11,.0f} {ratio:>9}"
        )
    print("start: StartJobRun -> the script's first line (mean of the two jobs)")


if __name__ == "__main__":
    main()
