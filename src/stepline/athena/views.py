"""A catalog table as a DuckDB view over its files, with its partition columns.

Athena reads what the catalog says: an unpartitioned table's files are everything under its
location (sub-folders too); a partitioned table's are those of its *registered* partitions
only (MSCK REPAIR TABLE, ALTER TABLE ADD PARTITION, INSERT INTO register them). Files and
folders whose names start with "_" or "." are skipped (``_SUCCESS``, staging leftovers).

Partitions laid out the Hive way under the table (``<location>/k1=v1/k2=v2/``) are read by one
scan with DuckDB's ``hive_partitioning`` (partition filters prune files); others become one
scan each with their values as constants. ``gather`` does the I/O (the catalog, the file
system); ``view_sql`` is pure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote

from stepline.athena.formats import FileFormat, file_format
from stepline.athena.types import hive_to_duckdb, quote_identifier, quote_literal
from stepline.lake.paths import LakePaths
from stepline.store.lake_records import LakePartition, LakeTable

HIVE_DEFAULT_PARTITION: Final = "__HIVE_DEFAULT_PARTITION__"
Probe = Callable[[str], Sequence[str]]  # reader SQL -> the column names it gives


@dataclass(frozen=True, slots=True)
class DataFile:
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class Branch:
    """One scan: files, and the partition values as constants (None: from the paths)."""

    files: tuple[DataFile, ...]
    values: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class TableSource:
    """A table and its files as a query reads them."""

    table: LakeTable
    format: FileFormat
    branches: tuple[Branch, ...]

    @property
    def scanned_bytes(self) -> int:
        return sum(f.size for branch in self.branches for f in branch.files)


def local_dir(lake: LakePaths, location: str, where: str) -> Path:
    """A table or partition location (s3://, file:// or a local path) as a local folder."""
    if location.startswith("file://"):
        return Path(location[len("file://") :])
    return Path(lake.resolve(location, where=where))


def list_files(root: Path) -> list[DataFile]:
    """The data files under ``root`` (recursively), by path; none when it does not exist."""
    found: list[DataFile] = []
    if root.is_file():
        return [DataFile(str(root), root.stat().st_size)]
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(("_", ".")))
        for name in sorted(files):
            if name.startswith(("_", ".")) or name.endswith(".crc"):
                continue
            path = os.path.join(directory, name)
            try:
                size = os.path.getsize(path)
            except OSError:  # removed meanwhile
                continue
            found.append(DataFile(path, size))
    return found


def hive_layout(table: LakeTable, root: Path, partition: LakePartition, folder: Path) -> bool:
    """Whether ``partition``'s folder is ``<table folder>/k1=v1/...``: then DuckDB reads its
    values from the path (URL-decoded, as Hive and DuckDB write them)."""
    relative = os.path.relpath(os.path.normpath(folder), os.path.normpath(root))
    parts = relative.split(os.sep)
    if relative.startswith("..") or len(parts) != len(table.partition_keys):
        return False
    for part, key, value in zip(parts, table.partition_keys, partition.values, strict=True):
        name, sep, raw = part.partition("=")
        if not sep or name.lower() != key.name.lower() or unquote(raw) != value:
            return False
    return True


def gather(table: LakeTable, partitions: Sequence[LakePartition], lake: LakePaths) -> TableSource:
    """The files ``table`` reads (``partitions``: its registered partitions)."""
    fmt = file_format(table)
    where = f"the location of table {table.database}.{table.name}"
    root = local_dir(lake, table.location, where)
    if not table.partition_keys:
        found = tuple(list_files(root))
        return TableSource(table, fmt, (Branch(found),) if found else ())
    hive_files: list[DataFile] = []
    branches: list[Branch] = []
    for partition in partitions:
        folder = local_dir(lake, partition.location, f"partition {list(partition.values)}")
        files = list_files(folder)
        if not files:
            continue
        if hive_layout(table, root, partition, folder):
            hive_files.extend(files)
        else:
            branches.append(Branch(tuple(files), partition.values))
    if hive_files:
        branches.insert(0, Branch(tuple(hive_files)))
    return TableSource(table, fmt, tuple(branches))


