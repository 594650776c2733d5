package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.*;
import java.nio.file.Path;
import java.util.Map;

final class PostgresBackupTool implements BackupTool {
    PostgresBackupTool(PostgresClientTools tools) {
    }

    public Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress) {
        throw new UnsupportedOperationException();
    }

    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        throw new UnsupportedOperationException();
    }
}
