package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2ClonerTest {
    @TempDir
    Path dir;

    @Test
    void clonesOneConsistentCopyWithCountersAndSnapshotChecksums() throws Exception {
        H2Fixture f = new H2Fixture(dir);
        f.server.create("live_staging");
        try (Connection writer = Connections.open(f.server.database("live"))) {
            // an uncommitted write is not part of the snapshot
            writer.setAutoCommit(false);
            writer.createStatement().execute("INSERT INTO audit_log (volume_id, action) VALUES (2, 'uncommitted')");

            Snapshot snap = f.dialect.cloner().cloneDatabase(request(f), ProgressListener.NONE);
            writer.rollback();

            assertThat(snap.freeze()).isSameAs(WriteFreeze.NONE);
            assertThat(snap.tables()).isEqualTo(f.checksums("live")).isEqualTo(f.checksums("live_staging"));
            assertThat(snap.tables().get(new TableRef("PUBLIC", "AUDIT_LOG")).rows()).isEqualTo(3);
            assertThat(snap.watermark()).isEqualTo(H2Cloner.watermark(f.checksums("live_staging")))
                    .startsWith("h2-checksums:sha256:");
        }
        // identity counters and sequences came along: new keys do not collide
        long id = f.jdbi("live_staging").withHandle(h -> {
            h.execute("INSERT INTO storage_volume (name, capacity_bytes, created_at) VALUES ('new', 1, NOW())");
            return h.createQuery("SELECT id FROM storage_volume WHERE name = 'new'").mapTo(Long.class).one();
        });
        assertThat(id).isGreaterThan(2);
        long seq = f.jdbi("live_staging").withHandle(h -> h.createQuery("SELECT NEXT VALUE FOR ticket_seq")
                .mapTo(Long.class).one());
        assertThat(seq).isGreaterThanOrEqualTo(100);
        // views survive
        List<String> big = f.jdbi("live_staging").withHandle(h -> h.createQuery("SELECT name FROM big_volumes")
                .mapTo(String.class).list());
        assertThat(big).containsExactly("b");
    }

    @Test
    void refusesANonEmptyStaging() {
        H2Fixture f = new H2Fixture(dir);
        f.server.create("live_staging");
        f.jdbi("live_staging").useHandle(h -> h.execute("CREATE TABLE keep_me (x INT)"));
        assertThatThrownBy(() -> f.dialect.cloner().cloneDatabase(request(f), ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("not empty").hasMessageContaining("KEEP_ME");
    }

    /**
     * H2 writes committed work from a background thread; on a full disk its statements still succeed. Before the
     * clone asked for a checkpoint, this clone returned a snapshot of an empty staging (0 tables), taken for live's.
     */
    @Test
    void aCopyThatDoesNotFitOnTheDiskFailsInsteadOfLeavingAnEmptyStaging() throws Exception {
        try (dev.promoter.testing.SmallDisk disk = dev.promoter.testing.SmallDisk.mount(dir.resolve("disk"), 256L << 20)) {
            H2Fixture f = new H2Fixture(disk.dir());
            f.liveJdbi().useHandle(h -> h.execute("INSERT INTO kv_pair (name, \"VALUE\") SELECT 'n' || x, REPEAT('v', 300) "
                    + "FROM SYSTEM_RANGE(1, 3000)"));
            var before = f.checksums("live");
            f.dialect.server(f.live).create("live_staging");
            long liveBytes = java.nio.file.Files.size(disk.dir().resolve("live.mv.db"));
            long script = java.nio.file.Files.size(scriptOf(f, dir.resolve("script")));
            assertThat(script).isGreaterThan(512L << 10);
            disk.resize(disk.used() + script + script / 4); // the script fits, the database loaded from it does not

            assertThatThrownBy(() -> f.dialect.cloner().cloneDatabase(request(f), ProgressListener.NONE))
                    .isInstanceOf(PromoterException.class)
                    .hasMessageContaining("Unable to restore").hasMessageContaining("could not write")
                    .hasMessageContaining("Check the free space of " + disk.dir()).hasMessageNotContaining("SQL statement");
            assertThat(f.checksums("live")).isEqualTo(before);
            System.out.println("MEASURED live file " + (liveBytes >> 10) + " kB, script " + (script >> 10) + " kB");
        }
    }

    private static Path scriptOf(H2Fixture f, Path folder) throws java.io.IOException {
        java.nio.file.Files.createDirectories(folder);
        f.dialect.backupTool().backup(f.server.database("live"), folder, ProgressListener.NONE);
        return folder.resolve(H2BackupTool.FILE);
    }

    static CloneRequest request(H2Fixture f) {
        return new CloneRequest(f.server.database("live"), f.server.database("live_staging"), 1, false,
                Duration.ofSeconds(5));
    }
}
