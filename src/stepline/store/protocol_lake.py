"""The part of the ``Store`` protocol that keeps the lake's table catalog, Athena's query
executions, work groups and named queries (tests/store/test_contract_lake_catalog.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from stepline.store.lake_records import (
    LakeDatabase,
    LakePartition,
    LakeTable,
    NamedQueryRecord,
    QueryExecutionRecord,
    QueryState,
    WorkGroupRecord,
)


class LakeStore(Protocol):
    # ---- the lake's table catalog (tests/store/test_contract_lake_catalog.py) -------------
    # Shaped after the Glue Data Catalog; names are kept as given (the use cases lower them).
    def create_lake_database(self, database: LakeDatabase) -> None:
        """Raises AlreadyExists when a database has that name."""
        ...

    def get_lake_database(self, name: str) -> LakeDatabase | None: ...

    def list_lake_databases(
        self, after: str | None = None, limit: int = 1000
    ) -> list[LakeDatabase]:
        """By name; ``after``: only those named after that (the next page)."""
        ...

    def update_lake_database(self, database: LakeDatabase) -> None:
        """Replace its description, location and parameters. Raises NotFound."""
        ...

    def delete_lake_database(self, name: str) -> bool:
        """Delete it with its tables and their partitions (never their files). False when
        there was no such database."""
        ...

    def create_lake_table(self, table: LakeTable) -> None:
        """Raises NotFound (no such database), AlreadyExists (the database has a table of
        that name)."""
        ...

    def get_lake_table(self, database: str, name: str) -> LakeTable | None: ...

    def list_lake_tables(
        self, database: str, after: str | None = None, limit: int = 1000
    ) -> list[LakeTable]:
        """The database's tables by name; ``after``: those named after that."""
        ...

    def update_lake_table(self, table: LakeTable) -> None:
        """Replace the table (its created_at stays; its partitions too). Raises NotFound."""
        ...

    def delete_lake_table(self, database: str, name: str) -> bool:
        """Delete it with its partitions (never their files); False when there was none."""
        ...

    def create_lake_partitions(
        self, database: str, table: str, partitions: Sequence[LakePartition]
    ) -> list[tuple[str, ...]]:
        """Add the partitions the table has not (by values; the first of duplicates given
        wins) in one transaction; returns the values of those skipped because they existed.
        Raises NotFound (no such table), ValueError (a partition of another table)."""
        ...

    def get_lake_partition(
        self, database: str, table: str, values: Sequence[str]
    ) -> LakePartition | None: ...

    def list_lake_partitions(
        self,
        database: str,
        table: str,
        after: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> list[LakePartition]:
        """The table's partitions ordered by their values (as tuples of strings, byte
        order); ``after``: those after these values (the next page)."""
        ...

    def delete_lake_partitions(
        self, database: str, table: str, values: Sequence[Sequence[str]]
    ) -> int:
        """Delete the partitions with these values (others are ignored); returns how many
        were deleted. Raises NotFound (no such table)."""
        ...

    # ---- Athena query executions and work groups (same suite) ----------------------------
    def create_query_execution(self, record: QueryExecutionRecord) -> QueryExecutionRecord:
        """Insert the execution and return it; when its ``client_request_token`` is taken,
        return the execution holding it instead (StartQueryExecution is idempotent).
        Raises AlreadyExists when an execution has that id."""
        ...

    def get_query_execution(self, query_id: str) -> QueryExecutionRecord | None: ...

    def list_query_executions(
        self, workgroup: str | None = None, limit: int = 50, after_id: str | None = None
    ) -> list[QueryExecutionRecord]:
        """Newest first (submitted_at, then insertion order), of one work group when given;
        ``after_id``: those listed after that one (none when it does not exist)."""
        ...

    def update_query_execution(
        self, record: QueryExecutionRecord, from_states: Sequence[QueryState]
    ) -> bool:
        """Write the execution's state, times, statistics, result and error as ``record``
        has them (its id, query, submission, work group, context, parameters and token
        stay) when its stored state is one of ``from_states``; False, changing nothing,
        otherwise (it was cancelled, or ended, meanwhile)."""
        ...

    def create_workgroup(self, workgroup: WorkGroupRecord) -> None:
        """Raises AlreadyExists when a work group has that name."""
        ...

    def get_workgroup(self, name: str) -> WorkGroupRecord | None: ...

    def list_workgroups(self) -> list[WorkGroupRecord]:
        """By name."""
        ...

    def update_workgroup(self, workgroup: WorkGroupRecord) -> None:
        """Replace its state, description and configuration. Raises NotFound."""
        ...

    def delete_workgroup(self, name: str) -> bool: ...

    # ---- Athena named queries -------------------------------------------------------------
    def create_named_query(self, record: NamedQueryRecord) -> None:
        """Raises AlreadyExists (its id is taken)."""
        ...

    def get_named_query(self, query_id: str) -> NamedQueryRecord | None: ...

    def list_named_queries(
        self, workgroup: str, after_id: str | None = None, limit: int = 50
    ) -> list[NamedQueryRecord]:
        """A work group's named queries, by id, after ``after_id``."""
        ...

    def delete_named_query(self, query_id: str) -> bool: ...
