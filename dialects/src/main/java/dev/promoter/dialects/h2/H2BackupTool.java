package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backs up with H2's {@code SCRIPT TO 'backup.sql'} (schema, data, sequences with their current values, users)
 * and restores with {@code RUNSCRIPT FROM} into an empty database. The script and the row counts are read in
 * one REPEATABLE READ transaction, so they describe the same moment. A plain SQL file is larger than H2's
 * binary backup but readable by a DBA and loadable by any H2 2.x version.
 */
final class H2BackupTool implements BackupTool {
    static final String FILE = "backup.sql";

    private final H2Introspector introspector;

    H2BackupTool(H2Introspector introspector) {
        this.introspector = introspector;
    }

    @Override
    public Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress) {
        H2Url db = H2Url.parse(source.url());
        Path file = dir.resolve(FILE).toAbsolutePath();
        Map<TableRef, Long> counts = new LinkedHashMap<>();
        try (Connection c = Connections.open(source.withUrl(db.url(true)))) {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            Handle h = Jdbi.open(c);
            List<TableRef> tables = introspector.tables(h);
            for (TableRef t : tables) {
                counts.put(t, introspector.rowCount(h, t));
            }
            progress.message("Writing " + file + " (H2 SCRIPT)");
            try (var ps = c.prepareStatement("SCRIPT TO ?")) {
                ps.setString(1, file.toString());
                ps.execute();
            }
            c.commit();
            counts.forEach((t, n) -> progress.tableFinished(t, n, 0));
            return counts;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to back up H2 database " + db.dataFile() + " to " + file + ": "
                    + Connections.describe(e) + ". Check the disk space and that the folder is writable", e);
        }
    }

    @Override
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        Path file = dir.resolve(FILE).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw PromoterException.badInput("No H2 backup in " + dir + ": " + FILE + " is missing");
        }
        H2Url db = H2Url.parse(target.url());
        try (Connection c = Connections.open(target.withUrl(db.url(true)))) {
            List<TableRef> existing = introspector.tables(Jdbi.open(c));
            if (!existing.isEmpty()) {
                throw PromoterException.refused("Unable to restore into H2 database " + db.dataFile()
                        + ": it is not empty (it has " + existing + "); restore into a new, empty database");
            }
            progress.message("Running " + file + " into " + db.dataFile() + " (H2 RUNSCRIPT)");
            try (var ps = c.prepareStatement("RUNSCRIPT FROM ?")) {
                ps.setString(1, file.toString());
                ps.execute();
            }
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to restore " + file + " into H2 database " + db.dataFile() + ": "
                    + Connections.describe(e) + ". Check that the target exists, is empty and is writable", e);
        }
    }
}
