-- Pipelines (dataset <- state machine) and the partition ledger's notes.
CREATE TABLE pipelines (
    name               TEXT COLLATE "C" PRIMARY KEY,
    dataset            TEXT COLLATE "C" NOT NULL,
    state_machine_arn  TEXT NOT NULL,
    partition_path     TEXT NOT NULL,
    input_template     TEXT,
    replay_queue       TEXT,
    quality            TEXT,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX pipelines_by_dataset ON pipelines (dataset, name);
CREATE TABLE ledger_notes (
    id             TEXT COLLATE "C" PRIMARY KEY,
    dataset        TEXT COLLATE "C" NOT NULL,
    partition_key  TEXT COLLATE "C" NOT NULL,
    kind           TEXT NOT NULL,
    at             timestamptz NOT NULL,
    execution_arn  TEXT,
    source_arn     TEXT,
    detail         TEXT NOT NULL
);
CREATE INDEX ledger_notes_by_partition ON ledger_notes (dataset, partition_key, at);
