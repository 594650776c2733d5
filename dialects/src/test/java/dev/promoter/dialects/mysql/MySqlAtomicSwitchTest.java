package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
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
import java.util.concurrent.CompletableFuture;

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
