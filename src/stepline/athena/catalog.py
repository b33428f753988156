"""The lake's table catalog: the use cases behind the Glue Data Catalog operations
(CreateDatabase, GetDatabase(s), CreateTable, GetTable(s), UpdateTable, DeleteTable,
GetPartitions, BatchCreatePartition...) and behind Athena's DDL, over the store.

Names are lower case, as Glue keeps them. Errors are Glue's (EntityNotFoundException,
AlreadyExistsException, InvalidInputException) with Glue's messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from stepline.athena.errors import AlreadyExists, EntityNotFound, InvalidInput
from stepline.runtime.clock import Clock
from stepline.store import protocol as store_errors
from stepline.store.lake_records import (
    LakeColumn,
    LakeDatabase,
    LakePartition,
    LakeTable,
    StorageDescriptor,
)
from stepline.store.protocol import Store

DEFAULT_DATABASE: Final = "default"
_MAX_NAME: Final = 255


@dataclass(frozen=True, slots=True)
class PartitionError:
    """One partition BatchCreatePartition did not create (Glue's PartitionError)."""

    values: tuple[str, ...]
    code: str  # AlreadyExistsException, InvalidInputException
    message: str


def check_name(name: str, what: str) -> str:
    """``name`` lower-cased; InvalidInput when it is empty, too long or not one line."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{what} name must not be empty")
    if len(name) > _MAX_NAME or any(ch in name for ch in "\r\n"):
        raise InvalidInput(f"{what} name {name!r} must be one line of at most 255 characters")
    return name.lower()


def _lower(column: LakeColumn) -> LakeColumn:
    return dataclasses.replace(column, name=column.name.lower())


class LakeCatalog:
    """Databases, tables and partitions, in Glue's terms."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # ---- databases ------------------------------------------------------------------------
    def create_database(
        self,
        name: str,
        description: str | None = None,
        location_uri: str | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> LakeDatabase:
        record = LakeDatabase(
            check_name(name, "Database"),
            self.clock.now(),
            description,
            location_uri,
            dict(parameters or {}),
        )
        try:
            self.store.create_lake_database(record)
        except store_errors.AlreadyExists:
            raise AlreadyExists("Database already exists.") from None
        return record

    def ensure_database(self, name: str) -> LakeDatabase:
        """The database, created when missing (Athena's ``default`` always exists)."""
        found = self.store.get_lake_database(name.lower())
        if found is not None:
            return found
        try:
            return self.create_database(name)
        except AlreadyExists:
            return self.get_database(name)

    def get_database(self, name: str) -> LakeDatabase:
        found = self.store.get_lake_database(name.lower())
        if found is None:
            raise EntityNotFound(f"Database {name} not found.")
        return found

    def databases(
        self, next_token: str | None = None, limit: int = 100
    ) -> tuple[list[LakeDatabase], str | None]:
        """GetDatabases: by name, ``limit`` at a time; the next page's token (None: last)."""
        found = self.store.list_lake_databases(after=next_token or None, limit=limit + 1)
        return found[:limit], (found[limit - 1].name if len(found) > limit else None)

    def update_database(
        self,
        name: str,
        description: str | None = None,
        location_uri: str | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> LakeDatabase:
        current = self.get_database(name)
        record = dataclasses.replace(
            current,
            description=description,
            location_uri=location_uri,
            parameters=dict(parameters or {}),
        )
        self.store.update_lake_database(record)
        return record

    def delete_database(self, name: str) -> None:
        """Delete it with its tables and their partitions (never their files)."""
        if not self.store.delete_lake_database(name.lower()):
            raise EntityNotFound(f"Database {name} not found.")

    # ---- tables ---------------------------------------------------------------------------
    def new_table(
        self,
        database: str,
        name: str,
        storage: StorageDescriptor,
        partition_keys: Sequence[LakeColumn] = (),
        parameters: Mapping[str, str] | None = None,
        description: str | None = None,
        table_type: str = "EXTERNAL_TABLE",
        owner: str | None = None,
    ) -> LakeTable:
        """A table record, names lower-cased and times now (not stored yet)."""
        now = self.clock.now()
        columns = tuple(_lower(c) for c in storage.columns)
        keys = tuple(_lower(k) for k in partition_keys)
        return LakeTable(
            database=check_name(database, "Database"),
            name=check_name(name, "Table"),
            storage_descriptor=dataclasses.replace(storage, columns=columns),
            created_at=now,
            updated_at=now,
            partition_keys=keys,
            table_type=table_type,
            parameters=dict(parameters or {}),
            description=description,
            owner=owner,
        )

    def create_table(self, table: LakeTable) -> LakeTable:
        self.get_database(table.database)
        try:
            self.store.create_lake_table(table)
        except store_errors.NotFound:
            raise EntityNotFound(f"Database {table.database} not found.") from None
        except store_errors.AlreadyExists:
            raise AlreadyExists("Table already exists.") from None
        return table

    def find_table(self, database: str, name: str) -> LakeTable | None:
        return self.store.get_lake_table(database.lower(), name.lower())

    def get_table(self, database: str, name: str) -> LakeTable:
        self.get_database(database)
        found = self.find_table(database, name)
        if found is None:
            raise EntityNotFound(f"Table {name} not found.")
        return found

    def tables(
        self, database: str, next_token: str | None = None, limit: int = 100
    ) -> tuple[list[LakeTable], str | None]:
        """GetTables: the database's tables by name, ``limit`` at a time."""
        db = self.get_database(database)
        found = self.store.list_lake_tables(db.name, after=next_token or None, limit=limit + 1)
        return found[:limit], (found[limit - 1].name if len(found) > limit else None)

    def update_table(self, table: LakeTable) -> LakeTable:
        """UpdateTable: replace the table's definition (its partitions stay)."""
        current = self.get_table(table.database, table.name)
        record = dataclasses.replace(
            table, created_at=current.created_at, updated_at=self.clock.now()
        )
        try:
            self.store.update_lake_table(record)
        except store_errors.NotFound:
            raise EntityNotFound(f"Table {table.name} not found.") from None
        return record

    def delete_table(self, database: str, name: str) -> None:
        """DeleteTable (its partitions too; never the files)."""
        self.get_database(database)
        if not self.store.delete_lake_table(database.lower(), name.lower()):
            raise EntityNotFound(f"Table {name} not found.")

    # ---- partitions -----------------------------------------------------------------------
    def new_partition(
        self, table: LakeTable, values: Sequence[str], location: str
    ) -> LakePartition:
        """A partition of ``table`` at ``location``, read as the table is (not stored yet)."""
        sd = dataclasses.replace(table.storage_descriptor, location=location, columns=())
        return LakePartition(table.database, table.name, tuple(values), sd, self.clock.now())

    def create_partitions(
        self, table: LakeTable, partitions: Sequence[LakePartition]
    ) -> list[PartitionError]:
        """BatchCreatePartition: add those the table has not; the others are errors."""
        errors: list[PartitionError] = []
        valid = []
        for partition in partitions:
            if len(partition.values) != len(table.partition_keys):
                errors.append(
                    PartitionError(
                        tuple(partition.values),
                        "InvalidInputException",
                        "The number of partition keys do not match the number of partition values",
                    )
                )
            else:
                valid.append(partition)
        try:
            skipped = self.store.create_lake_partitions(table.database, table.name, valid)
        except store_errors.NotFound:
            raise EntityNotFound(f"Table {table.name} not found.") from None
        errors += [
            PartitionError(values, "AlreadyExistsException", "Partition already exists.")
            for values in skipped
        ]
        return errors

    def partitions(
        self,
        table: LakeTable,
        next_token: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> tuple[list[LakePartition], tuple[str, ...] | None]:
        """GetPartitions: by values, ``limit`` at a time; the next page starts after the
        values returned as the token (None: the last page)."""
        found = self.store.list_lake_partitions(
            table.database, table.name, after=next_token, limit=limit + 1
        )
        more = len(found) > limit
        return found[:limit], (found[limit - 1].values if more and limit else None)

    def all_partitions(self, table: LakeTable) -> list[LakePartition]:
        found: list[LakePartition] = []
        after: tuple[str, ...] | None = None
        while True:
            page = self.store.list_lake_partitions(
                table.database, table.name, after=after, limit=10_000
            )
            found += page
            if len(page) < 10_000:
                return found
            after = page[-1].values

    def delete_partitions(self, table: LakeTable, values: Sequence[Sequence[str]]) -> int:
        try:
            return self.store.delete_lake_partitions(table.database, table.name, values)
        except store_errors.NotFound:
            raise EntityNotFound(f"Table {table.name} not found.") from None
