"""``stepline quality ...`` as real subprocesses on a SQLite store and a lake of real files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from runner import Run


def _lake(root: Path) -> Path:
    events = root / "lake" / "data-bucket" / "events"
    for day, rows in (("day=1", "(1, 'a'), (2, 'b')"), ("day=2", "(3, 'a'), (NULL, 'c')")):
        (events / day).mkdir(parents=True)
        duckdb.sql(
            f"COPY (SELECT * FROM (VALUES {rows}) t(id, kind)) "
            f"TO '{events / day / 'p.parquet'}' (FORMAT PARQUET)"
        )
    (root / "rules.dqdl").write_text('Rules = [\n  RowCount = 2,\n  IsComplete "id"\n]\n')
    return events


def test_run_results_quarantine_release(cli: Run, tmp_path: Path) -> None:
    events = _lake(tmp_path)
    lake = ["--data-root", str(tmp_path / "lake")]
    where = ["--path", "s3://data-bucket/events", "--dataset", "events"]
    good = cli("quality", "run", "--ruleset", "rules.dqdl", *where, "--partition", "day=1", *lake)
    assert good.returncode == 0, good.stderr
    assert "PASS" in good.stdout and 'IsComplete "id"' in good.stdout
    assert "PASS: score 1.0000 (profile default)" in good.stdout
    bad = cli("quality", "run", "--ruleset", "rules.dqdl", *where, "--partition", "day=2",
              *lake, "--json")  # fmt: skip
    assert bad.returncode == 1, bad.stderr
    answer = json.loads(bad.stdout)
    assert answer["status"] == "FAIL" and answer["failed_checks"] == ['IsComplete "id"']
    assert answer["quality_score"] == 0.5
    lenient = cli("quality", "run", "--ruleset", "rules.dqdl", *where, "--partition", "day=2",
                  *lake, "--profile", '{"min_score": 0.5}')  # fmt: skip
    assert lenient.returncode == 0, lenient.stdout
    listed = cli("quality", "results", "events", "--partition", "day=2", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["status"] for r in json.loads(listed.stdout)] == ["PASS", "FAIL"]
    table = cli("quality", "results", "events")
    assert len(table.stdout.splitlines()) == 3 and "day=1" in table.stdout
    moved = cli("quality", "quarantine", "--path", "s3://data-bucket/events", "--partition",
                "day=2", *lake)  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert (events / "_quarantine" / "day=2" / "p.parquet").is_file()
    back = cli("quality", "release", "--path", "s3://data-bucket/events", "--partition",
               "day=2", *lake)  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert (events / "day=2" / "p.parquet").is_file()


def test_bad_input_exits_2_with_a_message(cli: Run, tmp_path: Path) -> None:
    _lake(tmp_path)
    (tmp_path / "bad.dqdl").write_text('Rules = [\n  RowCount > 0,\n  Completeness "id"\n]')
    lake = ["--data-root", str(tmp_path / "lake"), "--path", "s3://data-bucket/events"]
    bad = cli("quality", "run", "--ruleset", "bad.dqdl", *lake)
    assert bad.returncode == 2
    assert "Quality.InvalidRuleset" in bad.stderr and "line 4, column 1" in bad.stderr
    assert "Completeness needs an expression" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("quality", "run", "--checks", "nope.sql", *lake)
    assert missing.returncode == 2 and "cannot read the checks file" in missing.stderr
    table = cli("quality", "run", "--ruleset", "bad.dqdl", "--table", "lake.nope")
    assert table.returncode == 2 and "Traceback" not in table.stderr
    both = cli("quality", "run", "--ruleset", "bad.dqdl", "--checks", "x.sql", *lake)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    nothing = cli("quality", "quarantine", *lake, "--partition", "day=9")
    assert nothing.returncode == 2 and "Quality.PartitionNotFound" in nothing.stderr
