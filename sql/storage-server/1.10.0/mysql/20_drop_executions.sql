-- 1.10.0 product script: drop the old executions table, now that its rows have been moved.

DROP TABLE executions;
