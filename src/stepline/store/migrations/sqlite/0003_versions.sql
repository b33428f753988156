-- State machine revisions, versions and aliases; every execution names the revision it runs.
-- A revision is an immutable snapshot of a definition and role, kept for good: an execution
-- decodes its stored state with exactly the definition it started with, whatever updates
-- came later. A machine that existed before this migration gets its definition as revision
-- 'INITIAL' (AWS's name for a machine's first revision), and so do its executions.

ALTER TABLE state_machines ADD COLUMN revision_id TEXT NOT NULL DEFAULT 'INITIAL';
-- the highest version number ever published: numbers are never reused
ALTER TABLE state_machines ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE state_machine_revisions (
    state_machine_arn  TEXT NOT NULL,
    id                 TEXT NOT NULL,
    definition         TEXT NOT NULL,
    role_arn           TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    PRIMARY KEY (state_machine_arn, id)
) WITHOUT ROWID;

INSERT INTO state_machine_revisions (state_machine_arn, id, definition, role_arn, created_at)
SELECT arn, revision_id, definition, role_arn, created_at FROM state_machines;

CREATE TABLE state_machine_versions (
    state_machine_arn  TEXT NOT NULL,
    number             INTEGER NOT NULL,
    revision_id        TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    description        TEXT,
    PRIMARY KEY (state_machine_arn, number)
) WITHOUT ROWID;
CREATE INDEX state_machine_versions_revision ON state_machine_versions (state_machine_arn, revision_id);

-- routes: JSON text, [{"version": <number>, "weight": <percent>}, ...] (one or two)
CREATE TABLE state_machine_aliases (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order, breaks ties
    state_machine_arn  TEXT NOT NULL,
    name               TEXT NOT NULL,
    routes             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    description        TEXT,
    UNIQUE (state_machine_arn, name)
);

ALTER TABLE executions ADD COLUMN revision_id TEXT NOT NULL DEFAULT 'INITIAL';
ALTER TABLE executions ADD COLUMN version_arn TEXT;
ALTER TABLE executions ADD COLUMN alias_arn TEXT;
