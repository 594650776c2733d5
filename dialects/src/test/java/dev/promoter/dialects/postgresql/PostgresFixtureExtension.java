package dev.promoter.dialects.postgresql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test extension {@code promoter_fixture} (src/test/resources/postgresql-extension): configuration tables
 * marked with {@code pg_extension_config_dump}, which no contrib extension has. A server only loads extensions
 * from its own share/extension folder, so the files are copied there when the server runs on this machine and
 * the folder is writable; otherwise the test fails, saying what to copy where.
 */
final class PostgresFixtureExtension {
    static final String NAME = "promoter_fixture";
    private static final List<String> FILES = List.of(NAME + ".control", NAME + "--1.0.sql");

    private PostgresFixtureExtension() {
    }

    /** Makes sure the test server can CREATE EXTENSION promoter_fixture. */
    static synchronized void ensureInstalled(PostgresTestDatabases dbs) throws SQLException, IOException {
        try (Connection c = dbs.open("postgres")) {
            if (available(c)) {
                return;
            }
            int major = c.getMetaData().getDatabaseMajorVersion();
            List<String> tried = new ArrayList<>();
            for (Path dir : candidates(major)) {
                tried.add(dir.toString());
                if (Files.isRegularFile(dir.resolve("plpgsql.control")) && Files.isWritable(dir)) {
                    for (String f : FILES) {
                        try (InputStream in = PostgresFixtureExtension.class.getResourceAsStream("/postgresql-extension/" + f)) {
                            Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                    if (available(c)) {
                        return;
                    }
                }
            }
            throw new AssertionError("The test extension " + NAME + " is not installed on the test server and could not "
                    + "be installed from here (tried " + tried + "): copy dialects/src/test/resources/postgresql-extension/* "
                    + "into the share/extension folder of the server (pg_config --sharedir, then /extension)");
        }
    }

    private static boolean available(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_available_extensions WHERE name = '" + NAME + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /** share/extension of the server's own version first (Debian keeps one pg_config per version), then pg_config's. */
    private static List<Path> candidates(int major) {
        List<Path> out = new ArrayList<>();
        for (String pgConfig : List.of("/usr/lib/postgresql/" + major + "/bin/pg_config", "pg_config")) {
            try {
                Process p = new ProcessBuilder(pgConfig, "--sharedir").redirectErrorStream(true).start();
                String dir = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !dir.isEmpty()) {
                    out.add(Path.of(dir, "extension"));
                }
            } catch (IOException e) {
                // no such pg_config
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.add(Path.of("/usr/share/postgresql/" + major + "/extension"));
        return out;
    }
}
