-- Glue-style jobs (stepline.jobs): job definitions, their runs, their bookmarks.
-- A job run is its own work item: workers claim STARTING runs (and RUNNING or STOPPING
-- runs whose lease expired) with the lease columns, as they claim rows of "work".

CREATE TABLE jobs (
    name         text PRIMARY KEY,
    definition   text NOT NULL,  -- JSON: Glue's Job members, defaults filled in
    created_at   timestamptz NOT NULL,
    modified_at  timestamptz NOT NULL,
    tags         text NOT NULL
);

CREATE TABLE job_runs (
    seq                bigint GENERATED ALWAYS AS IDENTITY,  -- insertion order, breaks ties
    id                 text PRIMARY KEY,
    job_name           text NOT NULL,
    state              text NOT NULL,
    definition         text NOT NULL,  -- the job's definition when the run started
    started_at         timestamptz NOT NULL,
    modified_at        timestamptz NOT NULL,
    timeout            integer NOT NULL,
    arguments          text NOT NULL,
    attempt            integer NOT NULL,
    previous_run_id    text,
    completed_at       timestamptz,
    execution_time     integer NOT NULL,
    error_message      text,
    state_detail       text,
    worker_type        text,
    number_of_workers  integer,
    glue_version       text,
    queuing            boolean NOT NULL,
    stdout_path        text,
    stderr_path        text,
    caller             text,
    caller_key         text UNIQUE,
    lease_owner        text,
    lease_until        timestamptz,
    claims             integer NOT NULL DEFAULT 0,
    process            text
);
CREATE INDEX job_runs_job_newest ON job_runs (job_name, started_at DESC, seq DESC);
-- Concurrency counts and the WAITING queue of a job: its runs that have not ended.
CREATE INDEX job_runs_open ON job_runs (job_name, state, started_at, seq)
    WHERE state IN ('STARTING', 'RUNNING', 'STOPPING', 'WAITING');
-- Claims: the claimable runs, oldest first.
CREATE INDEX job_runs_claimable ON job_runs (started_at, seq)
    WHERE state IN ('STARTING', 'RUNNING', 'STOPPING');

CREATE TABLE job_bookmarks (
    job_name  text PRIMARY KEY,
    entry     text NOT NULL  -- JSON: the bookmark entry (stepline.jobs.bookmarks)
);
