-- SQL over the lake (stepline.athena): the table catalog, shaped after the Glue Data
-- Catalog (databases, tables, partitions), Athena query executions and work groups.
-- Nested parts (a table's StorageDescriptor, its columns, parameters) are JSON text.
-- Names sort byte by byte (COLLATE "C"), as in SQLite and in memory.

CREATE TABLE lake_databases (
    name          text COLLATE "C" PRIMARY KEY,
    description   text,
    location_uri  text,
    parameters    text NOT NULL,  -- JSON object
    created_at    timestamptz NOT NULL
);

CREATE TABLE lake_tables (
    database_name   text COLLATE "C" NOT NULL,
    name            text COLLATE "C" NOT NULL,
    storage         text NOT NULL,  -- JSON: the StorageDescriptor (location, columns, SerDe)
    partition_keys  text NOT NULL,  -- JSON list of columns
    table_type      text NOT NULL,
    parameters      text NOT NULL,  -- JSON object (classification, skip.header.line.count...)
    description     text,
    owner           text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (database_name, name)
);

CREATE TABLE lake_partitions (
    database_name  text COLLATE "C" NOT NULL,
    table_name     text COLLATE "C" NOT NULL,
    values_key     text COLLATE "C" NOT NULL,  -- the values joined by U+001F
    value_list     text NOT NULL,  -- JSON list of the values
    storage        text NOT NULL,  -- JSON: the partition's StorageDescriptor
    parameters     text NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (database_name, table_name, values_key)
);

CREATE TABLE query_executions (
    seq                   bigint GENERATED ALWAYS AS IDENTITY,  -- insertion order
    id                    text PRIMARY KEY,
    query                 text NOT NULL,
    statement_type        text NOT NULL,
    state                 text NOT NULL,
    submitted_at          timestamptz NOT NULL,
    workgroup             text NOT NULL,
    database_name         text,
    catalog               text,
    output_location       text,
    execution_parameters  text NOT NULL,  -- JSON list
    client_request_token  text UNIQUE,
    substatement_type     text,
    state_change_reason   text,
    completed_at          timestamptz,
    error_category        integer,
    error_type            integer,
    error_message         text,
    engine_ms             bigint,
    total_ms              bigint,
    queue_ms              bigint,
    planning_ms           bigint,
    scanned_bytes         bigint,
    result_columns        text,  -- JSON list of the result's columns
    result_header         boolean NOT NULL,
    result_rows           bigint,
    update_count          bigint,
    owner                 text
);
CREATE INDEX query_executions_newest ON query_executions (submitted_at DESC, seq DESC);
CREATE INDEX query_executions_workgroup ON query_executions (workgroup, submitted_at DESC, seq DESC);

CREATE TABLE workgroups (
    name           text COLLATE "C" PRIMARY KEY,
    state          text NOT NULL,
    description    text,
    configuration  text NOT NULL,  -- JSON: Athena's WorkGroupConfiguration
    tags           text NOT NULL,
    created_at     timestamptz NOT NULL
);
