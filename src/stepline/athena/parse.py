"""SQL text -> one ``Statement`` (stepline.athena.statements). Pure.

Athena runs DDL (CREATE EXTERNAL TABLE, MSCK REPAIR TABLE, SHOW...) with Hive's grammar and
queries with Trino's. This reads Hive's DDL completely (identifiers lower-cased, as Glue keeps
them) and only the head of the others: a query stays text for the translator.
"""

from __future__ import annotations

from typing import Final

from stepline.athena import statements as s
from stepline.athena.sqlcursor import TokenCursor
from stepline.athena.tokens import SqlSyntaxError, tokenize
from stepline.athena.types import HiveTypeError, normalize_hive_type

LAZY_SIMPLE: Final = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
_QUERY_STARTS: Final = ("SELECT", "WITH", "VALUES", "TABLE")
# Statements Athena has that stepline does not run (they fail NOT_SUPPORTED, not SYNTAX_ERROR)
_UNSUPPORTED: Final = (
    "UPDATE",
    "DELETE",
    "MERGE",
    "UNLOAD",
    "EXPLAIN",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "OPTIMIZE",
    "VACUUM",
    "USE",
    "GRANT",
    "REVOKE",
    "CALL",
    "START",
    "COMMIT",
    "ROLLBACK",
    "RESET",
    "SET",
    "ANALYZE",
    "REFRESH",
)
_DELIMITERS: Final = {
    ("FIELDS",): "field.delim",
    ("COLLECTION", "ITEMS"): "collection.delim",
    ("MAP", "KEYS"): "mapkey.delim",
    ("LINES",): "line.delim",
}


def parse_statement(text: str) -> s.Statement:
    """The statement in ``text`` (one; a trailing ";" is fine). Raises SqlSyntaxError."""
    tokens = tokenize(text, backslash_escapes=True)
    while tokens and tokens[-1].is_symbol(";"):
        tokens.pop()
    if not tokens:
        raise SqlSyntaxError("the query is empty", 0)
    for token in tokens:
        if token.is_symbol(";"):
            # AWS: StartQueryExecution runs one statement.
            raise SqlSyntaxError("Only one sql statement is allowed", token.start)
    return _Parser(text, tokens).statement()


