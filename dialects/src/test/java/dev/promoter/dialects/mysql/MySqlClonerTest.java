package dev.promoter.dialects.mysql;

import dev.promoter.core.db.Connections;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlClonerTest {
    private final MySqlScratch scratch = new MySqlScratch();
    private final Introspector introspector = new MySqlIntrospector();

    @AfterEach
    void drop() {
        scratch.close();
    }

    private Snapshot cloneLive(MySqlCloner cloner, String live, String staging, int workers, boolean freeze) {
        return cloner.cloneDatabase(new CloneRequest(scratch.spec(live), scratch.spec(staging), workers, freeze,
                Duration.ofSeconds(5)), new ProgressListener() {
                    @Override
                    public void message(String text) {
                        System.out.println("MEASURED " + text);
                    }
                });
    }

    /** The server here is local: staging's need is live's tables' size in @@datadir (the binary log is off here). */
    @Test
    void stagingRoomIsLivesTablesInTheDataDirectory() {
        String live = scratch.create("live");
        MySqlFixture.create(scratch, live);
        var room = new MySqlCloner().stagingRoom(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE);
        assertThat(room.unchecked()).isNull();
        String expected = scratch.query(live, "SELECT sum(data_length + index_length) FROM information_schema.tables "
                + "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'").get(0);
        String dataDir = scratch.query(live, "SELECT @@datadir").get(0);
        assertThat(scratch.query(live, "SELECT @@log_bin").get(0)).isEqualTo("0");
        assertThat(room.needs()).singleElement().satisfies(n -> {
            assertThat(n.folder()).isEqualTo(java.nio.file.Path.of(dataDir));
            assertThat(n.bytes()).isEqualTo(Long.parseLong(expected)).isPositive();
        });
        // the run's backup, counted with staging where they share a disk: what the clone's own check asks for
        assertThat(room.backupBytes()).isEqualTo(Long.parseLong(scratch.query(live, "SELECT sum(data_length) FROM "
                + "information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'").get(0)));
        assertThat(MySqlStagingRoom.firstHost("db1.example:3306,db2")).isEqualTo("db1.example");
        assertThat(MySqlStagingRoom.firstHost("[::1]:3306")).isEqualTo("::1");
        assertThat(dev.promoter.core.spi.StagingRoom.isThisMachine("127.0.0.1")).isTrue();
        assertThat(dev.promoter.core.spi.StagingRoom.isThisMachine("192.0.2.1")).isFalse(); // TEST-NET-1
    }

    @Test
    void clonesEveryObjectAndValueWithLoadData() {
        assertFaithfulClone(new MySqlCloner());
    }

    @Test
    void clonesEveryObjectAndValueWithBatchedInserts() {
        assertFaithfulClone(new MySqlCloner(MySqlTableCopier.Path.INSERT));
    }

    private void assertFaithfulClone(MySqlCloner cloner) {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        MySqlFixture.create(scratch, live);
        Snapshot snap = cloneLive(cloner, live, staging, 2, false);
        assertThat(snap.tables().keySet()).containsExactlyElementsOf(MySqlFixture.TABLES);
        assertThat(snap.watermark()).startsWith("binlog=").contains(";digest=");
        scratch.jdbi(staging).useHandle(s -> scratch.jdbi(live).useHandle(l -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(introspector.checksum(s, t)).as(t.name()).isEqualTo(snap.tables().get(t));
                assertThat(introspector.checksum(l, t)).as(t.name()).isEqualTo(snap.tables().get(t));
            }
            assertThat(MySqlFixture.showCreate(s)).containsExactlyElementsOf(MySqlFixture.showCreate(l));
            assertThat(introspector.schema(s).differencesFrom(introspector.schema(l))).isEmpty();
            assertThat(introspector.counters(s)).isEqualTo(introspector.counters(l));
            assertThat(MySqlScratch.column(s, "SELECT n FROM paid_count")).containsExactly("2");
            assertThat(MySqlScratch.column(s, "SELECT CONCAT(ST_AsText(lieu), '|', twice(`clé`)) FROM `données` ORDER BY `clé`"))
                    .containsExactly("POINT(2.35 48.85)|2", "POINT(0 0)|4");
        }));
        scratch.execIn(staging, "INSERT INTO `order` (`select`) VALUES ('after')");
        assertThat(scratch.query(staging, "SELECT CONCAT(MAX(id), '/', (SELECT COUNT(*) FROM audit)) FROM `order`"))
                .containsExactly("1003/7");
    }

    @Test
    void timestampDefaultsKeepTheirInstantWhenStagingSessionsStartInAnotherZone() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "SET SESSION time_zone = '+00:00'", "CREATE TABLE stamped (id INT PRIMARY KEY, "
                + "at TIMESTAMP NOT NULL DEFAULT '2024-06-01 12:00:00', note VARCHAR(10))", "INSERT INTO stamped (id) VALUES (1)");
        // sessions to staging start at -05:00, as on a server whose time zone is not UTC
        ConnectionSpec east = scratch.spec(staging).withUrl(MySqlUrl.parse(scratch.spec(staging).url())
                .withParam("sessionVariables", "time_zone='-05:00'").text());
        Snapshot snap = new MySqlCloner().cloneDatabase(new CloneRequest(scratch.spec(live), east, 1, false,
                Duration.ofSeconds(5)), ProgressListener.NONE);
        TableRef t = new TableRef(null, "stamped");
        scratch.jdbi(staging).useHandle(h -> {
            h.execute("SET SESSION time_zone = '+00:00'");
            h.execute("INSERT INTO stamped (id) VALUES (2)");
            assertThat(MySqlScratch.column(h, "SELECT CONCAT(id, ' ', at) FROM stamped ORDER BY id"))
                    .as("the default's instant, read in UTC").containsExactly("1 2024-06-01 12:00:00", "2 2024-06-01 12:00:00");
            h.execute("DELETE FROM stamped WHERE id = 2");
            assertThat(introspector.checksum(h, t)).isEqualTo(snap.tables().get(t));
        });
    }

    @Test
    void freezeMakesLiveWritesWaitUntilReleased() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Snapshot snap = cloneLive(new MySqlCloner(), live, staging, 1, true);
        assertThat(snap.freeze().describe()).contains("LOCK TABLES");
        try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
            s.execute("SET SESSION lock_wait_timeout = 1");
            assertThat(s.executeQuery("SELECT COUNT(*) FROM t").next()).isTrue();
            assertThatThrownBy(() -> s.execute("INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("Lock wait timeout");
            snap.freeze().release();
            s.execute("INSERT INTO t VALUES (2)");
        }
    }

    @Test
    void workersShareOneSnapshotWhileLiveTakesWrites() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "CREATE TABLE a (id INT PRIMARY KEY, v BIGINT)", "CREATE TABLE b (id INT PRIMARY KEY, v BIGINT)",
                "CREATE TABLE c (id INT AUTO_INCREMENT PRIMARY KEY, v BIGINT)",
                "INSERT INTO a VALUES (1, 1000)", "INSERT INTO b VALUES (1, 0)");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong moves = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                while (!stop.get()) {
                    s.execute("UPDATE a SET v = v - 1");
                    s.execute("INSERT INTO c (v) VALUES (1)");
                    s.execute("UPDATE b SET v = v + 1");
                    c.commit();
                    moves.incrementAndGet();
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        try {
            while (moves.get() < 20) {
                Thread.sleep(10);
            }
            cloneLive(new MySqlCloner(), live, staging, 3, false);
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(scratch.query(staging, "SELECT CONCAT((SELECT v FROM a) + (SELECT v FROM b), '/',"
                + " (SELECT v FROM b) - (SELECT COUNT(*) FROM c))")).containsExactly("1000/0");
    }

    @Test
    void theApplicationsStatementTimeLimitDoesNotCutTheToolsOwnSessions() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "CREATE TABLE big (id INT PRIMARY KEY, note VARCHAR(64))",
                "CREATE TABLE d (n INT)", "INSERT INTO d VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)",
                "INSERT INTO big SELECT id, MD5(id) FROM (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * e.n + 10000 * f.n "
                        + "+ 100000 * g.n AS id FROM d a, d b, d c, d e, d f, d g) x WHERE id < 300000");
        TableRef big = new TableRef(null, "big");
        dev.promoter.core.spi.TableChecksum atStart = scratch.jdbi(live).withHandle(h -> introspector.checksum(h, big));
        boolean mariaDb = scratch.query(live, "SELECT VERSION()").get(0).toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        String user = dev.promoter.testing.TestServers.uniqueName("promoter_app");
        ConnectionSpec liveAsApp;
        ConnectionSpec stagingAsApp;
        if (mariaDb) {
            // an application's user, held to 20 ms a statement; reading big takes longer
            scratch.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw' WITH MAX_STATEMENT_TIME 0.02",
                    "GRANT ALL ON *.* TO '" + user + "'@'%'");
            var pw = dev.promoter.core.db.Secret.of("pw");
            liveAsApp = new ConnectionSpec(scratch.spec(live).url(), user, pw);
            stagingAsApp = new ConnectionSpec(scratch.spec(staging).url(), user, pw);
        } else {
            // MySQL has no per-user limit: the server's, for SELECTs, put back afterwards
            scratch.exec("SET GLOBAL max_execution_time = 20");
            liveAsApp = scratch.spec(live);
            stagingAsApp = scratch.spec(staging);
        }
        try {
            Snapshot snap = new MySqlCloner().cloneDatabase(new CloneRequest(liveAsApp, stagingAsApp, 2, false,
                    Duration.ofSeconds(5)), ProgressListener.NONE);
            assertThat(snap.tables().get(big)).isEqualTo(atStart);
            dev.promoter.core.spi.TableChecksum copied = scratch.jdbi(staging).withHandle(h -> introspector.checksum(h, big));
            assertThat(copied).isEqualTo(atStart);
        } finally {
            if (mariaDb) {
                scratch.exec("DROP USER '" + user + "'@'%'");
            } else {
                scratch.exec("SET GLOBAL max_execution_time = 0");
            }
        }
    }

    /**
     * A login with every privilege on live only is refused in preflight, with the grants: PROCESS, and what the
     * databases a run makes need (live has a view, so CREATE VIEW too); without the freeze, RELOAD as well. Granted,
     * it passes.
     */
    @Test
    void privilegesARunLacksAreRefusedUpFrontWithTheGrants() {
        String live = scratch.create("live");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY)", "CREATE VIEW v AS SELECT id FROM t");
        String staging = live + "_promoter_staging";
        java.util.Map<String, String> made = new java.util.LinkedHashMap<>();
        made.put(staging, "`" + staging + "`");
        made.put(live + "_archive_20261204203648", "the archive `" + live + "_archive_<time>`");
        String user = dev.promoter.testing.TestServers.uniqueName("promoter_ops");
        String account = "'" + user + "'@'%'";
        scratch.exec("CREATE USER " + account + " IDENTIFIED BY 'pw'", "GRANT ALL ON `" + live + "`.* TO " + account);
        try {
            ConnectionSpec asOps = new ConnectionSpec(scratch.spec(live).url(), user, dev.promoter.core.db.Secret.of("pw"));
            String pattern = "`" + live.replace("_", "\\_") + "\\_%`";
            assertThatThrownBy(() -> new MySqlCloner().refuseMissingPrivileges(asOps, made,
                    dev.promoter.core.spi.CloneStrategy.ONLINE, true))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .satisfies(e -> assertThat(((dev.promoter.core.PromoterException) e).outcome())
                            .isEqualTo(dev.promoter.core.Outcome.REFUSED))
                    .hasMessageContaining("The login " + account + " lacks privileges a run needs: PROCESS on the server")
                    .hasMessageContaining("CREATE VIEW, SHOW VIEW on `" + staging + "`, the archive `" + live + "_archive_<time>`")
                    .hasMessageContaining("GRANT PROCESS ON *.* TO " + account + "; GRANT ALL ON " + pattern + ".* TO " + account)
                    .message().doesNotContain("RELOAD").doesNotContain("on live");
            scratch.exec("GRANT PROCESS ON *.* TO " + account, "GRANT ALL ON " + pattern + ".* TO " + account);
            new MySqlCloner().refuseMissingPrivileges(asOps, made, dev.promoter.core.spi.CloneStrategy.ONLINE, true);

            assertThatThrownBy(() -> new MySqlCloner().refuseMissingPrivileges(asOps, made,
                    dev.promoter.core.spi.CloneStrategy.ONLINE, false))
                    .hasMessageContaining("RELOAD on the server (without the freeze")
                    .hasMessageContaining("GRANT RELOAD ON *.* TO " + account);
            scratch.exec("GRANT RELOAD ON *.* TO " + account);
            new MySqlCloner().refuseMissingPrivileges(asOps, made, dev.promoter.core.spi.CloneStrategy.ONLINE, false);
            new MySqlCloner().refuseMissingPrivileges(scratch.spec(live), made, dev.promoter.core.spi.CloneStrategy.ONLINE,
                    false); // the test's own administrator
        } finally {
            scratch.exec("DROP USER " + account);
        }
    }

    /**
     * Views and triggers keep their DEFINER, so a login that may not name another definer would fail part way through
     * the clone; preflight finds it out first, by trying, and names the objects and the grant.
     */
    @Test
    void objectsOfAnotherDefinerNeedThePrivilegeAndAreRefusedUpFront() {
        String live = scratch.create("live");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY)", "CREATE VIEW v AS SELECT id FROM t",
                "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.id = NEW.id");
        boolean mariaDb = scratch.query(live, "SELECT VERSION()").get(0).toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        String user = dev.promoter.testing.TestServers.uniqueName("promoter_ops");
        String account = "'" + user + "'@'%'";
        scratch.exec("CREATE USER " + account + " IDENTIFIED BY 'pw'", "GRANT ALL ON `" + live + "`.* TO " + account,
                "GRANT ALL ON `" + MySqlServer.LEDGER + "`.* TO " + account, "GRANT PROCESS, RELOAD ON *.* TO " + account);
        try {
            ConnectionSpec asOps = new ConnectionSpec(scratch.spec(live).url(), user, dev.promoter.core.db.Secret.of("pw"));
            assertThatThrownBy(() -> new MySqlCloner().refuseUnsupported(asOps, dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(dev.promoter.core.PromoterException.class)
                    .hasMessageContaining("objects defined by other users: [v (view), t_bi (trigger)]")
                    .hasMessageContaining("GRANT SET USER ON *.* TO '" + user + "'@'%'");
            scratch.exec("GRANT " + (mariaDb ? "SET USER" : "SET_USER_ID") + " ON *.* TO " + account);
            new MySqlCloner().refuseUnsupported(asOps, dev.promoter.core.spi.CloneStrategy.ONLINE);
            assertThat(scratch.query(live, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME LIKE"
                    + " 'promoter\\_definer\\_probe%'")).as("no probe view is left").containsExactly("0");
        } finally {
            scratch.exec("DROP USER " + account);
        }
    }

    @Test
    void sessionVariablesFollowTheServer() {
        assertThat(MySqlSessionDefaults.variables(true)).isEqualTo("max_statement_time=0,wait_timeout=31536000");
        assertThat(MySqlSessionDefaults.variables(false)).isEqualTo("max_execution_time=0,wait_timeout=31536000");
    }
}
