-- Map Runs (DescribeMapRun, ListMapRuns). A Map Run is no row of its own: it is the
-- MapRunStarted event of the execution that started it (and its MapRunRedriven events),
-- with its counts in that execution's state. These indexes find those events by the Map
-- Run's ARN in their details (the expression is the one Store.map_run_events uses), and an
-- execution's Map Runs in start order.

CREATE INDEX events_map_run ON events (json_extract(details, '$.mapRunArn'), execution_arn, id)
    WHERE type IN ('MapRunStarted', 'MapRunRedriven');

CREATE INDEX events_map_run_starts ON events (execution_arn, id)
    WHERE type = 'MapRunStarted';
