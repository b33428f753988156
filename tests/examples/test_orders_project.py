"""The orders project (examples/orders) end to end on real files: the four state machines,
every failure path ending in its action, and replay touching only the failed partitions."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from orders_support import Orders

GOOD, NULLS, MISSING, SCHEMA = "2025-01-20", "2025-01-21", "2025-01-22", "2025-01-23"
RELIABLE, SALES = "orders_reliable", "orders_daily_sales"


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def notifications(orders: Orders) -> list[str]:
    """The alert messages delivered to the project's file subscriber."""
    sent = orders.root / ".stepline" / "notifications" / "orders-alerts.jsonl"
    return [json.loads(line)["Message"] for line in sent.read_text().splitlines()]


def test_the_reliable_pipeline_on_good_and_bad_days_then_replay(orders: Orders) -> None:
    orders.day(GOOD)
    orders.day(NULLS, "nulls")
    orders.day(SCHEMA, "schema")  # MISSING has no file at all
    assert orders.start(RELIABLE, GOOD).returncode == 0
    assert orders.path(RELIABLE, GOOD) == [
        "CheckInputAvailable", "RunGlueJob", "QualityChecks", "QualityPassed?",
        "PublishCurated", "RegisterCuratedPartition", "Published",
    ]  # fmt: skip
    failed = {day: orders.start(RELIABLE, day) for day in (NULLS, MISSING, SCHEMA)}
    assert "QualityGateFailed" in failed[NULLS].stderr
    assert orders.path(RELIABLE, NULLS)[-4:] == [
        "AlertQuality", "Quarantine", "SendToReplayQueue", "QualityGateFailed",
    ]  # fmt: skip
    for day in (MISSING, SCHEMA):  # no file; the job fails on the schema
        assert "PipelineFailed" in failed[day].stderr
        assert orders.path(RELIABLE, day)[-2:] == ["NotifyFailure", "PipelineFailed"]
    assert "RunGlueJob" in orders.path(RELIABLE, SCHEMA)
    messages = notifications(orders)
    assert any(
        m.startswith(f"Quality gate failed for orders {NULLS}: score 0.88") for m in messages
    )
    assert messages.count("Pipeline failed: FileNotFoundError") == 1
    assert messages.count("Pipeline failed: States.TaskFailed") == 1

    lake = orders.lake / "orders-lake"
    assert (lake / "clean/orders/_quarantine" / f"process_date={NULLS}").is_dir()
    assert not (lake / "clean/orders" / f"process_date={NULLS}").exists()
    ledger = {
        row["partition"]: row
        for row in map(
            json.loads, orders.cli("partitions", "orders", "--json").stdout.split("\n")[:-1]
        )
    }
    assert {p: r["status"] for p, r in ledger.items()} == {
        GOOD: "SUCCEEDED", NULLS: "QUARANTINED", MISSING: "FAILED", SCHEMA: "FAILED",
    }  # fmt: skip
    assert ledger[NULLS]["quality_score"] < 0.9 and ledger[GOOD]["quality_score"] == 1.0

    # Fix the inputs, replay: only the failed partitions run; the good one's files stay.
    before = {layer: digests(lake / layer / "orders" / f"process_date={GOOD}")
              for layer in ("raw", "clean", "curated")}  # fmt: skip
    for day in (NULLS, MISSING, SCHEMA):
        orders.day(day)
    project = ("--project", str(orders.project))
    drained = orders.cli("replay", "--queue", "orders-replay", *project)
    assert drained.returncode == 0, drained.stderr
    assert f"{NULLS}  SUCCEEDED" in drained.stdout
    rest = orders.cli("replay", "orders", "--failed", *project)
    assert rest.returncode == 0, rest.stderr
    assert sorted(line.split()[0] for line in rest.stdout.splitlines() if "SUCCEEDED" in line) == [
        MISSING, SCHEMA,
    ]  # fmt: skip
    after = {layer: digests(lake / layer / "orders" / f"process_date={GOOD}")
             for layer in ("raw", "clean", "curated")}  # fmt: skip
    assert after == before and all(before.values())
    final = orders.cli("partitions", "orders")
    assert final.stdout.splitlines()[-1] == "4 partition(s): 4 SUCCEEDED"


