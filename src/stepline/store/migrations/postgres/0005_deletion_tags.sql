-- DeleteStateMachine, tags, and the configurations DescribeStateMachine shows.
--
-- A machine being deleted is 'DELETING' until its last running execution ends (AWS:
-- DeleteStateMachine). Its executions are flagged machine_deleting: the next state
-- transition of a running one fails it, an ended one cannot be redriven. The configurations are JSON text as the API gives them
-- (NULL: never given).

ALTER TABLE state_machines ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE';
ALTER TABLE state_machines ADD COLUMN logging_configuration text;
ALTER TABLE state_machines ADD COLUMN tracing_configuration text;
ALTER TABLE state_machines ADD COLUMN encryption_configuration text;

ALTER TABLE executions ADD COLUMN machine_deleting boolean NOT NULL DEFAULT false;

-- Tags of state machines and activities (TagResource); deleted with their resource.
CREATE TABLE tags (
    resource_arn  text NOT NULL,
    key           text NOT NULL,
    value         text NOT NULL,
    PRIMARY KEY (resource_arn, key)
);
