package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** Ending the sessions on a database (except the caller's own) and waiting until they are gone. */
final class PostgresSessions {
    static final String LOCK_NOT_AVAILABLE = "55P03";

    private PostgresSessions() {
    }

    /**
     * Terminates every session on database {@code name} except {@code keepPids} and this one, and waits
     * up to {@code timeout} for them to exit; fails naming the database and the sessions left.
     */
    static void end(Connection admin, String name, List<Integer> keepPids, Duration timeout) throws SQLException {
        String others = " FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid() AND NOT (pid = ANY (?))";
        Integer[] keep = keepPids.toArray(Integer[]::new);
        long deadline = System.nanoTime() + timeout.toNanos();
        String still = "";
        while (true) {
            try (PreparedStatement ps = admin.prepareStatement("SELECT count(*), string_agg(pid || ' ' || "
                    + "coalesce(nullif(application_name, ''), usename) || ' ' || coalesce(state, ''), ', ')" + others)) {
                ps.setString(1, name);
                ps.setArray(2, admin.createArrayOf("int4", keep));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                    still = rs.getString(2);
                    if (System.nanoTime() > deadline) {
                        throw PromoterException.failed("Unable to end the sessions on database \"" + name + "\" within "
                                + timeout.toMillis() + " ms; still there: " + rs.getString(2)
                                + ". End them (pg_terminate_backend) or retry with a longer timeout", null);
                    }
                }
            }
            try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(pid)" + others)) {
                ps.setString(1, name);
                ps.setArray(2, admin.createArrayOf("int4", keep));
                ps.execute();
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
                throw PromoterException.refused("Unable to end the sessions on database \"" + name + "\": "
                        + Connections.describe(e) + "; still connected: " + still + ". Ending another role's sessions "
                        + "needs a superuser or a member of pg_signal_backend: as a superuser run GRANT pg_signal_backend TO "
                        + PostgresDialect.quoteIdentifier(currentUser(admin)) + ", or run as a superuser");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PromoterException.failed("Interrupted while ending the sessions on database \"" + name + "\"", e);
            }
        }
    }

    /** The session's role, for a GRANT in a message ({@code <role>} when it cannot be read). */
    static String currentUser(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_user"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : "<role>";
        } catch (SQLException e) {
            return "<role>";
        }
    }

    static int backendPid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
