package dev.promoter.dialects.postgresql;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresAtomicSwitchTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();
    private final PostgresDialect dialect = new PostgresDialect();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    private Snapshot cloneInto(String live, String staging, boolean freeze) {
        return dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, freeze,
                Duration.ofSeconds(5)), ProgressListener.NONE);
    }

    private long count(String db, String table) throws SQLException {
        try (Connection c = dbs.open(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void switchesAtomicallyAndKeepsTheArchive() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, v text); INSERT INTO t (v) VALUES ('a'), ('b')");
        String staging = dbs.create("pg_sw_stg");
        String archive = dbs.track(live + "_archive");
        Snapshot snap = cloneInto(live, staging, false);
        dbs.exec(staging, "CREATE TABLE added_by_migration (id int)");
        try (Connection app = dbs.open(live)) {
            DatabaseServer server = dialect.server(dbs.spec(live));
            SwitchResult r = dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap,
                    Duration.ofSeconds(5)));
            assertThat(r.archive()).isEqualTo(archive);
            assertThat(r.blockedWindowMillis()).isBetween(0L, 5000L);
            System.out.println("PostgreSQL switch window: " + r.blockedWindowMillis() + " ms; " + r.detail());
            assertThatThrownBy(() -> app.createStatement().execute("SELECT 1")).as("old sessions were ended")
                    .isInstanceOf(SQLException.class);
        }
        assertThat(count(live, "added_by_migration")).isZero();
        assertThat(count(live, "t")).isEqualTo(2);
        assertThat(count(archive, "t")).isEqualTo(2);
        assertThatThrownBy(() -> count(archive, "added_by_migration")).isInstanceOf(SQLException.class);
        assertThat(dbs.adminServer.exists(staging)).isFalse();
        dbs.exec(live, "INSERT INTO t (v) VALUES ('c')");
        // connections allowed on both, and the hold-off's mark gone with the renames
        assertThat(dbs.queryString("postgres", "SELECT string_agg(d.datname || ' ' || d.datallowconn || ' ' || "
                + "coalesce(array_to_string(s.setconfig, ','), ''), '; ' ORDER BY d.datname) FROM pg_database d "
                + "LEFT JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0 WHERE d.datname IN ('"
                + live + "', '" + archive + "')")).isEqualTo(live + " true ; " + archive + " true ");
    }

    @Test
    void refusesWhenLiveTookAWriteAndChangesNothing() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE t (id int)");
        String staging = dbs.create("pg_sw_stg");
        String archive = live + "_archive";
        Snapshot snap = cloneInto(live, staging, false);
        dbs.exec(live, "INSERT INTO t VALUES (1)");
        DatabaseServer server = dialect.server(dbs.spec(live));
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap,
                Duration.ofSeconds(5)))).isInstanceOf(PromoterException.class)
                .hasMessageContaining("took writes since the snapshot").hasMessageContaining("public.t")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(count(live, "t")).isEqualTo(1);
        assertThat(count(staging, "t")).isZero();
        assertThat(server.exists(archive)).isFalse();
    }

    @Test
    void detectsTruncateAndSequenceUse() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE t (id int); INSERT INTO t VALUES (1); CREATE SEQUENCE s");
        String staging = dbs.create("pg_sw_stg");
        Snapshot snap = cloneInto(live, staging, false);
        dbs.exec(live, "TRUNCATE t");
        DatabaseServer server = dialect.server(dbs.spec(live));
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, live + "_a", snap,
                Duration.ofSeconds(5)))).hasMessageContaining("storage of table (TRUNCATE or rewrite) public.t");
        String staging2 = dbs.create("pg_sw_stg");
        Snapshot snap2 = cloneInto(live, staging2, false);
        dbs.exec(live, "SELECT nextval('s')");
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging2, live + "_a", snap2,
                Duration.ofSeconds(5)))).hasMessageContaining("sequence public.s");
    }

    @Test
    void refusesWhenALargeObjectWasWrittenSinceTheSnapshot() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE docs (id int, body oid); INSERT INTO docs VALUES (1, lo_from_bytea(0, 'v1'::bytea))");
        String staging = dbs.create("pg_sw_stg");
        Snapshot snap = cloneInto(live, staging, false);
        // no user table changes: only the large-object catalog does
        dbs.exec(live, "SELECT lo_put(body, 0, 'v2'::bytea) FROM docs");
        DatabaseServer server = dialect.server(dbs.spec(live));
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, live + "_a", snap,
                Duration.ofSeconds(5)))).isInstanceOf(PromoterException.class)
                .hasMessageContaining("took writes since the snapshot").hasMessageContaining("pg_largeobject");
        assertThat(server.exists(live + "_a")).isFalse();
        assertThat(dbs.queryString(live, "SELECT convert_from(lo_get(body), 'UTF8') FROM docs")).isEqualTo("v2");
    }

    @Test
    void writesDuringACloneAreNeverLost() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz DEFAULT now());"
                + "INSERT INTO events (at) SELECT now() FROM generate_series(1, 20000)");
        String staging = dbs.create("pg_sw_stg");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection c = dbs.open(live); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute("INSERT INTO events DEFAULT VALUES");
                    written.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Snapshot snap;
        try {
            while (written.get() < 50) {
                Thread.sleep(5);
            }
            snap = cloneInto(live, staging, false);
        } finally {
            stop.set(true);
            writer.join();
        }
        long inSnapshot = snap.tables().values().iterator().next().rows();
        assertThat(count(staging, "events")).isEqualTo(inSnapshot);
        assertThat(count(live, "events")).isEqualTo(20000 + written.get()).isGreaterThan(inSnapshot);
        DatabaseServer server = dialect.server(dbs.spec(live));
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, live + "_a", snap,
                Duration.ofSeconds(5)))).hasMessageContaining("took writes since the snapshot");
        assertThat(count(live, "events")).isEqualTo(20000 + written.get());
    }

    @Test
    void switchesUnderTheFreezeAndLeavesTheArchiveReadOnly() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
        String staging = dbs.create("pg_sw_stg");
        String archive = dbs.track(live + "_archive");
        Snapshot snap = cloneInto(live, staging, true);
        assertThatThrownBy(() -> dbs.exec(live, "INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class);
        DatabaseServer server = dialect.server(dbs.spec(live));
        dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(5)));
        snap.freeze().release();
        dbs.exec(live, "INSERT INTO t VALUES (2)");
        assertThat(count(live, "t")).isEqualTo(2);
        assertThatThrownBy(() -> dbs.exec(archive, "INSERT INTO t VALUES (3)")).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
    }

    @Test
    void refusesWhenStagingIsMissing() {
        String live = dbs.create("pg_sw_live");
        String staging = dbs.create("pg_sw_stg");
        Snapshot snap = cloneInto(live, staging, false);
        DatabaseServer server = dialect.server(dbs.spec(live));
        String missing = TestServers.uniqueName("pg_sw_missing");
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, missing, live + "_a", snap,
                Duration.ofSeconds(5)))).hasMessageContaining("staging database \"" + missing + "\" does not exist")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(server.exists(live)).isTrue();
    }

    @Test
    void lockTimeoutLeavesBothNamesUnchanged() throws Exception {
        String live = dbs.create("pg_sw_live");
        dbs.exec(live, "CREATE TABLE t (id int)");
        String staging = dbs.create("pg_sw_stg");
        String archive = live + "_archive";
        Snapshot snap = cloneInto(live, staging, false);
        DatabaseServer server = dialect.server(dbs.spec(live));
        try (Connection holder = dbs.open("postgres"); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("COMMENT ON DATABASE " + PostgresDialect.quoteIdentifier(staging) + " IS 'busy'");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap,
                    Duration.ofMillis(500)))).isInstanceOf(PromoterException.class)
                    .hasMessageContaining("Nothing changed").hasMessageContaining("lock");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
            holder.rollback();
        }
        assertThat(server.exists(live)).isTrue();
        assertThat(server.exists(staging)).isTrue();
        assertThat(server.exists(archive)).isFalse();
        dbs.exec(live, "INSERT INTO t VALUES (1)");
        dbs.exec(staging, "SELECT 1");
    }
}
