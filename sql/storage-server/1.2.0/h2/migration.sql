-- 1.2.0: give keys a scope and a secret flag, and key names become unique per scope.

ALTER TABLE kv_pair ADD COLUMN scope VARCHAR(64) NOT NULL DEFAULT 'system';

ALTER TABLE kv_pair ADD COLUMN secret BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE kv_pair DROP CONSTRAINT uq_kv_pair_name;

ALTER TABLE kv_pair ADD CONSTRAINT uq_kv_pair_scope_name UNIQUE (scope, name);
