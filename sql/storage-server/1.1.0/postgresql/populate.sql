-- 1.1.0 seed data: the default tenant carbon.super and its PRIMARY JDBC user store.

INSERT INTO um_tenant (domain_name, created_at) VALUES ('carbon.super', CURRENT_TIMESTAMP);

INSERT INTO um_user_store (tenant_id, name, store_type, properties)
SELECT id, 'PRIMARY', 'JDBC', NULL FROM um_tenant WHERE domain_name = 'carbon.super';
