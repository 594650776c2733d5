-- 1.2.0: give keys a scope and a secret flag, and key names become unique per scope.

ALTER TABLE kv_pair ADD COLUMN scope VARCHAR(64) NOT NULL DEFAULT 'system';

-- BOOLEAN is TINYINT(1) here, and FALSE is 0.
ALTER TABLE kv_pair ADD COLUMN secret BOOLEAN NOT NULL DEFAULT FALSE;

-- A unique constraint is an index in MySQL/MariaDB, so it is dropped with DROP INDEX.
ALTER TABLE kv_pair DROP INDEX uq_kv_pair_name;

ALTER TABLE kv_pair ADD CONSTRAINT uq_kv_pair_scope_name UNIQUE (scope, name);
