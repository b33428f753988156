"""Partition pruning: which partitions a query's WHERE allows, and never fewer than needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlglot

from stepline.athena.pruning import allowed_values, prune
from stepline.athena.translate import Athena
from stepline.store.lake_records import LakeColumn, LakePartition, LakeTable, StorageDescriptor

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def allowed(sql: str) -> dict[str, set[str]]:
    return allowed_values(sqlglot.parse_one(sql, read=Athena), ["process_date", "region"])


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM t WHERE process_date = DATE '2025-01-26'",
            {"process_date": {"2025-01-26"}},
        ),
        ("SELECT * FROM t WHERE '2025-01-26' = process_date", {"process_date": {"2025-01-26"}}),
        (
            "SELECT * FROM t WHERE process_date IN ('a', 'b') AND region = 'eu' AND amount > 3",
            {"process_date": {"a", "b"}, "region": {"eu"}},
        ),
        (
            "SELECT * FROM t WHERE process_date IN ('a', 'b') AND process_date = 'b'",
            {"process_date": {"b"}},
        ),
        ("INSERT INTO g SELECT * FROM t WHERE region = 'eu'", {"region": {"eu"}}),
        ("SELECT * FROM t WHERE process_date = DATE '2025-01-26' OR region = 'eu'", {}),
        ("SELECT * FROM t WHERE process_date > DATE '2025-01-26'", {}),
        ("SELECT * FROM t WHERE process_date = other_column", {}),
        ("SELECT * FROM t", {}),
        ("SELECT * FROM t WHERE region = 'eu' UNION ALL SELECT * FROM t", {}),
        ("SELECT * FROM t JOIN u ON t.id = u.id WHERE region = 'eu'", {}),
    ],
)
def test_only_plain_conjunctions_on_partition_keys_prune(
    sql: str, expected: dict[str, set[str]]
) -> None:
    assert allowed(sql) == expected


def test_prune_keeps_the_partitions_allowed() -> None:
    keys = (LakeColumn("process_date", "date"), LakeColumn("region", "string"))
    columns = (LakeColumn("id", "bigint"),)
    table = LakeTable("sales", "t", StorageDescriptor("s3://b/t/", columns), T0, T0, keys)
    parts = [
        LakePartition("sales", "t", (day, region), StorageDescriptor(f"s3://b/t/{day}/"), T0)
        for day in ("a", "b")
        for region in ("eu", "us")
    ]
    kept = prune(table, parts, {"process_date": {"b"}, "region": {"eu", "xx"}})
    assert [p.values for p in kept] == [("b", "eu")]
    assert prune(table, parts, {}) == parts