def reader_sql(source: TableSource, branch: Branch) -> str:
    """The DuckDB table function reading one branch's files."""
    fmt = source.format
    paths = "[" + ", ".join(quote_literal(f.path) for f in branch.files) + "]"
    hive = branch.values is None and bool(source.table.partition_keys)
    options = [f"hive_partitioning = {'true' if hive else 'false'}"]
    if hive:
        types = ", ".join(
            f"{quote_literal(k.name)}: {quote_literal(hive_to_duckdb(k.type))}"
            for k in source.table.partition_keys
        )
        options.append(f"hive_types = {{{types}}}")
    if fmt.kind == "parquet":
        options.append("union_by_name = true")
        return f"read_parquet({paths}, {', '.join(options)})"
    columns = source.table.storage_descriptor.columns
    if fmt.kind == "json":
        spec = ", ".join(
            f"{quote_literal(c.name)}: {quote_literal(hive_to_duckdb(c.type))}" for c in columns
        )
        options += ["format = 'newline_delimited'", f"columns = {{{spec}}}"]
        if fmt.ignore_malformed:
            options.append("ignore_errors = true")
        return f"read_json({paths}, {', '.join(options)})"
    spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns)))
    options += [
        f"delim = {quote_literal(fmt.delimiter)}",
        f"quote = {quote_literal(fmt.quote)}",
        f"escape = {quote_literal(fmt.escape)}",
        f"nullstr = {quote_literal(fmt.null_format)}",
        f"skip = {fmt.header_lines}",
        "header = false",
        "auto_detect = false",
        "null_padding = true",
        "strict_mode = false",
        f"columns = {{{spec}}}",
    ]
    return f"read_csv({paths}, {', '.join(options)})"


def _select_list(source: TableSource, branch: Branch, present: set[str] | None) -> str:
    items = []
    for index, column in enumerate(source.table.storage_descriptor.columns):
        name, duck = quote_identifier(column.name), hive_to_duckdb(column.type)
        if source.format.kind == "csv":
            if duck == "VARCHAR":
                items.append(f'"c{index}" AS {name}')
            else:
                # NULLIF: Hive reads an empty field of a non-string column as NULL (and it
                # keeps DuckDB from pushing the cast into the CSV reader, where it fails)
                items.append(f"""TRY_CAST(NULLIF("c{index}", '') AS {duck}) AS {name}""")
        elif present is not None and column.name.lower() not in present:
            items.append(f"CAST(NULL AS {duck}) AS {name}")  # not in these files
        else:
            items.append(f"CAST({name} AS {duck}) AS {name}")
    for index, key in enumerate(source.table.partition_keys):
        name, duck = quote_identifier(key.name), hive_to_duckdb(key.type)
        if branch.values is None:
            items.append(f"CAST({name} AS {duck}) AS {name}")
        elif branch.values[index] == HIVE_DEFAULT_PARTITION:
            items.append(f"CAST(NULL AS {duck}) AS {name}")
        else:
            value = unquote(branch.values[index])
            items.append(f"TRY_CAST({quote_literal(value)} AS {duck}) AS {name}")
    return ", ".join(items)


def view_sql(source: TableSource, probe: Probe | None = None) -> str:
    """The SELECT a table's view is: its columns, then its partition keys, typed as the
    catalog says. ``probe`` tells which columns Parquet files have (missing ones are NULL)."""
    parts = []
    for branch in source.branches:
        reader = reader_sql(source, branch)
        present = None
        if probe is not None and source.format.kind == "parquet":
            present = {name.lower() for name in probe(reader)}
        parts.append(f"SELECT {_select_list(source, branch, present)} FROM {reader}")
    if not parts:
        table = source.table
        nulls = [
            f"CAST(NULL AS {hive_to_duckdb(c.type)}) AS {quote_identifier(c.name)}"
            for c in (*table.storage_descriptor.columns, *table.partition_keys)
        ]
        return f"SELECT {', '.join(nulls)} WHERE false"
    return " UNION ALL ".join(parts)
