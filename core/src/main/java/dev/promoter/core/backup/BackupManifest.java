package dev.promoter.core.backup;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a backup holds: written as {@code manifest.json} beside the backup files, and checked before a
 * backup is called good or restored.
 */
public record BackupManifest(String format, String database, String dialect, String product, String version,
                             Instant takenAt, Map<String, Long> tables, List<FileEntry> files) {
    public static final String FORMAT = "promoter-backup/1";
    public static final String FILE_NAME = "manifest.json";

    public record FileEntry(String path, long bytes, String sha256) {
    }
}
