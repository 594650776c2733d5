package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.CloneStrategy;
import dev.promoter.core.spi.ProgressListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Connections to live refused for a moment (switch, template copy) never stay refused: not when the template copy
 * waits on a lock, not when the run's connections are cut off in the middle (Ctrl-C), and not when the run dies
 * there (the next run lets them in by the mark).
 */
class PostgresHoldOffTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();
    private final PostgresDialect dialect = new PostgresDialect();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    private String liveWithRows() throws SQLException {
        String live = dbs.create("pg_hold_live");
        dbs.exec(live, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        return live;
    }

    /** datallowconn of {@code db}, and its hold-off mark (null when none). */
    private String state(String db) throws SQLException {
        return dbs.queryString("postgres", "SELECT d.datallowconn || ' ' || coalesce((SELECT x FROM pg_db_role_setting s, "
                + "unnest(s.setconfig) x WHERE s.setdatabase = d.oid AND s.setrole = 0 AND x LIKE 'promoter.connections_from=%'), "
                + "'unmarked') FROM pg_database d WHERE d.datname = '" + db + "'");
    }

    /** An open transaction on the maintenance database holding a lock on database {@code db} that CREATE DATABASE waits for. */
    private Connection lockDatabase(String db) throws SQLException {
        // not through Connections.open: the Ctrl-C test aborts every connection that made
        Connection c = java.sql.DriverManager.getConnection(dbs.spec("postgres").url(), Connections.login(dbs.spec("postgres")));
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("COMMENT ON DATABASE " + PostgresDialect.quoteIdentifier(db) + " IS 'held by the test'");
        }
        return c;
    }

    private CloneRequest templateRequest(String live, String staging, Duration lockTimeout) {
        return new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false, lockTimeout, CloneStrategy.TEMPLATE);
    }

    @Test
    void aTemplateCopyWaitingOnALockGivesUpAtTheLockTimeoutAndLetsConnectionsIn() throws Exception {
        String live = liveWithRows();
        String staging = dbs.track(live + "_stg");
        try (Connection lock = lockDatabase(live)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> dialect.cloner().cloneDatabase(templateRequest(live, staging, Duration.ofSeconds(1)),
                    ProgressListener.NONE)).isInstanceOf(PromoterException.class)
                    .hasMessageContaining("another session held a lock on the database for longer than 1000 ms")
                    .hasMessageContaining("Connections to live are allowed again");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(20_000);
            lock.rollback();
        }
        assertThat(state(live)).isEqualTo("true unmarked");
        assertThat(dbs.queryString(live, "SELECT count(*) FROM t")).isEqualTo("1000");
        assertThat(dbs.adminServer.exists(staging)).isFalse();
    }

    /** What the Ctrl-C hook does to a run (every connection of the tool aborted) while the copy is under way. */
    @Test
    void aTemplateCopyCutOffMidwayLetsConnectionsIn() throws Exception {
        String live = liveWithRows();
        String staging = dbs.track(live + "_stg");
        try (Connection lock = lockDatabase(live)) {
            CompletableFuture<Object> clone = CompletableFuture.supplyAsync(() -> dialect.cloner().cloneDatabase(
                    templateRequest(live, staging, Duration.ofSeconds(60)), ProgressListener.NONE));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"1".equals(dbs.queryString("postgres", "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                    + "'Lock' AND query LIKE 'CREATE DATABASE%'")) && System.nanoTime() < deadline && !clone.isDone()) {
                Thread.sleep(20);
            }
            assertThat(clone).as("the copy waits on the test's lock").isNotDone();
            assertThat(state(live)).as("connections refused while the copy runs").isEqualTo("false promoter.connections_from=true");
            Connections.abortAll();
            assertThatThrownBy(() -> clone.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PromoterException.class)
                    .hasMessageContaining("connections are allowed again");
            lock.rollback();
        }
        assertThat(state(live)).isEqualTo("true unmarked");
        assertThat(dbs.queryString(live, "SELECT count(*) FROM t")).isEqualTo("1000");
    }

    /** A run that died with connections held off (killed inside its switch): the next run's first step lets them in. */
    @Test
    void aHoldOffLeftByADeadRunIsLiftedByTheNextRun() throws Exception {
        String live = liveWithRows();
        PostgresServer server = new PostgresServer(dbs.spec(live));
        try (Connection dead = server.admin()) {
            PostgresHoldOff.take(server, dead, live); // and never released
        }
        assertThat(state(live)).isEqualTo("false promoter.connections_from=true");
        SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                () -> Connections.open(dbs.spec(live)).close());
        assertThat(refused.getSQLState()).isEqualTo(Connections.REFUSES_CONNECTIONS);
        assertThat(Connections.unableToConnect(dbs.spec(live), refused).getMessage()).contains("refuses new connections",
                "`promote` on this database lets connections in again", "WITH ALLOW_CONNECTIONS true");

        String lifted = dialect.cloner().liftLeftovers(server, Duration.ofSeconds(5));

        assertThat(lifted).contains("let connections into database \"" + live + "\" again");
        assertThat(state(live)).isEqualTo("true unmarked");
        assertThat(dbs.queryString(live, "SELECT count(*) FROM t")).isEqualTo("1000");
        assertThat(dialect.cloner().liftLeftovers(server, Duration.ofSeconds(5))).as("nothing left").isNull();
    }

    /** A database whose owner had turned connections off keeps them off after a hold-off and its lift. */
    @Test
    void theValueAHoldOffReplacedIsWhatComesBack() throws Exception {
        String db = liveWithRows();
        PostgresServer server = new PostgresServer(dbs.spec(db));
        dbs.exec("postgres", "ALTER DATABASE " + PostgresDialect.quoteIdentifier(db) + " WITH ALLOW_CONNECTIONS false");
        try (Connection admin = server.admin()) {
            PostgresHoldOff hold = PostgresHoldOff.take(server, admin, db);
            assertThat(hold.previous()).isFalse();
            assertThat(state(db)).isEqualTo("false promoter.connections_from=false");
            hold.release(admin);
        }
        assertThat(state(db)).isEqualTo("false unmarked");
    }
}
