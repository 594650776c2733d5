package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.WriteFreeze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renames live to the archive and staging to live in ONE transaction (PostgreSQL database renames are
 * transactional), from the maintenance database:
 * <ol>
 * <li>checks that staging exists, the archive name is free, and live is the database the snapshot saw;</li>
 * <li>opens one session on live for the proof, then refuses new connections to live and staging
 *     ({@code ALLOW_CONNECTIONS false}; clients get SQLSTATE 55000 "not currently accepting connections";
 *     live's is marked so that, should this run die here, the next one lets them in again: {@link PostgresHoldOff})
 *     and ends every other session on both (SQLSTATE 57P01), waiting at most the request's timeout;</li>
 * <li>proves from the watermark that live took no write since the snapshot (every session has ended, so
 *     every counter is reported); refuses otherwise, naming the tables;</li>
 * <li>renames both and allows connections again, in one transaction with {@code lock_timeout} and
 *     {@code statement_timeout} set to the timeout.</li>
 * </ol>
 * Any failure before the commit rolls the renames back and allows connections again: both names are as
 * they were. The reported window is the time during which connections to live were refused.
 */
final class PostgresAtomicSwitch implements AtomicSwitch {
    @Override
    public SwitchResult switchOver(SwitchRequest request) {
        DatabaseServer server = request.server();
        String live = server.liveDatabase();
        String staging = request.staging();
        String archive = request.archive();
        ConnectionSpec maintenance = server.database(PostgresServer.MAINTENANCE_DATABASE);
        try (Connection admin = Connections.open(maintenance)) {
            Map<String, Boolean> allow = allowConnections(admin, live, staging, archive);
            PostgresWatermark before = watermark(request);
            long start = System.nanoTime();
            PostgresHoldOff hold = null;
            try {
                try (Connection proof = Connections.open(server.database(live))) {
                    hold = PostgresHoldOff.take(new PostgresServer(server.live()), admin, live);
                    setAllowConnections(admin, staging, false);
                    start = System.nanoTime();
                    PostgresSessions.end(admin, live, List.of(PostgresSessions.backendPid(proof)), request.timeout());
                    PostgresSessions.end(admin, staging, List.of(), request.timeout());
                    refuseWrites(proof, before, live);
                }
                PostgresSessions.end(admin, live, List.of(), request.timeout());
                rename(admin, request, live, staging, archive, hold);
            } catch (RuntimeException | SQLException e) {
                try {
                    if (hold != null) {
                        hold.release(admin);
                    } else {
                        restore(admin, live, allow.get(live));
                    }
                    restore(admin, staging, allow.get(staging));
                } catch (RuntimeException r) {
                    r.addSuppressed(e);
                    throw r; // connections still refused: that is what the user must act on
                }
                throw e;
            }
            long windowMillis = (System.nanoTime() - start) / 1_000_000;
            return new SwitchResult(archive, windowMillis, "ALTER DATABASE RENAME \"" + live + "\" -> \"" + archive
                    + "\", \"" + staging + "\" -> \"" + live + "\" in one transaction; connections to \"" + live
                    + "\" refused for " + windowMillis + " ms; " + (request.snapshot().freeze() == WriteFreeze.NONE
                    ? "no write since the snapshot (table counters, files and sequences unchanged)"
                    : "writes frozen since the snapshot; the archive stays read-only"));
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to switch \"" + staging + "\" to live \"" + live + "\": "
                    + Connections.describe(e) + ". Nothing changed: both databases keep their names"
                    + (PostgresSessions.LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || "57014".equals(e.getSQLState())
                    ? "; another session held a lock on a database for longer than " + request.timeout().toMillis()
                    + " ms: retry when it is done or raise the timeout" : ""), e);
        }
    }

    private static PostgresWatermark watermark(SwitchRequest request) {
        PostgresWatermark w;
        try {
            w = PostgresWatermark.decode(request.snapshot().watermark());
        } catch (IllegalArgumentException e) {
            throw PromoterException.refused("Refusing to switch: the snapshot's watermark is not a PostgreSQL one, so "
                    + "nothing proves that live took no write since. Clone again with this dialect");
        }
        if (!w.tracked() && request.snapshot().freeze() == WriteFreeze.NONE) {
            throw PromoterException.refused("Refusing to switch: track_counts was off at the snapshot, so nothing "
                    + "proves that live took no write since. Turn track_counts on, or clone with the write freeze");
        }
        return w;
    }

    /** ALLOW_CONNECTIONS of live and staging; refuses when staging is missing or the archive name is taken. */
    private static Map<String, Boolean> allowConnections(Connection admin, String live, String staging, String archive)
            throws SQLException {
        Map<String, Boolean> m = new java.util.HashMap<>();
        try (PreparedStatement ps = admin.prepareStatement("SELECT datname, datallowconn FROM pg_database "
                + "WHERE datname IN (?, ?, ?)")) {
            ps.setString(1, live);
            ps.setString(2, staging);
            ps.setString(3, archive);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        if (!m.containsKey(staging)) {
            throw PromoterException.refused("Refusing to switch: staging database \"" + staging + "\" does not exist. "
                    + "Run the clone and migration again");
        }
        if (!m.containsKey(live)) {
            throw PromoterException.refused("Refusing to switch: live database \"" + live + "\" does not exist");
        }
        if (m.containsKey(archive)) {
            throw PromoterException.refused("Refusing to switch: the archive name \"" + archive + "\" is taken. "
                    + "Choose another archive name or drop the old archive");
        }
        return m;
    }

    private static void refuseWrites(Connection proof, PostgresWatermark before, String live) throws SQLException {
        try (Statement st = proof.createStatement(); ResultSet rs = st.executeQuery("SELECT string_agg(gid, ', ') "
                + "FROM pg_prepared_xacts WHERE database = current_database()")) {
            rs.next();
            if (rs.getString(1) != null) {
                throw PromoterException.refused("Refusing to switch: live \"" + live + "\" holds prepared transactions ("
                        + rs.getString(1) + ") whose writes could still commit. COMMIT PREPARED or ROLLBACK PREPARED them");
            }
        }
        List<String> changes = before.changesTo(PostgresWatermark.readNow(proof));
        if (changes.isEmpty()) {
            return;
        }
        List<String> named = new ArrayList<>();
        try (PreparedStatement ps = proof.prepareStatement("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?")) {
            for (String c : changes.subList(0, Math.min(10, changes.size()))) {
                String[] parts = c.split(" ", 3);
                if (parts[0].equals("schema")) {
                    c = "schema changed (DDL, GRANT or COMMENT: rows of catalog " + parts[1] + " were added, changed or removed)";
                } else if (parts.length > 1 && parts[1].matches("\\d+")) {
                    ps.setLong(1, Long.parseLong(parts[1]));
                    try (ResultSet rs = ps.executeQuery()) {
                        String name = rs.next() ? rs.getString(1) : "(dropped, oid " + parts[1] + ")";
                        String kind = switch (parts[0]) {
                            case "rows" -> "rows inserted/updated/deleted in table";
                            case "file" -> "storage of table (TRUNCATE or rewrite)";
                            default -> parts[0];
                        };
                        c = kind + " " + name + (parts.length > 2 ? " " + parts[2] : "");
                    }
                }
                named.add(c);
            }
        }
        throw PromoterException.refused("Refusing to switch: live \"" + live + "\" took writes since the snapshot ("
                + changes.size() + " change(s): " + String.join("; ", named) + "). Those writes are not in staging. "
                + "Run again with the write freeze, or at a quieter time");
    }

    private static void rename(Connection admin, SwitchRequest request, String live, String staging, String archive,
                               PostgresHoldOff hold) throws SQLException {
        long ms = Math.max(1, request.timeout().toMillis());
        admin.setAutoCommit(false);
        try (Statement st = admin.createStatement()) {
            st.execute("SET LOCAL lock_timeout = " + ms);
            st.execute("SET LOCAL statement_timeout = " + ms);
            st.execute("ALTER DATABASE " + q(live) + " RENAME TO " + q(archive));
            st.execute("ALTER DATABASE " + q(staging) + " RENAME TO " + q(live));
            st.execute("ALTER DATABASE " + q(live) + " WITH ALLOW_CONNECTIONS " + hold.previous());
            hold.endWithin(st, archive);
            admin.commit();
        } catch (SQLException | RuntimeException e) {
            admin.rollback();
            throw e;
        } finally {
            admin.setAutoCommit(true);
        }
    }

    private static void setAllowConnections(Connection admin, String db, boolean allow) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + q(db) + " WITH ALLOW_CONNECTIONS " + allow);
        }
    }

    private static void restore(Connection admin, String db, Boolean allow) {
        try {
            setAllowConnections(admin, db, allow == null || allow);
        } catch (SQLException e) {
            throw PromoterException.failed("The switch failed and connections to \"" + db + "\" could not be allowed "
                    + "again: " + Connections.describe(e) + ". Run: ALTER DATABASE " + q(db)
                    + " WITH ALLOW_CONNECTIONS true", e);
        }
    }

    private static String q(String name) {
        return PostgresDialect.quoteIdentifier(name);
    }
}
