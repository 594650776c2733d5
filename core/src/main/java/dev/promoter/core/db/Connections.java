package dev.promoter.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.promoter.core.PromoterException;
import org.jdbi.v3.core.Jdbi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.WeakHashMap;

/** Opening connections and pools from a {@link ConnectionSpec}. */
public final class Connections {
    private static final List<SessionDefaults> DEFAULTS = ServiceLoader.load(SessionDefaults.class).stream()
            .map(ServiceLoader.Provider::get).toList();

    private Connections() {
    }

    /** Every connection {@link #open} made that may still be open (weakly held: a dropped one goes away). */
    private static final Set<Connection> OPENED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /** A single connection (the caller closes it). */
    public static Connection open(ConnectionSpec spec) throws SQLException {
        Properties p = login(spec);
        Connection c = DriverManager.getConnection(withDefaults(spec, p), p);
        OPENED.add(c);
        return c;
    }

    /**
     * Cuts off every connection {@link #open} made that is still open ({@link Connection#abort}: the socket is
     * closed, a statement waiting on it fails at once, and the server rolls back what it had not committed).
     * For an interrupted run: its in-flight work fails and unwinds through the usual failure path, whose own new
     * connections are not affected. Returns how many were cut off.
     */
    public static int abortAll() {
        List<Connection> open;
        synchronized (OPENED) {
            open = new ArrayList<>(OPENED);
            OPENED.clear();
        }
        int n = 0;
        for (Connection c : open) {
            try {
                if (!c.isClosed()) {
                    c.abort(Runnable::run);
                    n++;
                }
            } catch (SQLException | RuntimeException e) {
                // a connection that cannot be aborted is already broken
            }
        }
        return n;
    }

    /** The driver properties of {@code spec}'s login: user and password, when given. */
    public static Properties login(ConnectionSpec spec) {
        Properties p = new Properties();
        if (spec.user() != null) {
            p.setProperty("user", spec.user());
        }
        if (!spec.password().isEmpty()) {
            p.setProperty("password", spec.password().reveal());
        }
        return p;
    }

    /** The URL for {@code spec} and its driver properties as every {@link SessionDefaults} on the class path makes them. */
    static String withDefaults(ConnectionSpec spec, Properties properties) throws SQLException {
        String u = spec.url();
        for (SessionDefaults d : DEFAULTS) {
            u = d.apply(spec, u, properties);
        }
        return u;
    }

    /** A small pool named for its role (every Hikari log line carries the name). */
    public static HikariDataSource pool(ConnectionSpec spec, String name, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("promoter-" + name);
        Properties p = new Properties();
        try {
            c.setJdbcUrl(withDefaults(spec, p));
        } catch (SQLException e) {
            throw unableToConnect(spec, e);
        }
        c.setDataSourceProperties(p);
        if (spec.user() != null) {
            c.setUsername(spec.user());
        }
        if (!spec.password().isEmpty()) {
            c.setPassword(spec.password().reveal());
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setInitializationFailTimeout(-1);
        c.setConnectionTimeout(30_000);
        return new HikariDataSource(c);
    }

    /** A Jdbi that opens a fresh connection per handle (no pool): for short administrative work. */
    public static Jdbi jdbi(ConnectionSpec spec) {
        return Jdbi.create(() -> open(spec));
    }

    /**
     * SQLSTATE 55000 (object not in prerequisite state) on connecting: the database exists but refuses new
     * connections (PostgreSQL: {@code ALLOW_CONNECTIONS false}).
     */
    public static final String REFUSES_CONNECTIONS = "55000";

    public static PromoterException unableToConnect(ConnectionSpec spec, SQLException e) {
        if (REFUSES_CONNECTIONS.equals(e.getSQLState())) {
            return PromoterException.failed("Unable to connect to " + spec + ": " + describe(e) + ". The database "
                    + "refuses new connections (on PostgreSQL: ALTER DATABASE ... WITH ALLOW_CONNECTIONS false). A "
                    + "Promoter run does that only inside its switch or template copy, for a moment; if a run was "
                    + "killed there, `promote` on this database lets connections in again (as a run's first step), "
                    + "or run ALTER DATABASE <name> WITH ALLOW_CONNECTIONS true", e);
        }
        return PromoterException.failed("Unable to connect to " + spec + ": " + describe(e)
                + ". Check the URL, that the server is running, and the user and password "
                + "(PROMOTER_PASSWORD or --password-file)", e);
    }

    /** SQLSTATE and server message, for error texts. */
    public static String describe(SQLException e) {
        String state = e.getSQLState();
        return (state == null ? "" : "SQLSTATE " + state + ": ") + e.getMessage();
    }
}
