package dev.promoter.dialects.h2;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2AtomicSwitchTest {
    @TempDir
    Path dir;

    @Test
    void swapsStagingInAndKeepsOldLiveAsArchive() {
        H2Fixture f = new H2Fixture(dir);
        f.server.create("live_staging");
        Snapshot snap = f.dialect.cloner().cloneDatabase(H2ClonerTest.request(f), ProgressListener.NONE);
        f.jdbi("live_staging").useHandle(h -> h.execute("CREATE TABLE event_triggers_v2 (id INT)"));
        Map<TableRef, TableChecksum> oldLive = f.checksums("live");

        // a product session is open on live during the switch: it is closed, not waited for forever
        var productSession = f.liveJdbi().open();
        SwitchResult r = f.dialect.atomicSwitch().switchOver(
                new SwitchRequest(f.server, "live_staging", "live_archive", snap, Duration.ofSeconds(10)));

        assertThat(r.archive()).isEqualTo("live_archive");
        assertThat(r.blockedWindowMillis()).isBetween(0L, 10_000L);
        assertThat(r.detail()).contains("hard link").contains("rename(2)");
        assertThat(f.server.exists("live_staging")).isFalse();
        assertThat(tables(f, "live")).contains(new TableRef("PUBLIC", "EVENT_TRIGGERS_V2"));
        assertThat(tables(f, "live_archive")).doesNotContain(new TableRef("PUBLIC", "EVENT_TRIGGERS_V2"));
        assertThat(f.checksums("live_archive")).isEqualTo(oldLive);
        assertThat(f.server.list("live")).containsExactly("live", "live_archive");
        assertThat(Files.exists(dir.resolve("live_staging.trace.db"))).isFalse();
        productSession.close();
    }

    @Test
    void refusesWhenLiveTookAWriteAfterTheSnapshotAndLeavesLiveAlone() {
        H2Fixture f = new H2Fixture(dir);
        f.server.create("live_staging");
        Snapshot snap = f.dialect.cloner().cloneDatabase(H2ClonerTest.request(f), ProgressListener.NONE);
        f.liveJdbi().useHandle(h -> h.execute("INSERT INTO kv_pair (name, \"VALUE\") VALUES ('late', 'write')"));
        Map<TableRef, TableChecksum> before = f.checksums("live");

        assertThatThrownBy(() -> f.dialect.atomicSwitch().switchOver(
                new SwitchRequest(f.server, "live_staging", "live_archive", snap, Duration.ofSeconds(10))))
                .isInstanceOf(PromoterException.class)
                .satisfies(e -> assertThat(((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("PUBLIC.KV_PAIR")
                .hasMessageContaining("run promote again")
                .message().doesNotContain("STORAGE_VOLUME");

        assertThat(f.checksums("live")).isEqualTo(before);
        assertThat(f.server.exists("live_archive")).isFalse();
        assertThat(f.server.exists("live_staging")).isTrue();
        // live is usable again: exclusive mode was lifted
        f.liveJdbi().useHandle(h -> h.execute("INSERT INTO kv_pair (name) VALUES ('after')"));
    }

    /** kill -9 between the switch's link and its rename leaves a second name for live's file, which is no archive. */
    @Test
    void theNextRunRemovesTheLinkOfASwitchKilledBeforeItsRename() throws Exception {
        H2Fixture f = new H2Fixture(dir);
        Map<TableRef, TableChecksum> before = f.checksums("live");
        f.server.create("live_archive_20261203000000");
        Files.createLink(dir.resolve("live_archive_20261203000001.mv.db"), dir.resolve("live.mv.db"));

        assertThat(f.dialect.cloner().leftovers(f.server)).singleElement().asString()
                .contains("live_archive_20261203000001.mv.db", "no archive");
        String done = f.dialect.cloner().liftLeftovers(f.server, Duration.ofSeconds(5));

        assertThat(done).contains("live_archive_20261203000001.mv.db", "not archives", "live was not changed");
        assertThat(f.server.list("live")).containsExactly("live", "live_archive_20261203000000");
        assertThat(f.checksums("live")).isEqualTo(before);
        assertThat(f.dialect.cloner().liftLeftovers(f.server, Duration.ofSeconds(5))).isNull();
        assertThat(f.dialect.cloner().leftovers(f.server)).isEmpty();
    }

    @Test
    void refusesAnExistingArchive() {
        H2Fixture f = new H2Fixture(dir);
        f.server.create("live_staging");
        f.server.create("live_archive");
        Snapshot snap = f.dialect.cloner().cloneDatabase(H2ClonerTest.request(f), ProgressListener.NONE);
        assertThatThrownBy(() -> f.dialect.atomicSwitch().switchOver(
                new SwitchRequest(f.server, "live_staging", "live_archive", snap, Duration.ofSeconds(10))))
                .hasMessageContaining("already exists");
    }

    private static List<TableRef> tables(H2Fixture f, String db) {
        return f.jdbi(db).withHandle(f.dialect.introspector()::tables);
    }
}
