package dev.promoter.dialects.traffic;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Small helpers the traffic probes share: one-value queries and an interruptible wait. */
final class ProbeQueries {
    private ProbeQueries() {
    }

    static double number(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getDouble(1) : 0;
        }
    }

    static void pause(Duration interval) {
        try {
            Thread.sleep(Math.max(0, interval.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.refused("Interrupted while sampling live's traffic");
        }
    }

    static PromoterException unableToSample(ConnectionSpec live, SQLException e) {
        return PromoterException.failed("Unable to sample traffic on " + live + ": " + Connections.describe(e)
                + ". The probe needs read access to the server's activity views (see the README, Running as a service)", e);
    }
}
