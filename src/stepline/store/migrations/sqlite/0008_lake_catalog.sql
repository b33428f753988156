-- SQL over the lake (stepline.athena): the table catalog, shaped after the Glue Data
-- Catalog (databases, tables, partitions), Athena query executions and work groups.
-- Nested parts (a table's StorageDescriptor, its columns, parameters) are JSON text.

CREATE TABLE lake_databases (
    name          TEXT PRIMARY KEY,
    description   TEXT,
    location_uri  TEXT,
    parameters    TEXT NOT NULL,  -- JSON object
    created_at    INTEGER NOT NULL
);

CREATE TABLE lake_tables (
    database_name   TEXT NOT NULL,
    name            TEXT NOT NULL,
    storage         TEXT NOT NULL,  -- JSON: the StorageDescriptor (location, columns, SerDe)
    partition_keys  TEXT NOT NULL,  -- JSON list of columns
    table_type      TEXT NOT NULL,
    parameters      TEXT NOT NULL,  -- JSON object (classification, skip.header.line.count...)
    description     TEXT,
    owner           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (database_name, name)
);

CREATE TABLE lake_partitions (
    database_name  TEXT NOT NULL,
    table_name     TEXT NOT NULL,
    values_key     TEXT NOT NULL,  -- the values joined by U+001F: sorts as the tuple does
    value_list     TEXT NOT NULL,  -- JSON list of the values
    storage        TEXT NOT NULL,  -- JSON: the partition's StorageDescriptor
    parameters     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (database_name, table_name, values_key)
);

CREATE TABLE query_executions (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order, breaks ties
    id                    TEXT NOT NULL UNIQUE,
    query                 TEXT NOT NULL,
    statement_type        TEXT NOT NULL,
    state                 TEXT NOT NULL,
    submitted_at          INTEGER NOT NULL,
    workgroup             TEXT NOT NULL,
    database_name         TEXT,
    catalog               TEXT,
    output_location       TEXT,
    execution_parameters  TEXT NOT NULL,  -- JSON list
    client_request_token  TEXT UNIQUE,
    substatement_type     TEXT,
    state_change_reason   TEXT,
    completed_at          INTEGER,
    error_category        INTEGER,
    error_type            INTEGER,
    error_message         TEXT,
    engine_ms             INTEGER,
    total_ms              INTEGER,
    queue_ms              INTEGER,
    planning_ms           INTEGER,
    scanned_bytes         INTEGER,
    result_columns        TEXT,  -- JSON list of the result's columns
    result_header         INTEGER NOT NULL,
    result_rows           INTEGER,
    update_count          INTEGER,
    owner                 TEXT
);
CREATE INDEX query_executions_newest ON query_executions (submitted_at DESC, seq DESC);
CREATE INDEX query_executions_workgroup ON query_executions (workgroup, submitted_at DESC, seq DESC);

CREATE TABLE workgroups (
    name           TEXT PRIMARY KEY,
    state          TEXT NOT NULL,
    description    TEXT,
    configuration  TEXT NOT NULL,  -- JSON: Athena's WorkGroupConfiguration
    tags           TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
