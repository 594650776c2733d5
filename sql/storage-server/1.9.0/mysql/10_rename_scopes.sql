-- 1.9.0 product script: rename scope values system -> st2kv.system and user -> st2kv.user.

UPDATE kv_pair SET scope = 'st2kv.system' WHERE scope = 'system';

UPDATE kv_pair SET scope = 'st2kv.user' WHERE scope = 'user';
