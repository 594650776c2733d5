package dev.promoter.dialects.h2;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.Ledger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2ServerTest {
    @TempDir
    Path dir;

    @Test
    void createsListsAndDropsSiblingFiles() {
        H2Fixture f = new H2Fixture(dir);
        assertThat(f.server.liveDatabase()).isEqualTo("live");
        assertThat(f.server.ledgerKey()).isEqualTo(dir.resolve("live").toAbsolutePath().toString());
        assertThat(f.server.exists("live")).isTrue();
        assertThat(f.server.exists("live_staging_1")).isFalse();

        f.server.create("live_staging_1");
        assertThat(Files.exists(dir.resolve("live_staging_1.mv.db"))).isTrue();
        assertThat(f.server.list("live_")).containsExactly("live_staging_1");
        assertThat(f.server.database("live_staging_1").url()).endsWith(";MODE=REGULAR;MAX_COMPACT_TIME=0;IFEXISTS=TRUE");
        assertThatThrownBy(() -> f.server.create("live_staging_1")).hasMessageContaining("already exists");

        // open in this JVM while dropping: drop shuts it down first
        f.jdbi("live_staging_1").useHandle(h -> {
            h.execute("CREATE TABLE t (x INT)");
            f.server.drop("live_staging_1");
        });
        assertThat(f.server.exists("live_staging_1")).isFalse();
        assertThat(f.server.list("live_")).isEmpty();
    }

    @Test
    void neverCreatesADatabaseByOpeningIt() {
        H2Fixture f = new H2Fixture(dir);
        assertThatThrownBy(() -> Connections.open(f.server.database("typo")).close()).isInstanceOf(SQLException.class);
        assertThat(f.server.exists("typo")).isFalse();
    }

    @Test
    void refusesToDropLiveOrTheLedgerAndRejectsPathNames() {
        H2Fixture f = new H2Fixture(dir);
        assertThatThrownBy(() -> f.server.drop("live"))
                .isInstanceOf(PromoterException.class).hasMessageContaining("live database")
                .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED));
        assertThatThrownBy(() -> f.server.drop(H2Server.LEDGER_NAME)).hasMessageContaining("ledger");
        assertThatThrownBy(() -> f.server.database("../escape")).hasMessageContaining("Invalid H2 database name");
        assertThat(f.server.exists("live")).isTrue();
    }

    @Test
    void ledgerIsItsOwnFileBesideLive() {
        H2Fixture f = new H2Fixture(dir);
        Ledger.open(Connections.jdbi(f.server.ledger()), Clock.systemUTC());
        assertThat(Files.exists(dir.resolve("promoter_ledger.mv.db"))).isTrue();
        // a run opens it for each write: a connection kept open would lock the file against a second process
        assertThat(f.server.ledgerMayStayConnected()).isFalse();
    }

    /** Written at each commit: on a full disk the ledger's write fails instead of vanishing when the file is reopened. */
    @Test
    void aLedgerWriteThatCannotReachTheDiskFails() throws Exception {
        try (dev.promoter.testing.SmallDisk disk = dev.promoter.testing.SmallDisk.mount(dir.resolve("disk"), 256L << 20)) {
            H2Fixture f = new H2Fixture(disk.dir());
            var ledger = f.server.ledger();
            assertThat(ledger.url()).contains(";WRITE_DELAY=0");
            var c = Connections.open(ledger);
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE notes (id INT PRIMARY KEY, v VARCHAR(1000))");
                disk.resize(disk.used() + (64 << 10));
                assertThatThrownBy(() -> st.execute("INSERT INTO notes SELECT x, REPEAT('v', 300) FROM SYSTEM_RANGE(1, 3000)"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("Writing to");
            } finally {
                try {
                    c.close();
                } catch (SQLException alsoHere) {
                    // the closing session reports the failed write again
                }
            }
        }
    }
}
