package dev.promoter.dialects.traffic;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.core.spi.TrafficSample;
import dev.promoter.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Each probe on its real server: quiet live reads quiet; open transactions and a commit loop read busy. */
class TrafficProbeTest {
    private final List<Connection> held = new ArrayList<>();
    private final List<Runnable> cleanup = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        Thread.sleep(200);
        for (Connection c : held) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // closing anyway
            }
            c.close();
        }
        cleanup.forEach(Runnable::run);
    }

    @Test
    void postgresSeesSessionsTransactionsAndTheOldestTransaction() throws Exception {
        ConnectionSpec admin = TestServers.postgresAdmin();
        String db = TestServers.uniqueName("traffic");
        exec(admin, "CREATE DATABASE \"" + db + "\"");
        cleanup.add(() -> exec(admin, "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)"));
        ConnectionSpec live = admin.withUrl(admin.url().replace("/postgres", "/" + db));
        exec(live, "CREATE TABLE t (id serial PRIMARY KEY, v int)");
        TrafficProbe probe = new PostgresTrafficProbe();

        TrafficSample quiet = probe.sample(live, Duration.ofMillis(1500));
        assertThat(quiet.activeSessions()).isZero();
        assertThat(quiet.longestTransaction()).isLessThan(Duration.ofSeconds(1));

        holdOpenTransactions(live, 3, "INSERT INTO t (v) VALUES (1)");
        commitLoop(live, "INSERT INTO t (v) VALUES (2)");
        Thread.sleep(1200);
        TrafficSample busy = probe.sample(live, Duration.ofMillis(2500));
        assertThat(busy.activeSessions()).as(busy.describe()).isGreaterThanOrEqualTo(3);
        assertThat(busy.longestTransaction()).as(busy.describe()).isGreaterThan(Duration.ofSeconds(1));
        assertThat(busy.transactionsPerSecond()).as(busy.describe()).isGreaterThan(20);
    }

    @Test
    void mariadbSeesSessionsTransactionsAndTheOldestTransaction() throws Exception {
        ConnectionSpec admin = TestServers.mysqlAdmin();
        String db = TestServers.uniqueName("traffic");
        exec(admin, "CREATE DATABASE `" + db + "`");
        cleanup.add(() -> exec(admin, "DROP DATABASE IF EXISTS `" + db + "`"));
        ConnectionSpec live = admin.withUrl(admin.url().replaceAll("/$", "") + "/" + db);
        exec(live, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB");
        TrafficProbe probe = new MySqlTrafficProbe();

        TrafficSample quiet = probe.sample(live, Duration.ofMillis(1000));
        assertThat(quiet.activeSessions()).isZero();
        assertThat(quiet.longestTransaction()).isLessThan(Duration.ofSeconds(1));

        holdOpenTransactions(live, 2, "INSERT INTO t (v) VALUES (1)");
        sleepers(live, 3);
        commitLoop(live, "INSERT INTO t (v) VALUES (2)");
        Thread.sleep(1200);
        TrafficSample busy = probe.sample(live, Duration.ofMillis(1500));
        assertThat(busy.activeSessions()).as(busy.describe()).isGreaterThanOrEqualTo(3);
        assertThat(busy.longestTransaction()).as(busy.describe()).isGreaterThan(Duration.ofSeconds(1));
        assertThat(busy.transactionsPerSecond()).as(busy.describe()).isGreaterThan(20);
    }

    @Test
    void h2SeesSessionsHoldingUncommittedChanges() throws Exception {
        ConnectionSpec live = new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("live"), "sa", Secret.none());
        try (Connection keep = Connections.open(live)) {
            keep.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            TrafficProbe probe = new H2TrafficProbe();
            TrafficSample quiet = probe.sample(live, Duration.ofMillis(300));
            assertThat(quiet.activeSessions()).isZero();
            assertThat(quiet.tpsMeasured()).isFalse();

            for (int i = 0; i < 3; i++) {
                Connection c = Connections.open(live);
                c.setAutoCommit(false);
                c.createStatement().execute("INSERT INTO t VALUES (" + i + ", 1)");
                held.add(c);
            }
            TrafficSample busy = probe.sample(live, Duration.ofMillis(500));
            assertThat(busy.activeSessions()).as(busy.describe()).isEqualTo(3);
            assertThat(busy.longestTransaction()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    private void holdOpenTransactions(ConnectionSpec live, int n, String sql) throws SQLException {
        for (int i = 0; i < n; i++) {
            Connection c = Connections.open(live);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
            held.add(c);
        }
    }

    /** Sessions busy running a statement (MySQL counts idle-in-transaction sessions as Sleep). */
    private void sleepers(ConnectionSpec live, int n) {
        for (int i = 0; i < n; i++) {
            background(() -> {
                try (Connection c = Connections.open(live); Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        st.execute("SELECT SLEEP(0.5)");
                    }
                }
            });
        }
    }

    private void commitLoop(ConnectionSpec live, String sql) {
        background(() -> {
            try (Connection c = Connections.open(live); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute(sql);
                }
            }
        });
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    private void background(SqlWork work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (SQLException e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        }, "traffic-load");
        t.setDaemon(true);
        t.start();
    }

    private static void exec(ConnectionSpec spec, String sql) {
        try (Connection c = Connections.open(spec); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
