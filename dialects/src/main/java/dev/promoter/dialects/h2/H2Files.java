package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** File-level work on H2 databases: closing one for good and removing its files. */
final class H2Files {
    /** H2's "database may be already in use": another process holds the file lock. */
    static final String SQLSTATE_IN_USE = "90020";
    /** Files H2 may keep beside {@code <name>.mv.db}. */
    static final List<String> SIDE_SUFFIXES = List.of(".trace.db", ".lock.db", ".mv.db.tempFile", ".mv.db.newFile");

    private H2Files() {
    }

    /**
     * Closes the database for every session in this JVM ({@code SHUTDOWN}), so its file can be moved or
     * deleted. Does nothing when the file does not exist. Fails, naming the file, when another process holds it.
     */
    static void shutdown(ConnectionSpec login, H2Url db) {
        if (!Files.exists(db.dataFile())) {
            return;
        }
        try (Connection c = Connections.open(login.withUrl(db.url(true))); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            if (SQLSTATE_IN_USE.equals(e.getSQLState())) {
                throw PromoterException.refused("The H2 database " + db.dataFile() + " is open in another process ("
                        + Connections.describe(e) + "); stop the program that holds it and run again");
            }
            throw PromoterException.failed("Unable to close the H2 database " + db.dataFile() + ": "
                    + Connections.describe(e), e);
        }
    }

    /** Deletes the database's data file and side files (trace, lock, temp). */
    static void delete(H2Url db) {
        try {
            Files.deleteIfExists(db.dataFile());
            for (String suffix : SIDE_SUFFIXES) {
                Files.deleteIfExists(db.file(suffix));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Unable to delete the files of H2 database " + db.base() + ": " + e, e);
        }
    }
}
