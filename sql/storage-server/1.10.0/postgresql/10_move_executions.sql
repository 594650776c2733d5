-- 1.10.0 product script: copy executions into the per-kind tables, keeping their ids.

INSERT INTO workflow_executions (id, ref, status, started_at, finished_at, result)
SELECT id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'workflow';

INSERT INTO task_executions (id, workflow_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'task';

INSERT INTO action_executions (id, task_execution_id, ref, status, started_at, finished_at, result)
SELECT id, parent_id, ref, status, started_at, finished_at, result FROM executions WHERE kind = 'action';

-- Explicit ids do not advance an identity's sequence: restart each one above the highest copied id.

SELECT setval(pg_get_serial_sequence('workflow_executions', 'id'), COALESCE((SELECT max(id) FROM workflow_executions), 0) + 1, false);

SELECT setval(pg_get_serial_sequence('task_executions', 'id'), COALESCE((SELECT max(id) FROM task_executions), 0) + 1, false);

SELECT setval(pg_get_serial_sequence('action_executions', 'id'), COALESCE((SELECT max(id) FROM action_executions), 0) + 1, false);
