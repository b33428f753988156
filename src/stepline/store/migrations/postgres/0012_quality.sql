-- Quality runs (stepline.quality): one row per run, by dataset and partition.
CREATE TABLE quality_results (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- insertion order
    run_id          text NOT NULL UNIQUE,
    dataset         text NOT NULL,
    partition_spec  text NOT NULL,  -- '' for the whole dataset
    status          text NOT NULL,
    score           double precision NOT NULL,
    target          text NOT NULL,
    profile         text NOT NULL,
    results         text NOT NULL,  -- JSON
    created_at      timestamptz NOT NULL
);
CREATE INDEX quality_results_by_dataset ON quality_results (dataset, partition_spec, created_at);
