-- DeleteStateMachine, tags, and the configurations DescribeStateMachine shows.
--
-- A machine being deleted is 'DELETING' until its last running execution ends (AWS:
-- DeleteStateMachine). Its executions are flagged machine_deleting: the next state
-- transition of a running one fails it, an ended one cannot be redriven. The configurations are JSON text as the API gives them
-- (NULL: never given).

ALTER TABLE state_machines ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE';
ALTER TABLE state_machines ADD COLUMN logging_configuration TEXT;
ALTER TABLE state_machines ADD COLUMN tracing_configuration TEXT;
ALTER TABLE state_machines ADD COLUMN encryption_configuration TEXT;

ALTER TABLE executions ADD COLUMN machine_deleting INTEGER NOT NULL DEFAULT 0;

-- Tags of state machines and activities (TagResource); deleted with their resource.
CREATE TABLE tags (
    resource_arn  TEXT NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;
