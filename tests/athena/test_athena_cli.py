"""``stepline sql`` through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from athena_support import ORDERS_DDL, write_orders


def stepline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STEPLINE_DATA_ROOT": str(tmp_path / "lake")}
    env.pop("STEPLINE_DB", None)
    command = [sys.executable, "-m", "stepline.cli", "sql", "--db", f"sqlite:///{tmp_path}/s.db"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


def test_sql_command(tmp_path: Path) -> None:
    write_orders(tmp_path / "lake" / "lake" / "orders", 10)
    script = tmp_path / "setup.sql"
    script.write_text(
        "CREATE DATABASE sales;\n"
        + ORDERS_DDL.format(name="sales.orders", location="s3://lake/orders/")
        + ";\n-- register the partitions\nMSCK REPAIR TABLE sales.orders;\n",
        encoding="utf-8",
    )
    setup = stepline(tmp_path, "--file", str(script))
    assert setup.returncode == 0, setup.stderr
    assert "Repair: Added partition to metastore orders:process_date=2025-01-26" in setup.stdout

    table = stepline(
        tmp_path,
        "SELECT process_date, COUNT(*) AS row_count FROM orders"
        " WHERE process_date = DATE '2025-01-26' GROUP BY process_date",
        "--database",
        "sales",
    )
    assert table.returncode == 0, table.stderr
    assert table.stdout == (
        "+--------------+-----------+\n"
        "| process_date | row_count |\n"
        "+--------------+-----------+\n"
        "| 2025-01-26   |        10 |\n"
        "+--------------+-----------+\n"
        "(1 row)\n"
    )
    assert "SELECT SUCCEEDED in" in table.stderr

    csv = stepline(tmp_path, "SELECT 1 AS a, NULL AS b, 'x' AS c", "--output", "csv")
    assert csv.stdout == '"a","b","c"\n"1",,"x"\n'
    as_json = stepline(tmp_path, "SELECT 1 AS a, 'x' AS b, true AS c", "-o", "json")
    assert json.loads(as_json.stdout) == [{"a": 1, "b": "x", "c": True}]


def test_sql_command_errors(tmp_path: Path) -> None:
    bad = stepline(tmp_path, "SELECT * FROM nope")
    assert bad.returncode == 1
    assert bad.stderr.strip() == (
        "stepline sql: FAILED: TABLE_NOT_FOUND: line 1:15: Table"
        " 'awsdatacatalog.default.nope' does not exist"
    )
    assert "Traceback" not in bad.stderr
    usage = stepline(tmp_path)
    assert usage.returncode == 2
    assert "give the SQL either as an argument or with --file" in usage.stderr
    missing = stepline(tmp_path, "--file", "nope.sql")
    assert missing.returncode == 2 and "cannot read SQL file nope.sql" in missing.stderr
    stops = stepline(tmp_path, "SELECT 1; SELEC 2; SELECT 3")
    assert stops.returncode == 1
    assert stops.stdout.count("(1 row)") == 1
    assert "FAILED: SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'" in stops.stderr
