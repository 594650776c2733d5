package dev.promoter.core.backup;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real, small backup tool for H2 (SCRIPT TO / RUNSCRIPT FROM), enough to exercise the manifest: it writes
 * real files from a real database. The production H2 tool lives in the dialects module.
 */
final class H2ScriptBackupTool implements BackupTool {
    static final String SCRIPT = "schema/h2-script.sql";

    @Override
    public Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress) {
        try (Connection c = open(source); Statement st = c.createStatement()) {
            Files.createDirectories(dir.resolve(SCRIPT).getParent());
            st.execute("SCRIPT TO " + literal(dir.resolve(SCRIPT)));
            List<TableRef> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                    + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(new TableRef(rs.getString(1), rs.getString(2)));
                }
            }
            Map<TableRef, Long> counts = new TreeMap<>();
            for (TableRef t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + quote(t.schema()) + "." + quote(t.name()))) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
            Files.writeString(dir.resolve("tables.txt"), counts.toString());
            return counts;
        } catch (SQLException e) {
            throw new IllegalStateException("backup of " + source + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        try (Connection c = open(target); Statement st = c.createStatement()) {
            st.execute("RUNSCRIPT FROM " + literal(dir.resolve(SCRIPT)));
        } catch (SQLException e) {
            throw new IllegalStateException("restore into " + target + " failed: " + e.getMessage(), e);
        }
    }

    private static Connection open(ConnectionSpec spec) throws SQLException {
        return DriverManager.getConnection(spec.url(), spec.user(), spec.password().reveal());
    }

    private static String literal(Path p) {
        return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    private static String quote(String id) {
        return '"' + id.replace("\"", "\"\"") + '"';
    }
}
