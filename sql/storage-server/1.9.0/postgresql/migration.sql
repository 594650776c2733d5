-- 1.9.0: new keys default to the renamed system scope 'st2kv.system'.

ALTER TABLE kv_pair ALTER COLUMN scope SET DEFAULT 'st2kv.system';
