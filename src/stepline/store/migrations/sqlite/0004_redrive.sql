-- RedriveExecution: how often an execution was redriven, and when last (DescribeExecution's
-- redriveCount / redriveDate; ListExecutions' redriveFilter).

ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN redrive_date INTEGER;
