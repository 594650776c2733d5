package dev.promoter.dialects.h2;

import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.checkpoint.BackupRestoreCheck;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The backup-restore checkpoint on a real restored H2 database: pass, broken backup, older backup. */
class BackupRestoreCheckH2Test {
    @TempDir
    Path tmp;

    @Test
    void passesFailsOnABrokenBackupAndWarnsOnAnOlderOne() {
        Jdbi db = Connections.jdbi(new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("restored"), "sa", Secret.none()));
        db.useHandle(h -> h.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL)"));
        H2Introspector intro = new H2Introspector(new H2Dialect());
        TableRef t = new TableRef("PUBLIC", "T");
        TableChecksum real = db.withHandle(h -> intro.checksum(h, t));

        CheckpointResult ok = db.withHandle(h -> BackupRestoreCheck.compare(h, intro, manifest(3), snapshot(real), 5));
        assertThat(ok.status()).isEqualTo(CheckpointResult.Status.PASS);

        CheckpointResult broken = db.withHandle(h -> BackupRestoreCheck.compare(h, intro, manifest(4), snapshot(real), 5));
        assertThat(broken.status()).isEqualTo(CheckpointResult.Status.FAIL);
        assertThat(broken.actual()).contains("PUBLIC.T: manifest 4 rows, restored 3");

        TableChecksum later = TableChecksum.of(4, real.hashSum().add(BigInteger.ONE));
        CheckpointResult older = db.withHandle(h -> BackupRestoreCheck.compare(h, intro, manifest(3), snapshot(later), 5));
        assertThat(older.status()).isEqualTo(CheckpointResult.Status.WARN);
        assertThat(older.detail()).contains("PUBLIC.T", "took writes between the backup and the snapshot");
    }

    private static BackupManifest manifest(long rows) {
        return new BackupManifest(BackupManifest.FORMAT, "restored", "h2", "p", "1.0.0", Instant.now(),
                Map.of("PUBLIC.T", rows), List.of());
    }

    private static Snapshot snapshot(TableChecksum c) {
        return Snapshot.of(Instant.now(), "w", Map.of(new TableRef("PUBLIC", "T"), c), WriteFreeze.NONE);
    }
}