class _Parser(TokenCursor):
    # ---- statements -----------------------------------------------------------------------
    def statement(self) -> s.Statement:
        first = self.tokens[0]
        if first.is_symbol("(") or first.is_word(*_QUERY_STARTS):
            return s.Query(*self.rest())
        if self.accept("INSERT", "INTO"):
            return self.insert()
        if self.accept("CREATE"):
            return self.create()
        if self.accept("DROP"):
            return self.drop()
        if self.accept("MSCK", "REPAIR", "TABLE"):
            statement = s.RepairTable(self.table_name())
            self.end()
            return statement
        if self.accept("ALTER", "TABLE"):
            return self.alter()
        if self.accept("SHOW"):
            return self.show()
        if self.accept("DESCRIBE") or self.accept("DESC"):
            if not self.accept("EXTENDED"):
                self.accept("FORMATTED")
            return s.Describe(self.table_name())
        if first.is_word(*_UNSUPPORTED):
            return s.Unsupported(first.value)
        raise self.fail("a statement (SELECT, INSERT, CREATE, DROP, ALTER, MSCK, SHOW...)")

    def insert(self) -> s.Statement:
        table = self.table_name()
        columns: tuple[str, ...] | None = None
        after = self.peek(1)
        if self.at_symbol("(") and not (after is not None and after.is_word(*_QUERY_STARTS)):
            self.expect_symbol("(")
            names = [self.name("a column name")]
            while self.accept_symbol(","):
                names.append(self.name("a column name"))
            self.expect_symbol(")")
            columns = tuple(names)
        sql, offset = self.rest()
        return s.Insert(table, columns, sql, offset)

    def create(self) -> s.Statement:
        if self.accept("DATABASE") or self.accept("SCHEMA"):
            return self.create_database()
        if self.accept("EXTERNAL", "TABLE"):
            return self.create_external_table()
        if self.accept("TABLE"):
            return self.create_table_as()
        if self.accept("OR", "REPLACE", "VIEW") or self.accept("VIEW"):
            return s.Unsupported("CREATE VIEW")
        return s.Unsupported(f"CREATE {self.next_word()}".strip())

    def create_database(self) -> s.CreateDatabase:
        if_not_exists = self.if_not_exists()
        name = self.name("a database name")
        comment = location = None
        properties: dict[str, str] = {}
        while self.peek() is not None:
            if self.accept("COMMENT"):
                comment = self.string()
            elif self.accept("LOCATION"):
                location = self.string()
            elif self.accept("WITH", "DBPROPERTIES"):
                properties = self.properties()
            else:
                raise self.fail("COMMENT, LOCATION or WITH DBPROPERTIES")
        return s.CreateDatabase(name, if_not_exists, comment, location, properties)

    def properties(self) -> dict[str, str]:
        """``('k' = 'v', ...)``"""
        self.expect_symbol("(")
        found: dict[str, str] = {}
        while True:
            key = self.string("a property name")
            self.expect_symbol("=")
            found[key] = self.string("a property value")
            if not self.accept_symbol(","):
                break
        self.expect_symbol(")")
        return found

    def column_defs(self) -> tuple[s.ColumnDef, ...]:
        self.expect_symbol("(")
        columns = [self.column_def()]
        while self.accept_symbol(","):
            columns.append(self.column_def())
        self.expect_symbol(")")
        return tuple(columns)

    def column_def(self) -> s.ColumnDef:
        name = self.name("a column name")
        start = self.peek()
        depth = 0
        while (token := self.peek()) is not None:
            if token.kind == "symbol" and token.text in "<(":
                depth += 1
            elif token.kind == "symbol" and token.text in ">)":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (token.is_symbol(",") or token.is_word("COMMENT")):
                break
            self.i += 1
        if start is None or self.peek() is start:
            raise self.fail("a column type")
        type_text = self.text[start.start : self.tokens[self.i - 1].end]
        try:
            type_name = normalize_hive_type(type_text)
        except HiveTypeError as error:
            raise SqlSyntaxError(str(error), start.start) from None
        comment = self.string() if self.accept("COMMENT") else None
        return s.ColumnDef(name, type_name, comment)

    def create_external_table(self) -> s.CreateExternalTable:
        if_not_exists = self.if_not_exists()
        table = self.table_name()
        columns = self.column_defs() if self.at_symbol("(") else ()
        fields: dict[str, object] = {}
        serde_properties: dict[str, str] = {}
        while self.peek() is not None:
            if self.accept("COMMENT"):
                fields["comment"] = self.string()
            elif self.accept("PARTITIONED", "BY"):
                fields["partition_keys"] = self.column_defs()
            elif self.accept("CLUSTERED", "BY"):
                where = self.tokens[self.i - 2].start
                raise SqlSyntaxError("bucketed tables (CLUSTERED BY) are not supported", where)
            elif self.accept("ROW", "FORMAT"):
                serde, found = self.row_format()
                fields["serde"] = serde
                serde_properties.update(found)
            elif self.accept("WITH", "SERDEPROPERTIES"):
                serde_properties.update(self.properties())
            elif self.accept("STORED", "AS"):
                if self.accept("INPUTFORMAT"):
                    fields["input_format"] = self.string()
                    self.expect("OUTPUTFORMAT")
                    fields["output_format"] = self.string()
                else:
                    fields["stored_as"] = self.name("a file format").upper()
            elif self.accept("LOCATION"):
                fields["location"] = self.string("an S3 location")
            elif self.accept("TBLPROPERTIES"):
                fields["properties"] = self.properties()
            else:
                raise self.fail("PARTITIONED BY, ROW FORMAT, STORED AS, LOCATION or TBLPROPERTIES")
        if "location" not in fields:
            # AWS: Athena needs the LOCATION of an external table's data.
            raise SqlSyntaxError("External tables need a LOCATION 's3://...'", len(self.text))
        if not columns:
            raise SqlSyntaxError("a table needs at least one column", len(self.text))
        return s.CreateExternalTable(
            table=table,
            columns=columns,
            if_not_exists=if_not_exists,
            serde_properties=serde_properties,
            **fields,  # type: ignore[arg-type]
        )

    def row_format(self) -> tuple[str, dict[str, str]]:
        if self.accept("SERDE"):
            serde = self.string("a SerDe class name")
            found = self.properties() if self.accept("WITH", "SERDEPROPERTIES") else {}
            return serde, found
        self.expect("DELIMITED")
        found = {}
        while True:
            for words, key in _DELIMITERS.items():
                if self.accept(*words, "TERMINATED", "BY"):
                    found[key] = self.string()
                    if key == "field.delim":
                        found["serialization.format"] = found[key]
                        if self.accept("ESCAPED", "BY"):
                            found["escape.delim"] = self.string()
                    break
            else:
                if self.accept("NULL", "DEFINED", "AS"):
                    found["serialization.null.format"] = self.string()
                    continue
                return LAZY_SIMPLE, found

    def create_table_as(self) -> s.Statement:
        if_not_exists = self.if_not_exists()
        table = self.table_name()
        properties: dict[str, s.PropertyValue] = {}
        if self.accept("WITH"):
            properties = self.ctas_properties()
        if not self.accept("AS"):
            return s.Unsupported("CREATE TABLE")  # Iceberg tables: not here
        sql, offset = self.rest()
        with_data, last = True, self.tokens
        if len(last) > 2 and last[-2].is_word("WITH") and last[-1].is_word("DATA"):
            sql = self.text[offset : last[-2].start].rstrip()
        elif len(last) > 3 and [t.value for t in last[-3:]] == ["WITH", "NO", "DATA"]:
            with_data = False
            sql = self.text[offset : last[-3].start].rstrip()
        return s.CreateTableAs(table, if_not_exists, properties, sql, offset, with_data)

    def ctas_properties(self) -> dict[str, s.PropertyValue]:
        """``(format = 'PARQUET', partitioned_by = ARRAY['day'], bucket_count = 4)``"""
        self.expect_symbol("(")
        found: dict[str, s.PropertyValue] = {}
        while True:
            key = self.name("a table property")
            self.expect_symbol("=")
            found[key] = self.property_value()
            if not self.accept_symbol(","):
                break
        self.expect_symbol(")")
        return found

    def property_value(self) -> s.PropertyValue:
        token = self.peek()
        if token is None:
            raise self.fail("a property value")
        if token.kind == "string":
            self.i += 1
            return token.value
        if token.kind == "number":
            self.i += 1
            return float(token.text) if "." in token.text else int(token.text)
        if token.is_word("TRUE", "FALSE"):
            self.i += 1
            return token.value == "TRUE"
        if self.accept("ARRAY"):
            self.expect_symbol("[")
            items = [] if self.accept_symbol("]") else [self.string()]
            while items and self.accept_symbol(","):
                items.append(self.string())
            if items:
                self.expect_symbol("]")
            return tuple(items)
        raise self.fail("a string, number, boolean or ARRAY[...]")

    def drop(self) -> s.Statement:
        if self.accept("TABLE"):
            if_exists = self.if_exists()
            statement = s.DropTable(self.table_name(), if_exists)
            self.end()
            return statement
        if self.accept("DATABASE") or self.accept("SCHEMA"):
            if_exists = self.if_exists()
            name = self.name("a database name")
            cascade = self.accept("CASCADE")
            if not cascade:
                self.accept("RESTRICT")
            self.end()
            return s.DropDatabase(name, if_exists, cascade)
        return s.Unsupported(f"DROP {self.next_word()}".strip())

    def partition_spec(self) -> s.PartitionSpec:
        self.expect("PARTITION")
        self.expect_symbol("(")
        values = []
        while True:
            key = self.name("a partition column")
            self.expect_symbol("=")
            token = self.peek()
            if token is not None and token.is_word("DATE", "TIMESTAMP"):
                self.i += 1
                token = self.peek()
            if token is None or token.kind not in ("string", "number", "word"):
                raise self.fail("a partition value")
            self.i += 1
            values.append((key, token.value if token.kind == "string" else token.text))
            if not self.accept_symbol(","):
                break
        self.expect_symbol(")")
        location = self.string() if self.accept("LOCATION") else None
        return s.PartitionSpec(tuple(values), location)

    def alter(self) -> s.Statement:
        table = self.table_name()
        if self.accept("ADD"):
            if_not_exists = self.if_not_exists()
            specs = [self.partition_spec()]
            while self.at_word("PARTITION"):
                specs.append(self.partition_spec())
            self.end()
            return s.AddPartitions(table, tuple(specs), if_not_exists)
        if self.accept("DROP"):
            if_exists = self.if_exists()
            specs = [self.partition_spec()]
            while self.accept_symbol(","):
                specs.append(self.partition_spec())
            self.end()
            return s.DropPartitions(table, tuple(specs), if_exists)
        return s.Unsupported("ALTER TABLE")

    def show(self) -> s.Statement:
        if self.accept("DATABASES") or self.accept("SCHEMAS"):
            pattern = self.string() if self.accept("LIKE") else None
            self.end()
            return s.ShowDatabases(pattern)
        if self.accept("TABLES"):
            database = self.name("a database name") if self.accept("IN") else None
            pattern = self.string() if self.peek() is not None else None
            self.end()
            return s.ShowTables(database, pattern)
        if self.accept("PARTITIONS"):
            return s.ShowPartitions(self.table_name())
        if self.accept("COLUMNS"):
            if not (self.accept("IN") or self.accept("FROM")):
                raise self.fail("IN or FROM")
            table = self.table_name()
            if self.accept("IN") or self.accept("FROM"):
                table = s.TableName(self.name("a database name"), table.name)
            return s.ShowColumns(table)
        if self.accept("CREATE", "TABLE"):
            return s.ShowCreateTable(self.table_name())
        if self.accept("TBLPROPERTIES"):
            table = self.table_name()
            name = None
            if self.accept_symbol("("):
                name = self.string("a property name")
                self.expect_symbol(")")
            return s.ShowTableProperties(table, name)
        return s.Unsupported(f"SHOW {self.next_word()}".strip())
