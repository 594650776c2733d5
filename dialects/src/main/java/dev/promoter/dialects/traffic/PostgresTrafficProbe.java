package dev.promoter.dialects.traffic;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.core.spi.TrafficSample;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * PostgreSQL: active sessions from {@code pg_stat_activity} (state other than idle, own backend
 * excluded), transactions per second from the {@code xact_commit + xact_rollback} delta of live's row
 * in {@code pg_stat_database}, and the oldest {@code xact_start}. Statistics are flushed by backends
 * about once a second, so intervals shorter than a few seconds under-count.
 */
public final class PostgresTrafficProbe implements TrafficProbe {
    private static final String ACTIVE = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            + "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state IS NOT NULL AND state <> 'idle'";
    private static final String LONGEST = "SELECT coalesce(extract(epoch FROM max(clock_timestamp() - xact_start)), 0) "
            + "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            + "AND backend_type = 'client backend' AND xact_start IS NOT NULL";
    private static final String XACTS = "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            + "WHERE datname = current_database()";

    @Override
    public TrafficSample sample(ConnectionSpec live, Duration interval) {
        try (Connection c = Connections.open(live)) {
            c.setAutoCommit(true);
            Instant t0 = Instant.now();
            double x0 = xacts(c);
            int active0 = (int) ProbeQueries.number(c, ACTIVE);
            ProbeQueries.pause(interval);
            double x1 = xacts(c);
            Instant t1 = Instant.now();
            int active1 = (int) ProbeQueries.number(c, ACTIVE);
            double longest = ProbeQueries.number(c, LONGEST);
            double seconds = Math.max(0.001, Duration.between(t0, t1).toMillis() / 1000.0);
            // our own two counter reads and the activity query commit too: leave them out
            double tps = Math.max(0, x1 - x0 - 2) / seconds;
            return new TrafficSample(t1, Duration.between(t0, t1), Math.max(active0, active1), tps,
                    Duration.ofMillis(Math.round(longest * 1000)),
                    "pg_stat_activity (state <> 'idle'), pg_stat_database xact_commit+xact_rollback delta");
        } catch (SQLException e) {
            throw ProbeQueries.unableToSample(live, e);
        }
    }

    private static double xacts(Connection c) throws SQLException {
        ProbeQueries.number(c, "SELECT 1 FROM (SELECT pg_stat_clear_snapshot()) s");
        return ProbeQueries.number(c, XACTS);
    }
}
