package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.WriteFreeze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * Live made read-only from the snapshot to the switch: {@code ALTER DATABASE live SET
 * default_transaction_read_only = on}, then every session on live is ended so that each new session
 * starts read-only. Applications see their connections end once (SQLSTATE 57P01), then reads work and
 * every write fails with SQLSTATE 25006 ("cannot execute ... in a read-only transaction") until the switch.
 * A client that deliberately runs {@code SET default_transaction_read_only = off} could still write; the
 * switch's watermark check catches that and refuses.
 * <p>
 * {@link #release()} (a run that stops before the switch) restores the setting and ends the sessions
 * opened during the freeze, so that pools reconnect read-write. After a switch the frozen database is the
 * archive: release leaves it read-only, which keeps the archive exactly as it was at the snapshot.
 */
final class PostgresWriteFreeze implements WriteFreeze {
    private final PostgresServer server;
    private final String live;
    private final long oid;
    private final String previous;
    private final Duration timeout;
    private boolean released;

    private PostgresWriteFreeze(PostgresServer server, String live, long oid, String previous, Duration timeout) {
        this.server = server;
        this.live = live;
        this.oid = oid;
        this.previous = previous;
        this.timeout = timeout;
    }

    /** The custom setting that marks a freeze as Promoter's and keeps the value it replaced ("none" = unset). */
    static final String MARK = "promoter.frozen_from";

    static PostgresWriteFreeze take(PostgresServer server, Duration timeout) {
        String live = server.liveDatabase();
        try (Connection c = server.admin()) {
            long oid;
            String previous;
            String leftover = setting(c, live, MARK);
            try (PreparedStatement ps = c.prepareStatement("SELECT d.oid, (SELECT substr(x, length("
                    + "'default_transaction_read_only=') + 1) FROM pg_db_role_setting s, unnest(s.setconfig) x "
                    + "WHERE s.setdatabase = d.oid AND s.setrole = 0 AND x LIKE 'default\\_transaction\\_read\\_only=%') "
                    + "FROM pg_database d WHERE d.datname = ?")) {
                ps.setString(1, live);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw PromoterException.failed("Unable to freeze writes on database \"" + live
                                + "\": it does not exist on " + server.describeServer(), null);
                    }
                    oid = rs.getLong(1);
                    previous = rs.getString(2);
                }
            }
            if (leftover != null) {
                // a dead run's freeze is still on: what it replaced is the real previous value
                previous = "none".equals(leftover) ? null : leftover;
            }
            try (Statement st = c.createStatement()) {
                try {
                    st.execute("ALTER DATABASE " + PostgresDialect.quoteIdentifier(live) + " SET " + MARK + " = '"
                            + (previous == null ? "none" : "on".equals(previous) ? "on" : "off") + "'");
                } catch (SQLException e) {
                    if (!"42501".equals(e.getSQLState())) {
                        throw e;
                    }
                    // PostgreSQL 15 on: a custom parameter on a database is a superuser's, unless granted
                    throw PromoterException.refused("Unable to freeze writes on database \"" + live + "\": "
                            + Connections.describe(e) + ". The freeze records what it replaced in the custom parameter "
                            + MARK + ", which from PostgreSQL 15 on only a superuser may set on a database unless granted; "
                            + "as a superuser run once: GRANT SET ON PARAMETER " + MARK + " TO "
                            + PostgresDialect.quoteIdentifier(PostgresSessions.currentUser(c)) + "; or run as a superuser, or pass --allow-writes "
                            + "(no freeze: the switch then proves no write happened or refuses). Live is unchanged");
                }
                st.execute("ALTER DATABASE " + PostgresDialect.quoteIdentifier(live)
                        + " SET default_transaction_read_only = on");
            }
            PostgresWriteFreeze freeze = new PostgresWriteFreeze(server, live, oid, previous, timeout);
            try {
                PostgresSessions.end(c, live, List.of(), timeout);
            } catch (RuntimeException | SQLException e) {
                try {
                    freeze.release();
                } catch (RuntimeException r) {
                    e.addSuppressed(r); // the first failure is the one to report
                }
                throw e;
            }
            return freeze;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to freeze writes on database \"" + live + "\": "
                    + Connections.describe(e) + ". The user needs to own the database or be a superuser", e);
        }
    }

        /** True while the live database carries the freeze (checked by the switch). */
    boolean isHeld() {
        return !released;
    }

    @Override
    public synchronized void release() {
        if (released) {
            return;
        }
        try (Connection c = server.admin()) {
            String name = currentName(c);
            if (live.equals(name)) {
                try (Statement st = c.createStatement()) {
                    restore(st, live, previous);
                }
                released = true; // new sessions may write again
                try {
                    PostgresSessions.end(c, live, List.of(), timeout);
                } catch (PromoterException | SQLException e) {
                    throw PromoterException.failed("The write freeze on database \"" + live + "\" is lifted (new "
                            + "sessions may write), but sessions opened during it stay read-only until they reconnect: "
                            + (e instanceof SQLException s ? Connections.describe(s) : e.getMessage())
                            + ". Reconnect the applications", e);
                }
            }
            released = true;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to lift the write freeze on database \"" + live + "\": "
                    + Connections.describe(e) + ". Run: ALTER DATABASE " + PostgresDialect.quoteIdentifier(live)
                    + " RESET default_transaction_read_only; and reconnect the applications", e);
        }
    }

    private static void restore(Statement st, String live, String previous) throws SQLException {
        st.execute("ALTER DATABASE " + PostgresDialect.quoteIdentifier(live)
                + (previous == null ? " RESET default_transaction_read_only"
                : " SET default_transaction_read_only = " + ("on".equals(previous) ? "on" : "off")));
        st.execute("ALTER DATABASE " + PostgresDialect.quoteIdentifier(live) + " RESET " + MARK);
    }

    /**
     * Lifts a freeze that a run which died left on live (found by its mark), restoring the value it replaced.
     * Called by the lock holder, so the run that took it is over. Returns what it did, or null.
     */
    static String liftLeftover(PostgresServer server, Duration timeout) {
        String live = server.liveDatabase();
        try (Connection c = server.admin()) {
            String leftover = setting(c, live, MARK);
            if (leftover == null) {
                return null;
            }
            try (Statement st = c.createStatement()) {
                restore(st, live, "none".equals(leftover) ? null : leftover);
            }
            PostgresSessions.end(c, live, List.of(), timeout);
            return "lifted the write freeze a dead run left on database \"" + live + "\" (read-only restored to "
                    + ("none".equals(leftover) ? "unset" : leftover) + ")";
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to lift the write freeze a dead run left on database \"" + live
                    + "\": " + Connections.describe(e) + ". Run: ALTER DATABASE " + PostgresDialect.quoteIdentifier(live)
                    + " RESET default_transaction_read_only; ALTER DATABASE " + PostgresDialect.quoteIdentifier(live)
                    + " RESET " + MARK, e);
        }
    }

    /** The database-level value of {@code name}, or null when unset. */
    static String setting(Connection c, String db, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT substr(x, length(?) + 2) FROM pg_database d"
                + " JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0, unnest(s.setconfig) x"
                + " WHERE d.datname = ? AND x LIKE ? || '=%'")) {
            ps.setString(1, name);
            ps.setString(2, db);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private String currentName(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    public String describe() {
        return "database \"" + live + "\" read-only (ALTER DATABASE SET default_transaction_read_only = on, sessions "
                + "ended once with SQLSTATE 57P01); writes fail with SQLSTATE 25006 until the switch, reads work";
    }
}