def test_daily_sales_publishes_gold_or_says_why_not(orders: Orders) -> None:
    orders.day(GOOD)
    orders.day(NULLS, "nulls")
    done = orders.start(SALES, GOOD)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gold"]["State"] == "SUCCEEDED"
    gold = orders.cli("sql", "SELECT process_date, orders FROM sales.gold_daily_revenue")
    assert gold.returncode == 0, gold.stderr
    assert GOOD in gold.stdout

    low = orders.start(SALES, NULLS)
    assert low.returncode == 1 and "QualityTooLow" in low.stderr
    assert orders.path(SALES, NULLS)[-3:] == [
        "QualityPassed?",
        "NotifyQualityFailure",
        "QualityTooLow",
    ]
    missing = orders.start(SALES, MISSING)
    assert missing.returncode == 1 and "PipelineFailed" in missing.stderr
    assert orders.path(SALES, MISSING) == ["ValidateInputFile", "NotifyFailure", "PipelineFailed"]
    messages = notifications(orders)
    assert f"Daily sales for {GOOD} published (quality score 1.0)" in messages
    assert any(m.startswith(f"Data quality for {NULLS} is 0.8") for m in messages)
    assert "Pipeline failed: FileNotFoundError" in messages


def test_the_two_job_chain_and_a_glue_timeout(orders: Orders) -> None:
    orders.day(GOOD)
    chain = orders.start("orders_two_job_chain", GOOD)
    assert chain.returncode == 0, chain.stderr
    output = json.loads(chain.stdout)
    assert output["raw_job"]["JobRunState"] == output["curated_job"]["JobRunState"] == "SUCCEEDED"
    curated = orders.lake / "orders-lake/curated/orders" / f"process_date={GOOD}"
    assert list(curated.glob("*.parquet"))

    # An env whose clean job outlives the task's TimeoutSeconds: retried once, then caught.
    slow = orders.project / "glue" / "jobs" / "slow.py"
    slow.write_text("import time\ntime.sleep(60)\n")
    toml = orders.project / "stepline.toml"
    toml.write_text(
        toml.read_text()
        + "\n[env.slow.vars]\nglue_timeout_seconds = 1\n"
        + '[env.slow.jobs.orders_raw_to_clean]\nscript = "glue/jobs/slow.py"\n'
    )
    assert orders.cli("deploy", "--project", str(orders.project), "--env", "slow").returncode == 0
    timed_out = orders.start(RELIABLE, GOOD)
    assert timed_out.returncode == 1 and "PipelineFailed" in timed_out.stderr
    events = orders.history(RELIABLE, GOOD)
    assert [t for t, _ in events].count("TaskTimedOut") == 2  # the first try and its retry
    assert "Pipeline failed: States.Timeout" in notifications(orders)


def test_clean_filter_join_drives_glue_through_boto3(orders: Orders) -> None:
    orders.day(GOOD)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    orders.env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "stepline.cli", "serve", "--port", str(port),
         "--project", str(orders.project)],
        cwd=orders.root, env=orders.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "stepline serve did not start"
                time.sleep(0.1)
        given = json.dumps(
            {
                "process_date": GOOD,
                "input_path": f"s3://orders-lake/raw/orders/process_date={GOOD}/",
            }
        )
        started = orders.cli("start", "orders_clean_filter_join:live", "--input", given)
        assert started.returncode == 0, started.stderr
        arn = started.stdout.strip()
        deadline = time.monotonic() + 120
        while (record := json.loads(orders.cli("describe", arn).stdout))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "still RUNNING"
            time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert record["status"] == "SUCCEEDED", record
    enriched = orders.lake / "orders-lake/work/enriched" / f"process_date={GOOD}"
    import duckdb

    columns = duckdb.sql(f"SELECT * FROM read_parquet('{enriched}/*.parquet')").columns
    assert {"order_id", "customer_id", "country", "segment"} <= set(columns)
    assert os.path.exists(enriched)
