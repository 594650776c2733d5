-- 1.2.0 product script: keys named 'user:...' belong to the user scope.

UPDATE kv_pair SET scope = 'user' WHERE name LIKE 'user:%';
