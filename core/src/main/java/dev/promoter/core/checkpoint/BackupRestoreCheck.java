package dev.promoter.core.checkpoint;

import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backup, restored into a scratch database, holds what its manifest says (else the backup is broken:
 * FAIL) and what the snapshot held (else live took writes between the backup and the snapshot: WARN, since
 * the backup is then older than staging, not wrong).
 */
public final class BackupRestoreCheck {
    private BackupRestoreCheck() {
    }

    public static CheckpointResult compare(Handle restored, Introspector introspector, BackupManifest manifest,
                                           Snapshot snapshot, long restoreMillis) {
        long t0 = System.nanoTime();
        Map<String, TableChecksum> got = new TreeMap<>();
        for (TableRef t : introspector.tables(restored)) {
            if (!LiquibaseMigrator.isTrackingTable(t.name())) {
                got.put(t.display(), introspector.checksum(restored, t));
            }
        }
        List<String> broken = new ArrayList<>();
        manifest.tables().forEach((table, rows) -> {
            if (!LiquibaseMigrator.isTrackingTable(table.substring(table.lastIndexOf('.') + 1))) {
                TableChecksum c = got.get(table);
                if (c == null || c.rows() != rows) {
                    broken.add(table + ": manifest " + rows + " rows, restored " + (c == null ? "no table" : c.rows()));
                }
            }
        });
        long ms = restoreMillis + (System.nanoTime() - t0) / 1_000_000;
        String name = "backup restores to the snapshot";
        if (!broken.isEmpty()) {
            return CheckpointResult.fail(name, "backup", "manifest's counts", String.join("; ", broken),
                    "the backup does not restore what its manifest lists: do not rely on it; take a new backup", ms);
        }
        List<String> differ = new ArrayList<>();
        snapshot.tables().forEach((t, sum) -> {
            if (!LiquibaseMigrator.isTrackingTable(t.name()) && !sum.equals(got.get(t.display()))) {
                differ.add(t.display() + " (snapshot " + sum.text() + ", backup "
                        + (got.get(t.display()) == null ? "missing" : got.get(t.display()).text()) + ")");
            }
        });
        if (!differ.isEmpty()) {
            return new CheckpointResult(name, "backup", CheckpointResult.Status.WARN, "snapshot's checksums",
                    differ.size() + " table(s) differ", String.join("; ", differ) + ". The backup restores as its manifest "
                    + "says, but live took writes between the backup and the snapshot, so the backup is older than staging", ms);
        }
        return CheckpointResult.pass(name, "backup", "snapshot's checksums", got.size() + " table(s) equal", ms);
    }
}
