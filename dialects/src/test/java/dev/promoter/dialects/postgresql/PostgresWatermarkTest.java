package dev.promoter.dialects.postgresql;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the switch's proof sees on a real server: schema changes, which move no tuple counter, and what it must not. */
class PostgresWatermarkTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    private List<String> changesAfter(String db, String... statements) throws SQLException {
        PostgresWatermark before;
        try (Connection c = dbs.open(db)) {
            before = PostgresWatermark.readNow(c);
        }
        for (String s : statements) {
            dbs.exec(db, s);
        }
        try (Connection c = dbs.open(db)) {
            return before.changesTo(PostgresWatermark.readNow(c));
        }
    }

    @Test
    void schemaChangesThatMoveNoRowAreSeen() throws SQLException {
        String db = dbs.create("pg_wm");
        dbs.exec(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' FROM generate_series(1, 50) g");
        assertThat(changesAfter(db, "CREATE INDEX t_v ON t (v)")).anyMatch(c -> c.startsWith("schema pg_class")).anyMatch(c -> c.startsWith("schema pg_index"));
        assertThat(changesAfter(db, "ALTER TABLE t ADD COLUMN added int DEFAULT 5")).anyMatch(c -> c.startsWith("schema pg_attribute"));
        assertThat(changesAfter(db, "ALTER TABLE t ALTER COLUMN v SET NOT NULL")).anyMatch(c -> c.startsWith("schema pg_attribute"));
        assertThat(changesAfter(db, "COMMENT ON COLUMN t.v IS 'why'")).anyMatch(c -> c.startsWith("schema pg_description"));
        assertThat(changesAfter(db, "GRANT SELECT ON t TO PUBLIC")).anyMatch(c -> c.startsWith("schema pg_class"));
        assertThat(changesAfter(db, "CREATE VIEW tv AS SELECT id FROM t")).anyMatch(c -> c.startsWith("schema pg_rewrite"));
        assertThat(changesAfter(db, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"))
                .anyMatch(c -> c.startsWith("schema pg_proc"));
        assertThat(changesAfter(db, "DROP INDEX t_v")).anyMatch(c -> c.startsWith("schema pg_class"));
    }

    @Test
    void vacuumAnalyzeAndOtherSessionsTemporaryTablesAreNoChange() throws SQLException {
        String db = dbs.create("pg_wm");
        dbs.exec(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' FROM generate_series(1, 5000) g");
        dbs.exec(db, "DELETE FROM t WHERE id > 4000");
        assertThat(changesAfter(db, "VACUUM FREEZE t", "ANALYZE t", "VACUUM pg_class",
                "CREATE TEMP TABLE scratch (id int PRIMARY KEY, note text); COMMENT ON TABLE scratch IS 'temp'"))
                .noneMatch(c -> c.startsWith("schema"));
    }
}
