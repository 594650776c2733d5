package dev.promoter.core.spi;

import dev.promoter.core.db.ConnectionSpec;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a restorable backup of a database into an empty folder and restores one. The core writes the
 * manifest (tables, row counts, sha-256 of every file) and checks it; dialects only write and read files.
 */
public interface BackupTool {
    /** Writes the backup files into {@code dir}; returns each table's row count as backed up. */
    Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress);

    /** Restores the backup in {@code dir} into the empty database {@code target}. */
    void restore(Path dir, ConnectionSpec target, ProgressListener progress);
}
