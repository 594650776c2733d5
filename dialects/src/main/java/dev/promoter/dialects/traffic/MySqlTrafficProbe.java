package dev.promoter.dialects.traffic;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.core.spi.TrafficSample;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * MySQL and MariaDB: active sessions on live's schema from {@code information_schema.PROCESSLIST}
 * (command other than Sleep, own connection excluded), the oldest {@code trx_started} in
 * {@code information_schema.INNODB_TRX} among live's sessions, and transactions per second from {@code SHOW GLOBAL STATUS}.
 * Autocommit statements do not move {@code Com_commit}, so the rate is the larger of
 * {@code Com_commit + Com_rollback} and {@code Questions} (statements) per second: an upper bound, which
 * is what a gate wants. Both counters are server-wide.
 */
public final class MySqlTrafficProbe implements TrafficProbe {
    private static final String ACTIVE = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
            + "AND DB = DATABASE() AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID')";
    private static final String LONGEST = "SELECT COALESCE(MAX(TIMESTAMPDIFF(MICROSECOND, t.trx_started, NOW(6))), 0) / 1000 "
            + "FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
            + "WHERE p.ID <> CONNECTION_ID() AND p.DB = DATABASE()";
    private static final String STATUS = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_commit', 'Com_rollback', 'Questions')";

    @Override
    public TrafficSample sample(ConnectionSpec live, Duration interval) {
        try (Connection c = Connections.open(live)) {
            c.setAutoCommit(true);
            Instant t0 = Instant.now();
            long[] s0 = status(c);
            int active0 = (int) ProbeQueries.number(c, ACTIVE);
            ProbeQueries.pause(interval);
            long[] s1 = status(c);
            Instant t1 = Instant.now();
            int active1 = (int) ProbeQueries.number(c, ACTIVE);
            double longestMillis = ProbeQueries.number(c, LONGEST);
            double seconds = Math.max(0.001, Duration.between(t0, t1).toMillis() / 1000.0);
            long txns = s1[0] - s0[0];
            long statements = Math.max(0, s1[1] - s0[1] - 3); // our own three statements between the reads
            double tps = Math.max(txns, statements) / seconds;
            return new TrafficSample(t1, Duration.between(t0, t1), Math.max(active0, active1), tps,
                    Duration.ofMillis(Math.round(longestMillis)),
                    "PROCESSLIST (Command <> 'Sleep'), INNODB_TRX, max(Com_commit+Com_rollback, Questions) delta");
        } catch (SQLException e) {
            throw ProbeQueries.unableToSample(live, e);
        }
    }

    /** {transactions, statements} so far, server-wide. */
    private static long[] status(Connection c) throws SQLException {
        long txns = 0;
        long questions = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(STATUS)) {
            while (rs.next()) {
                long v = rs.getLong(2);
                if (rs.getString(1).equalsIgnoreCase("Questions")) {
                    questions = v;
                } else {
                    txns += v;
                }
            }
        }
        return new long[]{txns, questions};
    }
}
