package dev.promoter.dialects.mysql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.SessionDefaults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tool's own MySQL/MariaDB sessions run without the statement time limit meant for applications (MariaDB's
 * {@code max_statement_time}, global or a user's {@code MAX_STATEMENT_TIME}; MySQL's {@code max_execution_time},
 * which limits SELECTs such as the copy's reads) and are not closed by a short {@code wait_timeout} while they wait
 * for the copy workers. Connector/J sets them at connect ({@code sessionVariables}); the variable names differ
 * between the two servers, and an unknown one fails the connection, so the first connection to a server reads
 * which it is. A {@code sessionVariables} already in the URL is kept, after these (its values win).
 */
public final class MySqlSessionDefaults implements SessionDefaults {
    private static final Map<String, Boolean> MARIADB_BY_SERVER = new ConcurrentHashMap<>();
    /** The longest wait_timeout both servers accept (a year). */
    static final long WAIT_TIMEOUT = 31_536_000;

    @Override
    public String apply(ConnectionSpec spec, String url, Properties properties) throws SQLException {
        if (url == null || !url.toLowerCase(Locale.ROOT).startsWith(MySqlUrl.MYSQL)) {
            return url;
        }
        MySqlUrl u = MySqlUrl.parse(url);
        String key = u.hosts() + "|" + spec.user();
        Boolean mariaDb = MARIADB_BY_SERVER.get(key);
        if (mariaDb == null) {
            mariaDb = probe(spec, url);
            MARIADB_BY_SERVER.put(key, mariaDb);
        }
        String theirs = u.param("sessionVariables");
        return u.withParam("sessionVariables", variables(mariaDb) + (theirs == null ? "" : "," + theirs)).text();
    }

    /** The session variables for a MariaDB ({@code true}) or MySQL server. */
    static String variables(boolean mariaDb) {
        return (mariaDb ? "max_statement_time=0" : "max_execution_time=0") + ",wait_timeout=" + WAIT_TIMEOUT;
    }

    private static boolean probe(ConnectionSpec spec, String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, Connections.login(spec)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1).toLowerCase(Locale.ROOT).contains("mariadb");
        }
    }
}
