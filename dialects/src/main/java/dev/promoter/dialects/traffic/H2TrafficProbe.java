package dev.promoter.dialects.traffic;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.core.spi.TrafficSample;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Embedded H2, from {@code INFORMATION_SCHEMA.SESSIONS}: a session is active when it runs a statement
 * or holds uncommitted changes. H2 keeps no transaction counter, so transactions per second are
 * unmeasured (negative), and a transaction's start is not recorded: the longest open transaction is the
 * longest running statement, or at least the interval for a session that held uncommitted changes at
 * both ends of it.
 */
public final class H2TrafficProbe implements TrafficProbe {
    private static final String SESSIONS = "SELECT SESSION_ID, EXECUTING_STATEMENT, EXECUTING_STATEMENT_START, "
            + "CONTAINS_UNCOMMITTED FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> SESSION_ID()";

    @Override
    public TrafficSample sample(ConnectionSpec live, Duration interval) {
        try (Connection c = Connections.open(live)) {
            Instant t0 = Instant.now();
            Snapshot s0 = snapshot(c);
            ProbeQueries.pause(interval);
            Snapshot s1 = snapshot(c);
            Instant t1 = Instant.now();
            Duration longest = s1.longestStatement;
            Set<Long> heldThrough = new HashSet<>(s0.uncommitted);
            heldThrough.retainAll(s1.uncommitted);
            if (!heldThrough.isEmpty() && Duration.between(t0, t1).compareTo(longest) > 0) {
                longest = Duration.between(t0, t1);
            }
            return new TrafficSample(t1, Duration.between(t0, t1), Math.max(s0.active, s1.active), -1, longest,
                    "INFORMATION_SCHEMA.SESSIONS (running a statement or holding uncommitted changes); "
                            + "H2 keeps no transaction counter");
        } catch (SQLException e) {
            throw ProbeQueries.unableToSample(live, e);
        }
    }

    private record Snapshot(int active, Set<Long> uncommitted, Duration longestStatement) {
    }

    private static Snapshot snapshot(Connection c) throws SQLException {
        int active = 0;
        Set<Long> uncommitted = new HashSet<>();
        Duration longest = Duration.ZERO;
        Instant now = Instant.now();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SESSIONS)) {
            while (rs.next()) {
                boolean running = rs.getString(2) != null;
                boolean holds = rs.getBoolean(4);
                if (holds) {
                    uncommitted.add(rs.getLong(1));
                }
                if (running || holds) {
                    active++;
                }
                Timestamp started = rs.getTimestamp(3);
                if (running && started != null) {
                    Duration d = Duration.between(started.toInstant(), now);
                    longest = d.compareTo(longest) > 0 ? d : longest;
                }
            }
        }
        return new Snapshot(active, uncommitted, longest);
    }
}
