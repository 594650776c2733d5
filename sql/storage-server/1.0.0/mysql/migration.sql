-- 1.0.0: create the initial storage-server schema (volumes, audit log, key-value store, executions).

CREATE TABLE storage_volume (
    id BIGINT NOT NULL AUTO_INCREMENT,
    name VARCHAR(100) NOT NULL,
    capacity_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_storage_volume_name UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The volume_id index is declared inline so InnoDB uses it for the foreign key
-- instead of creating an implicit one of its own.
CREATE TABLE audit_log (
    id BIGINT NOT NULL AUTO_INCREMENT,
    volume_id BIGINT NOT NULL,
    action VARCHAR(40) NOT NULL,
    detail VARCHAR(255),
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (id),
    INDEX idx_audit_log_volume_id (volume_id),
    CONSTRAINT fk_audit_log_volume FOREIGN KEY (volume_id) REFERENCES storage_volume (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE kv_pair (
    id BIGINT NOT NULL AUTO_INCREMENT,
    name VARCHAR(255) NOT NULL,
    value TEXT,
    expire_at TIMESTAMP NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_kv_pair_name UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- kind is 'workflow', 'task' or 'action'. A task's parent is a workflow execution,
-- an action's parent is a task execution.
CREATE TABLE executions (
    id BIGINT NOT NULL AUTO_INCREMENT,
    kind VARCHAR(20) NOT NULL,
    ref VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL,
    parent_id BIGINT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NULL,
    result VARCHAR(2000) NULL,
    PRIMARY KEY (id),
    INDEX idx_executions_parent_id (parent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
