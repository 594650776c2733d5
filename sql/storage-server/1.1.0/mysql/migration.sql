-- 1.1.0: add the tenant and user-store tables.

CREATE TABLE um_tenant (
    id BIGINT NOT NULL AUTO_INCREMENT,
    domain_name VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_um_tenant_domain_name UNIQUE (domain_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The (tenant_id, name) unique index also serves the tenant_id foreign key.
CREATE TABLE um_user_store (
    id BIGINT NOT NULL AUTO_INCREMENT,
    tenant_id BIGINT NOT NULL,
    name VARCHAR(100) NOT NULL,
    store_type VARCHAR(40) NOT NULL,
    properties VARCHAR(2000) NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_um_user_store_tenant_name UNIQUE (tenant_id, name),
    CONSTRAINT fk_um_user_store_tenant FOREIGN KEY (tenant_id) REFERENCES um_tenant (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
