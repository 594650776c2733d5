package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlAtomicSwitchTest {
    private final MySqlScratch scratch = new MySqlScratch();
    private final MySqlDialect dialect = new MySqlDialect();

    @AfterEach
    void drop() {
        scratch.close();
    }

    private Snapshot cloneLive(String live, String staging, boolean freeze) {
        return dialect.cloner().cloneDatabase(new CloneRequest(scratch.spec(live), scratch.spec(staging), 2, freeze,
                Duration.ofSeconds(5)), ProgressListener.NONE);
    }

    @Test
    void switchesUnderFreezeAndNeverLetsAQueuedWriteIntoTheArchive() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        MySqlFixture.create(scratch, live);
        Snapshot snap = cloneLive(live, staging, true);
        scratch.execIn(staging, "ALTER TABLE `order` ADD COLUMN v2 INT NOT NULL DEFAULT 2",
                "INSERT INTO `order` (`select`) VALUES ('migrated')",
                "CREATE OR REPLACE VIEW paid AS SELECT id, `select`, v2 FROM `order` WHERE status = 'paid'");
        // a write queued behind the freeze is either cancelled (uncommitted; the application retries) or lands in the
        // new live; it must never slip into the old tables, which become the archive
        CompletableFuture<Boolean> waitingWrite = CompletableFuture.supplyAsync(() -> {
            try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
                s.execute("INSERT INTO `order` (`select`, status) VALUES ('written during the run', 'paid')");
                return true;
            } catch (java.sql.SQLException e) {
                assertThat(e.getMessage()).contains("interrupted");
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(waitingWrite).isNotDone();
        DatabaseServer server = dialect.server(scratch.spec(live));
        SwitchResult result = dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(10)));
        boolean written = waitingWrite.get();
        System.out.println("MEASURED switch blocked window ms: " + result.blockedWindowMillis() + " - " + result.detail());
        assertThat(result.archive()).isEqualTo(archive);
        assertThat(result.blockedWindowMillis()).isBetween(0L, 10_000L);
        assertThat(server.exists(staging)).isFalse();
        if (written) {
            assertThat(scratch.query(live, "SELECT CONCAT(`select`, '/', v2) FROM `order` ORDER BY id"))
                    .endsWith("migrated/2", "written during the run/2");
        } else {
            assertThat(scratch.query(live, "SELECT CONCAT(`select`, '/', v2) FROM `order` ORDER BY id"))
                    .endsWith("migrated/2").doesNotContain("written during the run/2");
        }
        if (written) {
            assertThat(scratch.query(live, "SELECT msg FROM audit ORDER BY id")).endsWith("new 1004", "second 1004");
        } else {
            assertThat(scratch.query(live, "SELECT msg FROM audit ORDER BY id")).doesNotContain("new 1004");
        }
        assertThat(scratch.query(live, "SELECT CONCAT(n, '/', twice(21)) FROM paid_count")).containsExactly((written ? "3" : "2") + "/42");
        assertThat(scratch.query(live, "SELECT v2 FROM paid ORDER BY id")).hasSize(written ? 3 : 2);
        MySqlIntrospector intro = new MySqlIntrospector();
        scratch.jdbi(archive).useHandle(a -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(intro.checksum(a, t)).as(t.name()).isEqualTo(snap.tables().get(t));
            }
            assertThat(MySqlScratch.column(a, "SELECT n FROM paid_count")).containsExactly("2");
            assertThat(MySqlScratch.column(a, "SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()"))
                    .containsExactly("DISABLED");
            assertThat(MySqlScratch.column(a, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"))
                    .containsExactlyInAnyOrder("order_ai", "order_ai2");
        });
    }

    /**
     * Writers on every table, queued behind the freeze and arriving during the switch: a statement takes its table
     * locks one at a time, so a hand-over that lets go of all tables at once grants a write on a later table before
     * the RENAME asks for it, and that row ends in the archive. Every committed row must be in the new live.
     */
    @Test
    void everyWriteCommittedAroundTheSwitchLandsInTheNewLive() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        List<String> tables = List.of("a", "b", "c", "d", "e");
        for (String t : tables) {
            scratch.execIn(live, "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, mark VARCHAR(40) NOT NULL)",
                    "INSERT INTO " + t + " (mark) VALUES ('before')");
        }
        Snapshot snap = cloneLive(live, staging, true);
        scratch.execIn(staging, "ALTER TABLE e ADD COLUMN v2 INT NOT NULL DEFAULT 2");
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<List<String>>> writers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int w = 0; w < 8; w++) {
            String table = tables.get(1 + w % (tables.size() - 1));
            String who = "w" + w;
            writers.add(CompletableFuture.supplyAsync(() -> {
                List<String> committed = new ArrayList<>();
                try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
                    for (int i = 0; !stop.get(); i++) {
                        String mark = who + "-" + i;
                        try {
                            s.execute("INSERT INTO " + table + " (mark) VALUES ('" + mark + "')");
                            committed.add(table + ":" + mark);
                        } catch (java.sql.SQLException e) {
                            // not committed: like an application, go on with the next row
                        }
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
                return committed;
            }, pool));
        }
        Thread.sleep(300);
        DatabaseServer server = dialect.server(scratch.spec(live));
        SwitchResult result;
        try {
            result = dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(10)));
            Thread.sleep(300);
        } finally {
            stop.set(true);
            snap.freeze().release();
        }
        List<String> committed = new ArrayList<>();
        for (CompletableFuture<List<String>> w : writers) {
            committed.addAll(w.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();
        System.out.println("MEASURED switch blocked window ms: " + result.blockedWindowMillis() + "; rows committed by writers: "
                + committed.size() + " - " + result.detail());
        assertThat(committed).isNotEmpty();
        List<String> inLive = new ArrayList<>();
        for (String t : tables) {
            scratch.query(live, "SELECT mark FROM " + t).forEach(m -> inLive.add(t + ":" + m));
            assertThat(scratch.query(archive, "SELECT mark FROM " + t)).as("archive table " + t).containsExactly("before");
        }
        assertThat(inLive).containsAll(committed);
        assertThat(scratch.query(live, "SELECT DISTINCT v2 FROM e")).containsExactly("2");
    }

    @Test
    void refusesWhenAnotherSessionQueuesALockOnLiveDuringTheSwitch() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        scratch.execIn(live, "CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)", "INSERT INTO b VALUES (1)");
        Snapshot snap = cloneLive(live, staging, true);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        // an application's LOCK TABLES b WRITE, queued behind the freeze: the switch's probe cannot tell it from the RENAME
        Future<?> foreign = pool.submit(() -> {
            try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
                s.execute("LOCK TABLES b WRITE");
                s.execute("INSERT INTO b VALUES (2)");
                s.execute("UNLOCK TABLES");
            }
            return null;
        });
        Thread.sleep(300);
        DatabaseServer server = dialect.server(scratch.spec(live));
        try {
            assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(5))))
                    .isInstanceOf(PromoterException.class).hasMessageContaining("LOCK TABLES b WRITE")
                    .hasMessageContaining("Nothing was renamed");
        } finally {
            snap.freeze().release();
        }
        foreign.get(10, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(server.exists(archive)).isFalse();
        assertThat(scratch.query(live, "SELECT id FROM b ORDER BY id")).containsExactly("1", "2");
        assertThat(scratch.query(staging, "SELECT id FROM b ORDER BY id")).containsExactly("1");
    }

    @Test
    void freezeRefusesUpFrontWhenTheServerHasTooFewConnectionsForASessionPerTable() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        for (int i = 0; i < 6; i++) {
            scratch.execIn(live, "CREATE TABLE t" + i + " (id INT PRIMARY KEY)");
        }
        String user = "promoter_" + live.substring(live.length() - 8);
        scratch.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw' WITH MAX_USER_CONNECTIONS 8",
                "GRANT ALL ON `" + live + "`.* TO '" + user + "'@'%'", "GRANT ALL ON `" + staging + "`.* TO '" + user + "'@'%'");
        try {
            ConnectionSpec limited = new ConnectionSpec(scratch.spec(live).url(), user, Secret.of("pw"));
            ConnectionSpec limitedStaging = new ConnectionSpec(scratch.spec(staging).url(), user, Secret.of("pw"));
            assertThatThrownBy(() -> dialect.cloner().cloneDatabase(new CloneRequest(limited, limitedStaging, 2, true,
                    Duration.ofSeconds(5)), ProgressListener.NONE))
                    .isInstanceOf(PromoterException.class).hasMessageContaining("one session per table")
                    .hasMessageContaining("max_user_connections = 8").hasMessageContaining("Nothing was changed");
            assertThat(scratch.query(staging, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"))
                    .containsExactly("0");
        } finally {
            scratch.exec("DROP USER '" + user + "'@'%'");
        }
    }

    /**
     * A prepared XA transaction keeps its row locks but no metadata lock after its client has gone: preflight refuses
     * it, and a switch that meets one anyway (prepared after preflight) fails within its time box, renames nothing and
     * leaves live as it was. Before, the RENAME waited inside InnoDB for the server's 50 s default while holding every
     * table's metadata lock (live blocked), KILL QUERY did not stop it, and the switch undid its preparation while the
     * RENAME could still have run.
     */
    @Test
    void aPreparedXaTransactionIsRefusedAndNeverStallsTheSwitch() throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO t VALUES (1, 'old')");
        String xid = dev.promoter.testing.TestServers.uniqueName("xa");
        Snapshot snap = null;
        try {
            try (Connection c = Connections.open(scratch.spec(live)); Statement s = c.createStatement()) {
                s.execute("XA START '" + xid + "'");
                s.execute("INSERT INTO t VALUES (2, 'xa')");
                s.execute("XA END '" + xid + "'");
                s.execute("XA PREPARE '" + xid + "'");
            }
            // the freeze's LOCK TABLES ... READ is granted: the prepared transaction holds no metadata lock
            snap = cloneLive(live, staging, true);
            Snapshot taken = snap;
            assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE))
                    .isInstanceOf(PromoterException.class).hasMessageContaining("1 transaction(s) with no session")
                    .hasMessageContaining("'" + xid + "'").hasMessageContaining("XA ROLLBACK");
            DatabaseServer server = dialect.server(scratch.spec(live));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, taken,
                    Duration.ofSeconds(2)))).isInstanceOf(PromoterException.class);
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertThat(seconds).as("bounded by the 2 s time box (each of its two lock waits), not InnoDB's 50 s").isLessThan(15);
            assertThat(server.exists(archive)).isFalse();
            assertThat(scratch.query(staging, "SELECT COUNT(*) FROM t")).containsExactly("1");
            assertThat(MySqlSwitchJournal.read(server)).isEmpty();
        } finally {
            if (snap != null) {
                snap.freeze().release();
            }
            scratch.exec("XA ROLLBACK '" + xid + "'");
        }
        assertThat(scratch.query(live, "SELECT CONCAT(id, v) FROM t")).containsExactly("1old");
        dialect.cloner().refuseUnsupported(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE);
    }

    /** Another database's foreign key to a live table would follow that table into the archive: refused up front. */
    @Test
    void aForeignKeyFromAnotherDatabaseIsRefusedInPreflight() {
        String live = scratch.create("live");
        String other = scratch.create("other");
        scratch.execIn(live, "CREATE TABLE parent (id INT PRIMARY KEY)", "CREATE TABLE own_child (id INT PRIMARY KEY,"
                + " p INT, CONSTRAINT own_fk FOREIGN KEY (p) REFERENCES parent (id))");
        dialect.cloner().refuseUnsupported(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE); // live's own keys are carried
        scratch.execIn(other, "CREATE TABLE child (id INT PRIMARY KEY, p INT, CONSTRAINT to_live FOREIGN KEY (p) REFERENCES `"
                + live + "`.parent (id))");
        assertThatThrownBy(() -> dialect.cloner().refuseUnsupported(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("`" + other + "`.`child` (to_live) -> parent")
                .hasMessageContaining("DROP FOREIGN KEY").message().doesNotContain("own_fk");
        scratch.execIn(other, "ALTER TABLE child DROP FOREIGN KEY to_live");
        dialect.cloner().refuseUnsupported(scratch.spec(live), dev.promoter.core.spi.CloneStrategy.ONLINE);
    }

    @Test
    void switchesWithoutFreezeWhenChecksumsProveNoWrite() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO t VALUES (1, 'old')");
        Snapshot snap = cloneLive(live, staging, false);
        scratch.execIn(staging, "UPDATE t SET v = 'new'");
        DatabaseServer server = dialect.server(scratch.spec(live));
        dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(5)));
        assertThat(scratch.query(live, "SELECT v FROM t")).containsExactly("new");
        assertThat(scratch.query(archive, "SELECT v FROM t")).containsExactly("old");
    }

    @Test
    void refusesWhenLiveTookAWriteSinceTheSnapshot() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE u (id INT)",
                "CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO u VALUES (NEW.id)", "INSERT INTO t VALUES (1)");
        Snapshot snap = cloneLive(live, staging, false);
        scratch.execIn(live, "INSERT INTO t VALUES (2)");
        DatabaseServer server = dialect.server(scratch.spec(live));
        assertThatThrownBy(() -> dialect.atomicSwitch().switchOver(new SwitchRequest(server, staging, archive, snap, Duration.ofSeconds(5))))
                .isInstanceOf(PromoterException.class).hasMessageContaining("took writes since the snapshot").hasMessageContaining("t (");
        assertThat(server.exists(archive)).isFalse();
        assertThat(scratch.query(live, "SELECT COUNT(*) FROM t")).containsExactly("2");
        scratch.execIn(live, "INSERT INTO t VALUES (3)");
        assertThat(scratch.query(live, "SELECT COUNT(*) FROM u")).containsExactly("3");
        assertThat(scratch.query(staging, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"))
                .containsExactly("t_ai");
    }
}
