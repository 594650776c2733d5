package dev.promoter.testing;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

/**
 * The real database servers tests run against. URLs come from the environment
 * ({@code PROMOTER_TEST_PG_URL}, {@code PROMOTER_TEST_MYSQL_URL}; a Testcontainers-backed harness can set
 * them) and default to the local servers every machine here has. When a server is unreachable, a test
 * fails under CI ({@code CI=true}) and is skipped, loudly, elsewhere.
 */
public final class TestServers {
    private TestServers() {
    }

    /** Admin connection to the PostgreSQL server's {@code postgres} database. */
    public static ConnectionSpec postgresAdmin() {
        return require("PostgreSQL", env("PROMOTER_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                env("PROMOTER_TEST_PG_USER", "postgres"), env("PROMOTER_TEST_PG_PASSWORD", ""));
    }

    /** Admin connection to the MySQL/MariaDB server (no default database). */
    public static ConnectionSpec mysqlAdmin() {
        return require("MySQL/MariaDB", env("PROMOTER_TEST_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/"),
                env("PROMOTER_TEST_MYSQL_USER", "root"), env("PROMOTER_TEST_MYSQL_PASSWORD", ""));
    }

    /** A unique lower-case database name with the given prefix, safe on every server. */
    public static String uniqueName(String prefix) {
        return (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static ConnectionSpec require(String what, String url, String user, String password) {
        ConnectionSpec spec = new ConnectionSpec(url, user, Secret.of(password));
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return spec;
        } catch (SQLException e) {
            String msg = what + " is not reachable at " + spec.redactedUrl() + " (" + e.getMessage()
                    + "). Start it (see README: Tests) or point PROMOTER_TEST_* at a server.";
            if (inCi()) {
                throw new AssertionError(msg, e);
            }
            System.err.println("SKIPPED: " + msg);
            Assumptions.abort(msg);
            return null;
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
