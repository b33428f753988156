-- Quality runs (stepline.quality): one row per run, by dataset and partition.
CREATE TABLE quality_results (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order (ties on time)
    run_id          TEXT NOT NULL UNIQUE,
    dataset         TEXT NOT NULL,
    partition_spec  TEXT NOT NULL,  -- "" for the whole dataset
    status          TEXT NOT NULL,
    score           REAL NOT NULL,
    target          TEXT NOT NULL,
    profile         TEXT NOT NULL,
    results         TEXT NOT NULL,  -- JSON
    created_at      INTEGER NOT NULL
);
CREATE INDEX quality_results_by_dataset ON quality_results (dataset, partition_spec, created_at);
