-- Glue-style jobs (stepline.jobs): job definitions, their runs, their bookmarks.
-- A job run is its own work item: workers claim STARTING runs (and RUNNING or STOPPING
-- runs whose lease expired) with the lease columns, as they claim rows of "work".

CREATE TABLE jobs (
    name         TEXT PRIMARY KEY,
    definition   TEXT NOT NULL,  -- JSON: Glue's Job members, defaults filled in
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    tags         TEXT NOT NULL
);

CREATE TABLE job_runs (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order, breaks ties
    id                 TEXT NOT NULL UNIQUE,
    job_name           TEXT NOT NULL,
    state              TEXT NOT NULL,
    definition         TEXT NOT NULL,  -- the job's definition when the run started
    started_at         INTEGER NOT NULL,
    modified_at        INTEGER NOT NULL,
    timeout            INTEGER NOT NULL,
    arguments          TEXT NOT NULL,
    attempt            INTEGER NOT NULL,
    previous_run_id    TEXT,
    completed_at       INTEGER,
    execution_time     INTEGER NOT NULL,
    error_message      TEXT,
    state_detail       TEXT,
    worker_type        TEXT,
    number_of_workers  INTEGER,
    glue_version       TEXT,
    queuing            INTEGER NOT NULL,
    stdout_path        TEXT,
    stderr_path        TEXT,
    caller             TEXT,
    caller_key         TEXT UNIQUE,
    lease_owner        TEXT,
    lease_until        INTEGER,
    claims             INTEGER NOT NULL DEFAULT 0,
    process            TEXT
);
CREATE INDEX job_runs_job_newest ON job_runs (job_name, started_at DESC, seq DESC);
-- Concurrency counts and the WAITING queue of a job: its runs that have not ended.
CREATE INDEX job_runs_open ON job_runs (job_name, state, started_at, seq)
    WHERE state IN ('STARTING', 'RUNNING', 'STOPPING', 'WAITING');
-- Claims: the claimable runs, oldest first.
CREATE INDEX job_runs_claimable ON job_runs (started_at, seq)
    WHERE state IN ('STARTING', 'RUNNING', 'STOPPING');

CREATE TABLE job_bookmarks (
    job_name  TEXT PRIMARY KEY,
    entry     TEXT NOT NULL  -- JSON: the bookmark entry (stepline.jobs.bookmarks)
);
