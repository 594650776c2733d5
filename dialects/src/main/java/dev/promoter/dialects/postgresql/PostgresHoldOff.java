package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * New connections to a database refused for a moment ({@code ALTER DATABASE ... WITH ALLOW_CONNECTIONS false};
 * clients get SQLSTATE 55000 "database ... is not currently accepting connections"): live during the switch and
 * during the template strategy's file copy.
 * <p>
 * A run that dies inside that moment (killed, or its connection cut off) cannot let connections in again itself,
 * and every application would stay locked out. So before refusing them, the custom parameter {@link #MARK} is set on
 * the database to the ALLOW_CONNECTIONS value being replaced, and the next run on that database, holding the
 * promotion lock (so the run that set it is over), puts that value back ({@link #liftLeftover}), as it lifts a
 * write freeze. From PostgreSQL 15 on, setting a custom parameter on a database is a superuser's unless granted
 * ({@code GRANT SET ON PARAMETER promoter.connections_from TO role}); without that the hold-off is taken unmarked,
 * and a killed run's leftover must be lifted by hand (the error applications and Promoter get says how).
 */
final class PostgresHoldOff {
    /** The custom setting that marks a hold-off as Promoter's and keeps the ALLOW_CONNECTIONS it replaced. */
    static final String MARK = "promoter.connections_from";

    private final PostgresServer server;
    private final String db;
    private final boolean previous;
    private final boolean marked;

    private PostgresHoldOff(PostgresServer server, String db, boolean previous, boolean marked) {
        this.server = server;
        this.db = db;
        this.previous = previous;
        this.marked = marked;
    }

    /** Marks database {@code db} and refuses new connections to it (sessions already there stay). */
    static PostgresHoldOff take(PostgresServer server, Connection admin, String db) throws SQLException {
        String leftover = PostgresWriteFreeze.setting(admin, db, MARK);
        // a dead run's hold-off still on: what it replaced is the real previous value
        boolean previous = leftover != null ? Boolean.parseBoolean(leftover) : allowsConnections(admin, db);
        boolean marked = true;
        try (Statement st = admin.createStatement()) {
            try {
                st.execute("ALTER DATABASE " + q(db) + " SET " + MARK + " = '" + previous + "'");
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                marked = false; // not granted (PostgreSQL 15 on): this run alone can lift it
            }
            try {
                st.execute("ALTER DATABASE " + q(db) + " WITH ALLOW_CONNECTIONS false");
            } catch (SQLException e) {
                if (marked) {
                    try {
                        st.execute("ALTER DATABASE " + q(db) + " RESET " + MARK);
                    } catch (SQLException r) {
                        e.addSuppressed(r);
                    }
                }
                throw e;
            }
        }
        return new PostgresHoldOff(server, db, previous, marked);
    }

    /** The ALLOW_CONNECTIONS the hold-off replaced. */
    boolean previous() {
        return previous;
    }

    /**
     * Inside the switch's rename transaction: the held-off database, now named {@code nameNow}, gets its
     * ALLOW_CONNECTIONS back and loses the mark, in the same commit as the renames.
     */
    void endWithin(Statement st, String nameNow) throws SQLException {
        st.execute("ALTER DATABASE " + q(nameNow) + " WITH ALLOW_CONNECTIONS " + previous);
        if (marked) {
            st.execute("ALTER DATABASE " + q(nameNow) + " RESET " + MARK);
        }
    }

    /**
     * Lets connections in again as they were, on {@code admin} or, when that fails (a connection that was cut off,
     * as an interrupted run's are), on a new one; fails with the statement that does it by hand.
     */
    void release(Connection admin) {
        try {
            restore(admin, db, previous, marked);
        } catch (SQLException first) {
            try (Connection c = server.admin()) {
                restore(c, db, previous, marked);
            } catch (SQLException e) {
                e.addSuppressed(first);
                throw PromoterException.failed("Connections to database \"" + db + "\" are still refused: letting them "
                        + "in again failed: " + Connections.describe(e) + ". Run: ALTER DATABASE " + q(db)
                        + " WITH ALLOW_CONNECTIONS " + previous + (marked ? "; ALTER DATABASE " + q(db) + " RESET " + MARK
                        + " (or run promote on it again, which does this)" : ""), e);
            }
        }
    }

    /**
     * Lets connections into live again where a run that died left them refused (found by its mark). Called by the
     * lock holder, so the run that took it is over. Returns what it did, or null.
     */
    static String liftLeftover(PostgresServer server) {
        String live = server.liveDatabase();
        try (Connection c = server.admin()) {
            String leftover = PostgresWriteFreeze.setting(c, live, MARK);
            if (leftover == null) {
                return null;
            }
            boolean previous = Boolean.parseBoolean(leftover);
            restore(c, live, previous, true);
            return "let connections into database \"" + live + "\" again: a run that died inside its switch or its "
                    + "template copy had left them refused (ALLOW_CONNECTIONS restored to " + previous + ")";
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to let connections into database \"" + live + "\" again after a "
                    + "dead run left them refused: " + Connections.describe(e) + ". Run: ALTER DATABASE " + q(live)
                    + " WITH ALLOW_CONNECTIONS true; ALTER DATABASE " + q(live) + " RESET " + MARK, e);
        }
    }

    private static void restore(Connection c, String db, boolean previous, boolean marked) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + q(db) + " WITH ALLOW_CONNECTIONS " + previous);
            if (marked) {
                st.execute("ALTER DATABASE " + q(db) + " RESET " + MARK);
            }
        }
    }

    private static boolean allowsConnections(Connection admin, String db) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT datallowconn FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PromoterException.failed("Database \"" + db + "\" does not exist", null);
                }
                return rs.getBoolean(1);
            }
        }
    }

    private static String q(String name) {
        return PostgresDialect.quoteIdentifier(name);
    }
}
