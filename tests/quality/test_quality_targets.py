"""Targets (a catalog table, one partition, a path), SQL checks, stored results, quarantine and
release, on real Parquet files, a real catalog (Athena DDL) and the memory store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from quality_support import NOW, ORDERS, orders_table, run, runner, write

from stepline.athena.catalog import LakeCatalog
from stepline.lake.paths import LakePaths
from stepline.quality.quarantine import Quarantine
from stepline.quality.run import QualityError, QualityRequest
from stepline.quality.target import Target, TargetError
from stepline.runtime.clock import ManualClock
from stepline.store.memory import MemoryStore


@pytest.fixture
def lake(tmp_path: Path) -> tuple[MemoryStore, Path]:
    store = MemoryStore()
    orders_table(store, tmp_path)
    return store, tmp_path


def test_a_table_and_each_partition(lake: tuple[MemoryStore, Path]) -> None:
    store, root = lake
    quality = runner(store, root)
    rules = 'RowCount = 4, IsComplete "order_id"'
    whole = run(quality, rules, table="lake.orders")
    assert [r["status"] for r in whole["results"]] == ["PASS", "FAIL"]
    day1 = run(quality, 'RowCount = 2, IsComplete "order_id"', table="lake.orders",
               partition="process_date=2026-03-01")  # fmt: skip
    assert day1["status"] == "PASS" and day1["quality_score"] == 1.0
    rules = 'RowCount = 2, IsComplete "order_id", ColumnValues "process_date" = "2026-03-02"'
    day2 = run(quality, rules, table="lake.orders", partition="process_date=2026-03-02")
    assert day2["failed_checks"] == ['IsComplete "order_id"']
    assert day2["partition"] == "process_date=2026-03-02" and day2["dataset"] == "lake.orders"
    stored = quality.results("lake.orders")
    assert [r["run_id"] for r in stored] == [day2["run_id"], day1["run_id"], whole["run_id"]]
    assert [r["run_id"] for r in quality.results("lake.orders", "process_date=2026-03-01")] == [
        day1["run_id"]
    ]
    assert stored[0]["results"] == day2["results"]


def test_an_unregistered_partition_folder_is_read(lake: tuple[MemoryStore, Path]) -> None:
    store, root = lake
    day3 = "SELECT * FROM (VALUES (5, 'new')) t(order_id, status)"
    write(day3, root / "lake-bucket" / "orders" / "process_date=2026-03-03" / "p.parquet")
    answer = run(runner(store, root), "RowCount = 1", table="lake.orders",
                 partition="process_date=2026-03-03")  # fmt: skip
    assert answer["status"] == "PASS"


@pytest.mark.parametrize(
    ("target", "code", "says"),
    [
        ({"table": "lake.nope"}, "Quality.TableNotFound", "table lake.nope is not in the lake"),
        ({"table": "lake.orders", "partition": "process_date=1999-01-01"},
         "Quality.PartitionNotFound", "is not registered and its folder"),
        ({"table": "lake.orders", "partition": "day=1"}, "Quality.InvalidTarget",
         "its keys are ['process_date']"),
        ({"table": "lake.orders", "partition": "nonsense"}, "Quality.InvalidTarget",
         "expected key=value"),
        ({"path": "s3://lake-bucket/missing/"}, "Quality.PathNotFound", "does not exist"),
        ({"path": "s3://x/y"}, "Quality.InvalidTarget", "bucket name 'x'"),
        ({}, "Quality.InvalidTarget", "give either a table or a path"),
    ],
)  # fmt: skip
def test_bad_targets_fail_with_clear_errors(
    lake: tuple[MemoryStore, Path], target: dict[str, str], code: str, says: str
) -> None:
    store, root = lake
    with pytest.raises(QualityError) as caught:
        run(runner(store, root), "RowCount > 0", **target)
    assert caught.value.code == code and says in caught.value.message, caught.value.message


def test_bad_rulesets_and_files_fail_the_run(lake: tuple[MemoryStore, Path]) -> None:
    store, root = lake
    quality = runner(store, root)
    (root / "rules.dqdl").write_text("Rules = [\n  RowCount >\n]")
    cases = [
        (QualityRequest(Target(table="lake.orders"), ruleset=str(root / "rules.dqdl")),
         "Quality.InvalidRuleset", "rules.dqdl: line 3, column 1: expected a value"),
        (QualityRequest(Target(table="lake.orders"), ruleset=str(root / "nope.dqdl")),
         "Quality.InvalidRuleset", "cannot read the ruleset"),
        (QualityRequest(Target(table="lake.orders"), checks=str(root / "nope.sql")),
         "Quality.InvalidChecks", "cannot read the checks file"),
        (QualityRequest(Target(table="lake.orders"), ruleset="Rules = [ RowCount > 0 ]",
                        profile="strictest"), "Quality.InvalidProfile", "no quality profile"),
        (QualityRequest(Target(table="lake.orders"), ruleset="Rules = [ RowCount > 0 ]",
                        profile={"must_pass": ["IsUnique \"x\""]}), "Quality.InvalidProfile",
         "must_pass names no rule"),
        (QualityRequest(Target(table="lake.orders")), "Quality.InvalidRuleset", "give a ruleset"),
    ]  # fmt: skip
    for request, code, says in cases:
        with pytest.raises(QualityError) as caught:
            quality.run(request)
        assert caught.value.code == code and says in caught.value.message, caught.value.message
    assert quality.results("lake.orders") == []  # nothing was stored


def test_sql_checks_fail_on_rows_or_false(tmp_path: Path) -> None:
    write(ORDERS, tmp_path / "data-bucket" / "orders" / "o.parquet")
    checks = tmp_path / "orders.sql"
    checks.write_text(
        "-- check: no_negative\nSELECT * FROM primary WHERE amount < 0;\n"
        "-- check: ids_present\nSELECT count(*) = 4 FROM primary;\n"
        "-- check: all_paid\nSELECT bool_and(status = 'paid') FROM primary;\n"
        "SELECT order_id FROM primary WHERE status IS NULL;\n"
        "-- check: broken\nSELECT nope FROM primary;\n"
    )
    quality = runner(MemoryStore(), tmp_path)
    answer = quality.run(
        QualityRequest(
            Target(path="s3://data-bucket/orders"), checks=str(checks), profile={"min_score": 0.4}
        )
    )
    got = [(r["rule"], r["status"], r["actual"]) for r in answer["results"]]
    assert got == [
        ("no_negative", "PASS", 0.0),
        ("ids_present", "PASS", 1.0),
        ("all_paid", "FAIL", 0.0),
        ("orders_4", "FAIL", 1.0),
        ("broken", "ERROR", None),
    ]
    assert answer["status"] == "PASS" and answer["quality_score"] == 0.4
    assert answer["results"][3]["message"] == "the check returned 1 row(s)"


def test_quarantine_hides_a_partition_and_release_brings_it_back(
    lake: tuple[MemoryStore, Path],
) -> None:
    store, root = lake
    catalog = LakeCatalog(store, ManualClock(NOW))
    mover = Quarantine(catalog, LakePaths(root), ManualClock(NOW))
    quality = runner(store, root)
    target = Target(table="lake.orders", partition="process_date=2026-03-02")
    moved = mover.quarantine(target, "IsComplete failed")
    folder = root / "lake-bucket" / "orders"
    assert moved.registered and not (folder / "process_date=2026-03-02").exists()
    assert (folder / "_quarantine" / "process_date=2026-03-02" / "part-0.parquet").is_file()
    marker = json.loads(
        (
            folder / "_quarantine" / "process_date=2026-03-02" / "_stepline_quarantine.json"
        ).read_text()
    )
    assert marker["reason"] == "IsComplete failed" and marker["registered"] is True
    table = catalog.get_table("lake", "orders")
    assert [p.values for p in catalog.all_partitions(table)] == [("2026-03-01",)]
    assert run(quality, "RowCount = 2", table="lake.orders")["status"] == "PASS"  # day 2 unseen
    # the folder scan skips "_quarantine" as well
    assert run(quality, "RowCount = 2", path="s3://lake-bucket/orders/")["status"] == "PASS"
    with pytest.raises(TargetError, match="no folder"):
        mover.quarantine(target)
    back = mover.release(target)
    assert back.registered and (folder / "process_date=2026-03-02" / "part-0.parquet").is_file()
    assert not (folder / "process_date=2026-03-02" / "_stepline_quarantine.json").exists()
    assert [p.values for p in catalog.all_partitions(table)] == [("2026-03-01",), ("2026-03-02",)]
    assert run(quality, "RowCount = 4", table="lake.orders")["status"] == "PASS"
    with pytest.raises(TargetError, match="not in quarantine"):
        mover.release(target)


def test_quarantine_of_a_path_partition_and_its_errors(tmp_path: Path) -> None:
    write(ORDERS, tmp_path / "data-bucket" / "events" / "day=1" / "a.parquet")
    write(ORDERS, tmp_path / "data-bucket" / "events" / "day=2" / "a.parquet")
    store = MemoryStore()
    mover = Quarantine(LakeCatalog(store, ManualClock(NOW)), LakePaths(tmp_path), ManualClock(NOW))
    target = Target(path="s3://data-bucket/events", partition="day=2")
    assert not mover.quarantine(target).registered
    assert (
        run(runner(store, tmp_path), "RowCount = 4", path="s3://data-bucket/events")["status"]
        == "PASS"
    )
    write(ORDERS, tmp_path / "data-bucket" / "events" / "day=2" / "again.parquet")
    with pytest.raises(TargetError, match="exists again"):
        mover.release(target)
    with pytest.raises(TargetError, match="needs a partition"):
        mover.quarantine(Target(path="s3://data-bucket/events"))
