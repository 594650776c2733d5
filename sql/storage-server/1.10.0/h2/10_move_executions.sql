-- 1.10.0 product script: copy executions into the per-kind tables, keeping their ids.

INSERT INTO workflow_executions (id, ref, status, started_at, finished_at, result)
SELECT id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'workflow';

INSERT INTO task_executions (id, workflow_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'task';

INSERT INTO action_executions (id, task_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'action';

-- Explicit ids do not advance an identity's sequence: restart each one above the highest copied id
-- (H2 2.x accepts a scalar subquery as the RESTART WITH value).

ALTER TABLE workflow_executions ALTER COLUMN id RESTART WITH (SELECT COALESCE(MAX(id), 0) + 1 FROM workflow_executions);

ALTER TABLE task_executions ALTER COLUMN id RESTART WITH (SELECT COALESCE(MAX(id), 0) + 1 FROM task_executions);

ALTER TABLE action_executions ALTER COLUMN id RESTART WITH (SELECT COALESCE(MAX(id), 0) + 1 FROM action_executions);
