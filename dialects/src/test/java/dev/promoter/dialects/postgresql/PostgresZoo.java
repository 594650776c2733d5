package dev.promoter.dialects.postgresql;

/** A schema with everything a clone must preserve, and some rows. */
final class PostgresZoo {
    private PostgresZoo() {
    }

    static final String SCHEMA = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
            CREATE TYPE pair AS (a int, b text);
            CREATE TABLE "Order Items" (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                "select" text, qty positive_int, price numeric(12,4),
                total numeric GENERATED ALWAYS AS (qty * price) STORED,
                m mood, moods mood[], tags text[], doc jsonb, raw json, blob bytea, at timestamptz, p pair,
                span interval, f real, d double precision, r int4range);
            CREATE INDEX ON "Order Items" USING gin (doc);
            CREATE TABLE "données" ("clé" serial PRIMARY KEY, "valeur ""quoted""\" text UNIQUE);
            CREATE TABLE nopk (a int, b text);
            CREATE TABLE measurements (id int, at date NOT NULL, v float8) PARTITION BY RANGE (at);
            CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            CREATE INDEX ON measurements (at);
            CREATE TABLE animals (id int, name text);
            CREATE TABLE dogs (bark text) INHERITS (animals);
            CREATE TABLE child (id serial PRIMARY KEY, item bigint REFERENCES "Order Items" (id));
            CREATE SCHEMA "Other Schema";
            CREATE TABLE "Other Schema"."user" (id int, "Weird ""col""\" text);
            CREATE VIEW v_items AS SELECT id, "select" FROM "Order Items";
            CREATE MATERIALIZED VIEW mv_counts AS SELECT count(*) AS n FROM nopk;
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.b := coalesce(NEW.b, '') || '!'; RETURN NEW; END $$;
            CREATE TRIGGER t_nopk BEFORE INSERT ON nopk FOR EACH ROW EXECUTE FUNCTION touch();
            """;

    static final String DATA = """
            INSERT INTO "Order Items" ("select", qty, price, m, moods, tags, doc, raw, blob, at, p, span, f, d, r) VALUES
              ('a', 2, 3.1415, 'happy', '{sad,ok}', '{x,"y z",NULL}', '{"k": [1, 2, {"n": null}]}', '{"raw":  1}',
               '\\x00ff10', '2024-03-01 12:00:00+02', ROW(1, 'one'), '1 day 02:03:04', 1.5, 0.1, '[1,10)'),
              (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              ('c', 1, 99999999.9999, 'sad', '{}', '{}', '[]', 'null', '', '-infinity', ROW(NULL, NULL), '-3 months', 'NaN',
               1e-300, 'empty');
            INSERT INTO "données" ("valeur ""quoted""\") VALUES ('été'), ('日本'), (NULL);
            INSERT INTO nopk VALUES (1, 'dup'), (1, 'dup'), (NULL, NULL);
            INSERT INTO measurements VALUES (1, '2024-05-01', 1.25), (2, '2025-05-01', 2.5), (3, '2025-06-01', NULL);
            INSERT INTO animals VALUES (1, 'cat');
            INSERT INTO dogs VALUES (2, 'rex', 'woof');
            INSERT INTO child (item) VALUES (1), (3), (NULL);
            INSERT INTO "Other Schema"."user" VALUES (1, 'q"uote');
            REFRESH MATERIALIZED VIEW mv_counts;
            """;
}
