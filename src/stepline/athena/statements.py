"""The statements Athena runs, as typed records, and their classification (StatementType
and SubstatementType as GetQueryExecution reports them). Pure.

``stepline.athena.parse.parse_statement`` turns SQL text into one of these. The SQL of a
query (SELECT, and the query of INSERT INTO / CTAS) stays text, with its offset in the
statement so that errors point into what the user wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from stepline.store.lake_records import StatementType

PropertyValue: TypeAlias = "str | int | float | bool | tuple[str, ...]"


@dataclass(frozen=True, slots=True)
class TableName:
    database: str | None  # None: the query's database (QueryExecutionContext.Database)
    name: str

    def resolve(self, default_database: str) -> tuple[str, str]:
        return (self.database or default_database, self.name)


@dataclass(frozen=True, slots=True)
class ColumnDef:
    name: str
    type: str  # normalized Hive type
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class PartitionSpec:
    """``PARTITION (k1 = 'v1', k2 = 2) [LOCATION '...']``: the values by key, as written."""

    values: tuple[tuple[str, str], ...]
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """SELECT / WITH / VALUES: run on DuckDB, rows as the result."""

    sql: str
    offset: int = 0  # where ``sql`` starts in the statement


@dataclass(frozen=True, slots=True)
class Insert:
    table: TableName
    columns: tuple[str, ...] | None
    sql: str
    offset: int


@dataclass(frozen=True, slots=True)
class CreateTableAs:
    table: TableName
    if_not_exists: bool
    properties: Mapping[str, PropertyValue]
    sql: str
    offset: int
    with_data: bool = True


@dataclass(frozen=True, slots=True)
class CreateDatabase:
    name: str
    if_not_exists: bool = False
    comment: str | None = None
    location: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DropDatabase:
    name: str
    if_exists: bool = False
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class CreateExternalTable:
    table: TableName
    columns: tuple[ColumnDef, ...]
    location: str
    if_not_exists: bool = False
    partition_keys: tuple[ColumnDef, ...] = ()
    comment: str | None = None
    serde: str | None = None  # ROW FORMAT SERDE, or LazySimpleSerDe for DELIMITED
    serde_properties: Mapping[str, str] = field(default_factory=dict)
    stored_as: str | None = None  # PARQUET, TEXTFILE, JSON...
    input_format: str | None = None  # STORED AS INPUTFORMAT '...' OUTPUTFORMAT '...'
    output_format: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)  # TBLPROPERTIES


@dataclass(frozen=True, slots=True)
class DropTable:
    table: TableName
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class RepairTable:
    table: TableName


@dataclass(frozen=True, slots=True)
class AddPartitions:
    table: TableName
    partitions: tuple[PartitionSpec, ...]
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class DropPartitions:
    table: TableName
    partitions: tuple[PartitionSpec, ...]
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class ShowDatabases:
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class ShowTables:
    database: str | None = None
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class ShowPartitions:
    table: TableName


@dataclass(frozen=True, slots=True)
class ShowColumns:
    table: TableName


@dataclass(frozen=True, slots=True)
class ShowCreateTable:
    table: TableName


@dataclass(frozen=True, slots=True)
class ShowTableProperties:
    table: TableName
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Describe:
    table: TableName


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A statement Athena has and stepline does not run (UPDATE, CREATE VIEW, UNLOAD...)."""

    kind: str  # e.g. "CREATE VIEW"


Statement: TypeAlias = (
    Query
    | Insert
    | CreateTableAs
    | CreateDatabase
    | DropDatabase
    | CreateExternalTable
    | DropTable
    | RepairTable
    | AddPartitions
    | DropPartitions
    | ShowDatabases
    | ShowTables
    | ShowPartitions
    | ShowColumns
    | ShowCreateTable
    | ShowTableProperties
    | Describe
    | Unsupported
)

# AWS: QueryExecution.StatementType: "DDL indicates DDL query statements. DML indicates DML
# (Data Manipulation Language) query statements, such as CREATE TABLE AS SELECT. UTILITY
# indicates query statements other than DDL and DML, such as SHOW CREATE TABLE, or
# DESCRIBE TABLE."
_KINDS: dict[type, tuple[StatementType, str]] = {
    Query: ("DML", "SELECT"),
    Insert: ("DML", "INSERT"),
    CreateTableAs: ("DML", "CREATE_TABLE_AS_SELECT"),
    CreateDatabase: ("DDL", "CREATE_DATABASE"),
    DropDatabase: ("DDL", "DROP_DATABASE"),
    CreateExternalTable: ("DDL", "CREATE_TABLE"),
    DropTable: ("DDL", "DROP_TABLE"),
    RepairTable: ("DDL", "MSCK_REPAIR_TABLE"),
    AddPartitions: ("DDL", "ALTER_TABLE_ADD_PARTITION"),
    DropPartitions: ("DDL", "ALTER_TABLE_DROP_PARTITION"),
    ShowDatabases: ("UTILITY", "SHOW_DATABASES"),
    ShowTables: ("UTILITY", "SHOW_TABLES"),
    ShowPartitions: ("UTILITY", "SHOW_PARTITIONS"),
    ShowColumns: ("UTILITY", "SHOW_COLUMNS"),
    ShowCreateTable: ("UTILITY", "SHOW_CREATE_TABLE"),
    ShowTableProperties: ("UTILITY", "SHOW_TBLPROPERTIES"),
    Describe: ("UTILITY", "DESCRIBE_TABLE"),
}


def statement_type(statement: Statement) -> StatementType:
    if isinstance(statement, Unsupported):
        return "DML" if statement.kind in ("UPDATE", "DELETE", "MERGE", "UNLOAD") else "DDL"
    return _KINDS[type(statement)][0]


def substatement_type(statement: Statement) -> str:
    if isinstance(statement, Unsupported):
        return statement.kind.replace(" ", "_")
    return _KINDS[type(statement)][1]


def returns_header(statement: Statement) -> bool:
    """Whether GetQueryResults' first row is the header (SELECT-like results); Athena's DDL
    and utility results (SHOW TABLES...) have no header row."""
    return isinstance(statement, Query | Insert | CreateTableAs)
