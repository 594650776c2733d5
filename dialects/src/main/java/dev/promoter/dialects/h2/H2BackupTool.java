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

    /** H2's error text up to the statement it quotes: a failed INSERT of a script quotes all its rows. */
    static String withoutStatement(String message) {
        int at = message.indexOf("; SQL statement:");
        return at < 0 ? message : message.substring(0, at);
    }

    /**
     * Writes everything committed on {@code c} to the file and forces it to disk ({@code CHECKPOINT SYNC}). H2 writes
     * committed work from a background thread: when that write fails (a full disk), the statements that committed it
     * had already succeeded, H2 closes the database, and what reached the file is what a later connection sees. Seen
     * here: a RUNSCRIPT onto a disk too small for it returned without an error and left an empty database. Asked on
     * the same connection before it closes, the checkpoint fails instead.
     */
    static void sync(Connection c, String what) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            throw new SQLException("H2 could not write " + what + " to disk ("
                    + withoutStatement(Connections.describe(e)) + ")", e.getSQLState(), e);
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
            sync(c, db.dataFile().toString());
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to restore " + file + " into H2 database " + db.dataFile() + ": "
                    + withoutStatement(Connections.describe(e)) + ". Check the free space of " + db.folder()
                    + " and that the target exists, is empty and is writable", e);
        }
    }
}
