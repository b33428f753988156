"""`make demo`: the orders project end to end on this machine, with the commands a user types.

1. generate a week of daily order files, two of them bad (nulls on one day, no file on another);
2. `stepline deploy` the project (examples/orders);
3. run the week through the reliable pipeline (`stepline backfill orders`) and the daily sales
   pipeline (`stepline backfill sales`), the two-job chain for one day, and the
   clean -> filter -> join pipeline (its functions call Glue through boto3, answered by a
   `stepline serve` started for the demo);
4. print a summary: each execution's path through its states, rows per layer, quality
   results, notifications sent, the quarantined partitions;
5. fix the two bad days' input, replay only the failed partitions (the replay queue and
   `stepline replay --failed`), and show the ledger green.

Everything lives under .stepline/demo (SQLite, DuckDB, the local data root): no server to
install, nothing left running.

    python examples/orders/demo.py [--workdir .stepline/demo]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from stepline.store.open import open_store

HERE = Path(__file__).resolve().parent
FIRST = date(2025, 1, 20)
DAYS = 7
BAD = {"2025-01-22": "nulls", "2025-01-24": "missing"}
BUCKET = "orders-lake"


class Demo:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir.resolve()
        self.lake = self.workdir / "lake"
        self.env = dict(
            os.environ,
            STEPLINE_DB=f"sqlite:///{self.workdir / 'stepline.db'}",
            STEPLINE_DATA_ROOT=str(self.lake),
            AWS_ACCESS_KEY_ID="stepline",
            AWS_SECRET_ACCESS_KEY="stepline-secret",
            AWS_DEFAULT_REGION="us-east-1",
        )

    def stepline(self, *args: str, show: bool = True, check: bool = False) -> str:
        """Run a stepline command in the demo's folder, echoing it and its output."""
        if show:
            print(f"\n$ stepline {' '.join(args)}", flush=True)
        command = [sys.executable, "-m", "stepline.cli", *args]
        result = subprocess.run(
            command, cwd=self.workdir, env=self.env, capture_output=True, text=True
        )
        if show:
            for line in (result.stdout + result.stderr).splitlines():
                if not line.startswith("stepline: notification"):  # the log subscriber's lines
                    print(f"  {line}")
        if check and result.returncode != 0:
            raise SystemExit(f"stepline {args[0]} failed (exit {result.returncode})")
        return result.stdout

    def generate(self, *args: str) -> None:
        command = [sys.executable, str(HERE / "generate.py"), "--data-root", str(self.lake)]
        subprocess.run([*command, *args], check=True, stdout=subprocess.DEVNULL)

    def input_of(self, day: str) -> str:
        raw = f"s3://{BUCKET}/raw/orders/process_date={day}/"
        return json.dumps({"process_date": day, "input_path": raw})

    # ---- the story ---------------------------------------------------------------------
    def run(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        last = (FIRST + timedelta(days=DAYS - 1)).isoformat()
        heading(f"1. A week of orders, {FIRST} to {last}; bad days: {_bad_days()}")
        bad = [arg for day, kind in BAD.items() for arg in ("--bad", f"{day}={kind}")]
        self.generate("--from", FIRST.isoformat(), "--days", str(DAYS), *bad)
        print(f"  raw files under {self.lake / BUCKET / 'raw/orders'}")

        heading("2. Deploy the project")
        project = ("--project", str(HERE))
        self.stepline("deploy", *project, check=True)

        heading("3. Run the week")
        week = ("--from", FIRST.isoformat(), "--to", last)
        self.stepline("backfill", "orders", *week, "--concurrency", "3", *project)
        self.stepline("backfill", "sales", *week, "--concurrency", "3", *project)
        day = FIRST.isoformat()
        self.stepline(
            "start", "orders_two_job_chain:live", "--input", self.input_of(day),
            "--name", f"chain-{day}", "--wait", *project,
        )  # fmt: skip
        self.clean_filter_join(day)

        heading("4. What happened")
        self.summary()

        heading("5. Fix the bad days' input and replay only the failed partitions")
        for day in BAD:
            self.generate("--arrive", day)
        print(f"  good files written for {', '.join(BAD)}")
        self.stepline("replay", "--queue", "orders-replay", *project)
        self.stepline("replay", "orders", "--failed", *project)
        self.stepline("replay", "sales", "--failed", *project)
        self.stepline("partitions", "orders")
        self.stepline("partitions", "sales")
        self.stepline("sql", "SELECT * FROM sales.gold_daily_revenue ORDER BY process_date")
        print(f"\nThe demo's store, lake and logs are in {self.workdir}.")

    def clean_filter_join(self, day: str) -> None:
        """The pipeline whose functions drive Glue through boto3: against `stepline serve`."""
        port = _free_port()
        self.env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        log = (self.workdir / "serve.log").open("w")
        command = [sys.executable, "-m", "stepline.cli", "serve", "--port", str(port),
                   "--project", str(HERE)]  # fmt: skip
        print(f"\n$ stepline serve --port {port} --project {HERE} &   # for boto3's glue client")
        server = subprocess.Popen(command, cwd=self.workdir, env=self.env, stdout=log, stderr=log)
        try:
            _wait_for_port(port)
            arn = self.stepline(
                "start", "orders_clean_filter_join:live", "--input", self.input_of(day),
                "--name", f"cfj-{day}",
            ).strip()  # fmt: skip
            while True:
                described = json.loads(self.stepline("describe", arn, show=False))
                if described["status"] != "RUNNING":
                    break
                time.sleep(0.2)
            print(f"  {described['status']}: {described.get('output') or described.get('error')}")
        finally:
            server.terminate()
            server.wait(30)
            log.close()

    def summary(self) -> None:
        print("\nExecutions, oldest first, and their path through the states:")
        store = open_store(self.env["STEPLINE_DB"])
        try:
            for record in reversed(store.list_executions(limit=1000)):
                entered = [
                    json.loads(event.details or "{}").get("name", "?")
                    for event in store.history(record.arn, 0, 10_000)
                    if event.type.endswith("StateEntered")
                ]
                machine = record.state_machine_arn.split(":")[-1]
                print(f"  {record.status:<9} {machine:<26} {record.name}")
                print(f"            {' > '.join(entered)}")
        finally:
            store.close()
        print("\nRows per layer:")
        print(f"  {'day':<12}{'raw':>6}{'clean':>7}{'curated':>9}{'gold':>6}")
        for offset in range(DAYS):
            day = (FIRST + timedelta(days=offset)).isoformat()
            counts = [self.rows(layer, day) for layer in ("raw", "clean", "curated", "gold")]
            print(
                f"  {day:<12}"
                + "".join(f"{c:>{w}}" for c, w in zip(counts, (6, 7, 9, 6), strict=True))
            )
        self.stepline("quality", "results", "orders", "--limit", "10")
        self.stepline("notifications", "--limit", "10")
        self.stepline("partitions", "orders")
        quarantined = self.lake / BUCKET / "clean" / "orders" / "_quarantine"
        kept = sorted(p.name for p in quarantined.iterdir()) if quarantined.exists() else []
        print(f"\nQuarantined partitions (hidden from readers): {', '.join(kept) or 'none'}")
        self.stepline("queues", "list")

    def rows(self, layer: str, day: str) -> str:
        base = self.lake / BUCKET
        if layer == "raw":
            path = base / "raw" / "orders" / f"process_date={day}" / "orders.csv"
            return str(sum(1 for _ in path.open()) - 1) if path.exists() else "-"
        if layer == "gold":
            files = list((base / "gold" / "daily_revenue").glob("*.parquet"))
            if not files:
                return "-"
            query = f"SELECT sum(orders) FROM read_parquet({[str(f) for f in files]!r})"
            found = duckdb.sql(query + f" WHERE process_date = DATE '{day}'").fetchall()
            return "-" if found[0][0] is None else str(found[0][0])
        folder = base / layer / "orders" / f"process_date={day}"
        files = [str(f) for f in folder.glob("*.parquet")]
        if not files:
            return "-"
        return str(duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r})").fetchall()[0][0])


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 76 - len(text)), flush=True)


def _bad_days() -> str:
    return ", ".join(f"{day} ({kind})" for day, kind in BAD.items())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"stepline serve did not listen on port {port}")


def main(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path(".stepline/demo"))
    args = parser.parse_args(argv)
    Demo(args.workdir).run()


if __name__ == "__main__":
    main()
