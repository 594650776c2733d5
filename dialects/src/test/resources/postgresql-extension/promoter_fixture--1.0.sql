-- Promoter's test fixture (see promoter_fixture.control).
\echo Use "CREATE EXTENSION promoter_fixture" to load this file. \quit

-- the extension's own rows (builtin) are made by CREATE EXTENSION; pg_dump dumps only the users' rows
CREATE TABLE fixture_settings (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    value jsonb,
    builtin boolean NOT NULL DEFAULT false
);
INSERT INTO fixture_settings (name, value, builtin) VALUES ('retention', '"7 days"', true), ('batch', '500', true);
SELECT pg_catalog.pg_extension_config_dump('fixture_settings', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('fixture_settings_id_seq', '');

-- every row of this one is the users'
CREATE TABLE fixture_jobs (
    job text PRIMARY KEY,
    schedule text NOT NULL,
    payload bytea
);
SELECT pg_catalog.pg_extension_config_dump('fixture_jobs', '');
