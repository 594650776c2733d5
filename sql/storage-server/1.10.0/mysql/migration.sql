-- 1.10.0: create workflow_executions, task_executions and action_executions, which replace executions.

CREATE TABLE workflow_executions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    ref VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NULL,
    result VARCHAR(2000) NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE task_executions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    workflow_execution_id BIGINT NOT NULL,
    ref VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NULL,
    result VARCHAR(2000) NULL,
    PRIMARY KEY (id),
    INDEX idx_task_executions_workflow_id (workflow_execution_id),
    CONSTRAINT fk_task_executions_workflow FOREIGN KEY (workflow_execution_id) REFERENCES workflow_executions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE action_executions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    task_execution_id BIGINT NULL,
    ref VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NULL,
    result VARCHAR(2000) NULL,
    PRIMARY KEY (id),
    INDEX idx_action_executions_task_id (task_execution_id),
    CONSTRAINT fk_action_executions_task FOREIGN KEY (task_execution_id) REFERENCES task_executions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
