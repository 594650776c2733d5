package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.SessionDefaults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tool's own PostgreSQL sessions run without the timeouts meant for applications, whether set on the database
 * ({@code ALTER DATABASE live SET statement_timeout = '30s'}), on a role or in postgresql.conf: a copy or checksum
 * of a large table runs for longer than any application statement, the snapshot's transaction stays open (and
 * idle) through a whole clone, and the clone's staging session idles while the workers copy. Each would otherwise
 * be cancelled part way. They go in the startup packet ({@code options=-c ...}), which outranks database and role
 * settings; pg_dump and pg_restore set the same themselves. Sessions of the migration are the tool's too, so a
 * script's long {@code CREATE INDEX} is not cut off by the applications' limit either (a script may still
 * {@code SET} its own). Live and staging keep their settings for everyone else: they are carried, not changed.
 * <p>
 * From 14 on they also check every second that the tool is still connected ({@code client_connection_check_interval}).
 * <p>
 * The names differ by server version ({@code idle_session_timeout} from 14, {@code transaction_timeout} from 17,
 * and a name the server does not know fails the connection), so the first connection to a server reads its
 * version on a plain session; options already in the URL are kept, after these (theirs win).
 */
public final class PostgresSessionDefaults implements SessionDefaults {
    private static final Map<String, Integer> MAJOR_BY_SERVER = new ConcurrentHashMap<>();

    @Override
    public String apply(ConnectionSpec spec, String url, Properties properties) throws SQLException {
        if (url == null || !url.startsWith(PostgresUrl.PREFIX)) {
            return url;
        }
        PostgresUrl u = PostgresUrl.parse(url);
        String key = (u.hosts() == null ? "" : u.hosts()) + "|" + spec.user();
        Integer major = MAJOR_BY_SERVER.get(key);
        if (major == null) {
            major = probe(spec, url);
            MAJOR_BY_SERVER.put(key, major);
        }
        // COPY sessions of a SQL_ASCII database switch to its encoding (PostgresCopyRows.pinSettings)
        properties.setProperty("allowEncodingChanges", "true");
        String ours = options(major);
        String theirs = u.parameters().get("options");
        if (theirs == null) {
            properties.setProperty("options", ours);
            return url;
        }
        // pgjdbc lets the URL's parameter replace a property: put ours into the URL's, before theirs
        return u.withParameter("options", ours + " " + theirs);
    }

    /** The startup options for a server of version {@code major}. */
    static String options(int major) {
        List<String> names = new ArrayList<>(List.of("statement_timeout", "idle_in_transaction_session_timeout"));
        if (major >= 14) {
            names.add("idle_session_timeout");
        }
        if (major >= 17) {
            names.add("transaction_timeout");
        }
        StringBuilder sb = new StringBuilder();
        names.forEach(n -> sb.append(sb.length() == 0 ? "" : " ").append("-c ").append(n).append("=0"));
        if (major >= 14) {
            // a run that is killed or interrupted cuts its sessions off: their backends notice within a second and
            // stop (an index build or COPY on staging would otherwise run on to its end first)
            sb.append(" -c client_connection_check_interval=1000");
        }
        return sb.toString();
    }

    private static int probe(ConnectionSpec spec, String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, Connections.login(spec))) {
            return c.getMetaData().getDatabaseMajorVersion();
        }
    }
}
