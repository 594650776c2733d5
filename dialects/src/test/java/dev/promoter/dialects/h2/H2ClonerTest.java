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

    static CloneRequest request(H2Fixture f) {
        return new CloneRequest(f.server.database("live"), f.server.database("live_staging"), 1, false,
                Duration.ofSeconds(5));
    }
}
