package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.Connections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresSessionDefaultsTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void onlyTheTimeoutsTheServerVersionKnowsAreTurnedOff() {
        assertThat(PostgresSessionDefaults.options(12))
                .isEqualTo("-c statement_timeout=0 -c idle_in_transaction_session_timeout=0");
        assertThat(PostgresSessionDefaults.options(15))
                .endsWith(" -c idle_session_timeout=0 -c client_connection_check_interval=1000")
                .doesNotContain("transaction_timeout=0 -c");
        assertThat(PostgresSessionDefaults.options(17)).endsWith(" -c idle_session_timeout=0 -c transaction_timeout=0"
                + " -c client_connection_check_interval=1000");
    }

    @Test
    void theToolsSessionsOutrankTheDatabasesTimeoutsAndOptionsInTheUrlStillWin() throws Exception {
        String db = dbs.create("pg_sessions");
        String q = PostgresDialect.quoteIdentifier(db);
        dbs.exec(db, "ALTER DATABASE " + q + " SET statement_timeout = '2s'; "
                + "ALTER DATABASE " + q + " SET idle_in_transaction_session_timeout = '3s'; "
                + "ALTER DATABASE " + q + " SET work_mem = '5MB'");
        try (Connection c = Connections.open(dbs.spec(db))) {
            assertThat(show(c, "statement_timeout")).isEqualTo("0");
            assertThat(show(c, "idle_in_transaction_session_timeout")).isEqualTo("0");
            assertThat(show(c, "work_mem")).as("other settings are the database's").isEqualTo("5MB");
        }
        // a pool's sessions too
        try (var pool = Connections.pool(dbs.spec(db), "sessions-test", 1); Connection c = pool.getConnection()) {
            assertThat(show(c, "statement_timeout")).isEqualTo("0");
        }
        // the user's own options are kept, after ours
        var spec = dbs.spec(db);
        String url = spec.url() + (spec.url().contains("?") ? "&" : "?") + "options=-c%20statement_timeout%3D7s%20-c%20search_path%3Dx";
        try (Connection c = Connections.open(spec.withUrl(url))) {
            assertThat(show(c, "statement_timeout")).isEqualTo("7s");
            assertThat(show(c, "search_path")).isEqualTo("x");
            assertThat(show(c, "idle_in_transaction_session_timeout")).isEqualTo("0");
        }
    }
}
