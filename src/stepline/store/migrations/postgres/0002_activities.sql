-- Step Functions activities. An activity task is a work item of kind 'activity' (payload
-- {"activity_arn": ..., "input": ...}) that waits for GetActivityTask; workers' claims never
-- take one, so the claim index leaves them out.

CREATE TABLE activities (
    arn         text PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);

-- The activity's queue, oldest first (the expression is the one take_activity_task uses).
CREATE INDEX work_activity ON work (((payload::jsonb) ->> 'activity_arn'), due_at, id)
    WHERE kind = 'activity';

-- Claims: due order over everything but activity tasks (replaces work_due).
CREATE INDEX work_claimable ON work (due_at, id) WHERE kind <> 'activity';
DROP INDEX work_due;
