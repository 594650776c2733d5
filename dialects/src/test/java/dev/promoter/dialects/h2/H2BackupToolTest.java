package dev.promoter.dialects.h2;

import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class H2BackupToolTest {
    @TempDir
    Path dir;

    @Test
    void backupThenRestoreGivesEqualChecksums() throws Exception {
        H2Fixture f = new H2Fixture(dir.resolve("db"));
        Path backup = Files.createDirectories(dir.resolve("backup"));
        Map<TableRef, Long> counts;
        try (var writer = dev.promoter.core.db.Connections.open(f.server.database("live"))) {
            // an uncommitted write during the backup is in neither the script nor the counts
            writer.setAutoCommit(false);
            writer.createStatement().execute("INSERT INTO kv_pair (name) VALUES ('uncommitted')");
            counts = f.dialect.backupTool().backup(f.server.database("live"), backup, ProgressListener.NONE);
            writer.rollback();
        }
        assertThat(Files.readString(backup.resolve("backup.sql"))).doesNotContain("uncommitted");
        assertThat(counts).containsEntry(new TableRef("PUBLIC", "KV_PAIR"), 3L).hasSize(4);
        assertThat(backup.resolve("backup.sql")).isRegularFile();

        f.server.create("restored");
        f.dialect.backupTool().restore(backup, f.server.database("restored"), ProgressListener.NONE);
        assertThat(f.checksums("restored")).isEqualTo(f.checksums("live"));
        long next = f.jdbi("restored").withHandle(h -> {
            h.execute("INSERT INTO storage_volume (name, capacity_bytes, created_at) VALUES ('n', 1, NOW())");
            return h.createQuery("SELECT MAX(id) FROM storage_volume").mapTo(Long.class).one();
        });
        assertThat(next).isEqualTo(3);

        assertThatThrownBy(() -> f.dialect.backupTool().restore(backup, f.server.database("restored"),
                ProgressListener.NONE)).hasMessageContaining("not empty");
    }
}
