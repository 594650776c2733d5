-- 1.10.0 product script: copy executions into the per-kind tables, keeping their ids.

INSERT INTO workflow_executions (id, ref, status, started_at, finished_at, result)
SELECT id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'workflow';

INSERT INTO task_executions (id, workflow_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'task';

INSERT INTO action_executions (id, task_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'action';

-- No identity restart is needed: InnoDB moves AUTO_INCREMENT past every id inserted explicitly.
