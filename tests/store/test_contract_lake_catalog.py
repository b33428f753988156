"""The store contract for the lake's table catalog, Athena query executions and work groups:
memory, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from factories import T0, AnyStore, at

from stepline.store.lake_records import (
    LakeColumn,
    LakeDatabase,
    LakePartition,
    LakeTable,
    QueryExecutionRecord,
    SerDeInfo,
    StorageDescriptor,
    WorkGroupRecord,
)
from stepline.store.protocol import AlreadyExists, NotFound

PARQUET = SerDeInfo(
    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", {"serialization.format": "1"}
)


def database(name: str = "sales") -> LakeDatabase:
    return LakeDatabase(name, T0, "the sales data", "s3://lake/sales/", {"owner": "data"})


def table(
    name: str = "orders", db: str = "sales", location: str = "s3://lake/orders/"
) -> LakeTable:
    storage = StorageDescriptor(
        location=location,
        columns=(LakeColumn("order_id", "bigint"), LakeColumn("tags", "array<string>", "labels")),
        input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serde_info=PARQUET,
    )
    return LakeTable(
        database=db,
        name=name,
        storage_descriptor=storage,
        created_at=T0,
        updated_at=T0,
        partition_keys=(LakeColumn("process_date", "date"),),
        parameters={"classification": "parquet"},
    )


def partition(values: tuple[str, ...], name: str = "orders", db: str = "sales") -> LakePartition:
    location = f"s3://lake/orders/process_date={'/'.join(values)}/"
    storage = StorageDescriptor(location=location, serde_info=PARQUET)
    return LakePartition(db, name, values, storage, at(5))


def query(query_id: str, submitted: float = 0, **changes: object) -> QueryExecutionRecord:
    record = QueryExecutionRecord(
        id=query_id,
        query="SELECT 1",
        statement_type="DML",
        state="QUEUED",
        submitted_at=at(submitted),
        database="sales",
        catalog="AwsDataCatalog",
        output_location=f"s3://results/{query_id}.csv",
        execution_parameters=("'a'", "1"),
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


# ---- databases and tables ---------------------------------------------------------------


def test_databases_create_get_list_update_delete(store: AnyStore) -> None:
    store.create_lake_database(database("sales"))
    store.create_lake_database(LakeDatabase("analytics", at(1)))
    assert store.get_lake_database("sales") == database("sales")
    assert store.get_lake_database("nope") is None
    assert [d.name for d in store.list_lake_databases()] == ["analytics", "sales"]
    assert [d.name for d in store.list_lake_databases(after="analytics")] == ["sales"]
    assert [d.name for d in store.list_lake_databases(limit=1)] == ["analytics"]
    with pytest.raises(AlreadyExists, match="sales"):
        store.create_lake_database(database("sales"))

    changed = LakeDatabase("sales", at(99), "new", None, {"k": "v"})
    store.update_lake_database(changed)
    assert store.get_lake_database("sales") == dataclasses.replace(changed, created_at=T0)
    with pytest.raises(NotFound, match="nope"):
        store.update_lake_database(LakeDatabase("nope", T0))
    assert store.delete_lake_database("analytics") is True
    assert store.delete_lake_database("analytics") is False


def test_tables_need_their_database_and_a_free_name(store: AnyStore) -> None:
    with pytest.raises(NotFound, match="sales"):
        store.create_lake_table(table())
    store.create_lake_database(database())
    store.create_lake_table(table())
    assert store.get_lake_table("sales", "orders") == table()
    with pytest.raises(AlreadyExists, match=r"sales\.orders"):
        store.create_lake_table(table(location="s3://other/"))
    assert store.get_lake_table("sales", "nope") is None
    assert store.get_lake_table("other", "orders") is None


def test_tables_list_update_delete(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_database(database("other"))
    for name in ("orders", "customers", "items"):
        store.create_lake_table(table(name))
    store.create_lake_table(table("zeta", db="other"))
    assert [t.name for t in store.list_lake_tables("sales")] == ["customers", "items", "orders"]
    assert [t.name for t in store.list_lake_tables("sales", after="items")] == ["orders"]
    assert [t.name for t in store.list_lake_tables("sales", limit=2)] == ["customers", "items"]
    assert store.list_lake_tables("none") == []

    updated = dataclasses.replace(
        table("orders", location="s3://lake/v2/"),
        created_at=at(50),
        updated_at=at(60),
        parameters={"classification": "parquet", "note": "moved"},
        description="orders, v2",
    )
    store.update_lake_table(updated)
    assert store.get_lake_table("sales", "orders") == dataclasses.replace(updated, created_at=T0)
    with pytest.raises(NotFound):
        store.update_lake_table(table("nope"))
    assert store.delete_lake_table("sales", "orders") is True
    assert store.delete_lake_table("sales", "orders") is False
    assert [t.name for t in store.list_lake_tables("sales")] == ["customers", "items"]


def test_deleting_a_database_deletes_its_tables_and_partitions(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_table(table())
    store.create_lake_partitions("sales", "orders", [partition(("2025-01-01",))])
    assert store.delete_lake_database("sales") is True
    assert store.get_lake_table("sales", "orders") is None
    store.create_lake_database(database())
    store.create_lake_table(table())
    assert store.list_lake_partitions("sales", "orders") == []


# ---- partitions ------------------------------------------------------------------------


def test_partitions_are_added_once_and_listed_by_values(store: AnyStore) -> None:
    with pytest.raises(NotFound, match=r"sales\.orders"):
        store.create_lake_partitions("sales", "orders", [partition(("2025-01-01",))])
    store.create_lake_database(database())
    store.create_lake_table(table())
    days = ["2025-01-03", "2025-01-01", "2025-01-02"]
    assert store.create_lake_partitions("sales", "orders", [partition((d,)) for d in days]) == []
    again = [partition(("2025-01-02",)), partition(("2025-01-04",)), partition(("2025-01-04",))]
    skipped = store.create_lake_partitions("sales", "orders", again)
    assert skipped == [("2025-01-02",), ("2025-01-04",)]  # existed; a duplicate of the batch
    listed = store.list_lake_partitions("sales", "orders")
    assert [p.values for p in listed] == [(f"2025-01-0{i}",) for i in range(1, 5)]
    assert listed[0] == partition(("2025-01-01",))
    page = store.list_lake_partitions("sales", "orders", after=("2025-01-02",), limit=1)
    assert [p.values for p in page] == [("2025-01-03",)]
    assert store.get_lake_partition("sales", "orders", ["2025-01-03"]) == partition(("2025-01-03",))
    assert store.get_lake_partition("sales", "orders", ["1999-01-01"]) is None


def test_partition_values_order_as_tuples(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_table(table())
    values = [("b", "1"), ("a b", "2"), ("a", "9"), ("a", "10"), ("B", "0"), ("é", "0")]
    store.create_lake_partitions("sales", "orders", [partition(v) for v in values])
    listed = [p.values for p in store.list_lake_partitions("sales", "orders")]
    assert listed == sorted(values)  # byte order, value by value


def test_partitions_of_another_table_are_refused(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_table(table())
    with pytest.raises(ValueError, match=r"not of sales\.orders"):
        store.create_lake_partitions("sales", "orders", [partition(("x",), name="items")])


def test_deleting_partitions(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_table(table())
    store.create_lake_partitions("sales", "orders", [partition((d,)) for d in "abc"])
    assert store.delete_lake_partitions("sales", "orders", [["a"], ["c"], ["zz"]]) == 2
    assert [p.values for p in store.list_lake_partitions("sales", "orders")] == [("b",)]
    with pytest.raises(NotFound):
        store.delete_lake_partitions("sales", "nope", [["a"]])
    # a table deleted and created again starts with no partitions
    store.delete_lake_table("sales", "orders")
    store.create_lake_table(table())
    assert store.list_lake_partitions("sales", "orders") == []


def test_concurrent_writers_add_each_partition_once(store: AnyStore) -> None:
    store.create_lake_database(database())
    store.create_lake_table(table())
    skipped: list[list[tuple[str, ...]]] = []
    barrier = threading.Barrier(4)

    def add() -> None:
        barrier.wait()
        batch = [partition((f"d{i:02d}",)) for i in range(20)]
        skipped.append(store.create_lake_partitions("sales", "orders", batch))

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.list_lake_partitions("sales", "orders")) == 20
    assert sum(len(s) for s in skipped) == 60  # each added by exactly one writer


# ---- query executions --------------------------------------------------------------------


def test_query_executions_create_get_and_token_idempotency(store: AnyStore) -> None:
    first = query("q-1", client_request_token="token-" + "x" * 32)
    assert store.create_query_execution(first) == first
    assert store.get_query_execution("q-1") == first
    assert store.get_query_execution("nope") is None
    # the same token again: the execution holding it, nothing inserted
    again = query("q-2", client_request_token="token-" + "x" * 32)
    assert store.create_query_execution(again) == first
    assert store.get_query_execution("q-2") is None
    with pytest.raises(AlreadyExists, match="q-1"):
        store.create_query_execution(query("q-1"))


def test_query_executions_list_newest_first_by_workgroup(store: AnyStore) -> None:
    store.create_query_execution(query("a", 1))
    store.create_query_execution(query("b", 3, workgroup="etl"))
    store.create_query_execution(query("c", 2))
    store.create_query_execution(query("d", 2))  # same time as c, inserted later
    assert [q.id for q in store.list_query_executions()] == ["b", "d", "c", "a"]
    assert [q.id for q in store.list_query_executions("primary")] == ["d", "c", "a"]
    assert [q.id for q in store.list_query_executions(limit=2)] == ["b", "d"]
    assert [q.id for q in store.list_query_executions(after_id="d")] == ["c", "a"]
    assert [q.id for q in store.list_query_executions("etl", after_id="b")] == []
    assert store.list_query_executions(after_id="nope") == []


def test_query_execution_updates_are_guarded_by_state(store: AnyStore) -> None:
    store.create_query_execution(query("q-1"))
    running = query("q-1", state="RUNNING", owner="host:1:abc", statement_type="DDL")
    assert store.update_query_execution(running, ["QUEUED"]) is True
    assert store.update_query_execution(running, ["QUEUED"]) is False  # no longer QUEUED
    done = dataclasses.replace(
        running,
        state="SUCCEEDED",
        query="changed?",  # the query, submission and context never change
        submitted_at=at(77),
        completed_at=at(3),
        engine_ms=120,
        total_ms=130,
        queue_ms=5,
        planning_ms=2,
        scanned_bytes=2048,
        result_columns='[{"name": "x", "type": "integer"}]',
        result_header=True,
        result_rows=3,
        update_count=None,
        state_change_reason=None,
    )
    assert store.update_query_execution(done, ["RUNNING"]) is True
    stored = store.get_query_execution("q-1")
    assert stored == dataclasses.replace(done, query="SELECT 1", submitted_at=at(0))
    failed = dataclasses.replace(done, state="FAILED", error_category=2, error_type=1006)
    assert store.update_query_execution(failed, ["QUEUED", "RUNNING"]) is False
    assert store.update_query_execution(query("nope"), ["QUEUED"]) is False


# ---- work groups -------------------------------------------------------------------------


def test_workgroups_create_get_list_update_delete(store: AnyStore) -> None:
    config = '{"ResultConfiguration": {"OutputLocation": "s3://results/etl/"}}'
    etl = WorkGroupRecord("etl", T0, description="ETL", configuration=config, tags='{"a": "b"}')
    store.create_workgroup(etl)
    store.create_workgroup(WorkGroupRecord("adhoc", at(1)))
    assert store.get_workgroup("etl") == etl
    assert etl.output_location == "s3://results/etl/"
    assert store.get_workgroup("nope") is None
    assert [w.name for w in store.list_workgroups()] == ["adhoc", "etl"]
    with pytest.raises(AlreadyExists, match="etl"):
        store.create_workgroup(WorkGroupRecord("etl", T0))
    store.update_workgroup(WorkGroupRecord("etl", at(9), "DISABLED", "off", "{}", "{}"))
    assert store.get_workgroup("etl") == WorkGroupRecord(
        "etl", T0, "DISABLED", "off", "{}", '{"a": "b"}'
    )
    with pytest.raises(NotFound, match="nope"):
        store.update_workgroup(WorkGroupRecord("nope", T0))
    assert store.delete_workgroup("etl") is True
    assert store.delete_workgroup("etl") is False
