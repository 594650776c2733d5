package dev.promoter.dialects.mysql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a switch has to do around its RENAME, written to the ledger database before it changes anything, so that
 * a run killed part way (kill -9, a lost machine) leaves nothing half done: the next run, holding the promotion
 * lock, completes it or undoes its preparation ({@link #complete}).
 *
 * <p>Why it is needed: the RENAME moves tables only. Triggers (which MariaDB will not move to another database),
 * views, routines and events are dropped and created after it, in statements of their own. A run that dies in
 * between leaves live with the new tables but without staging's triggers, views, routines or events (or with
 * old live's), and old tables with triggers parked in live under {@code ~promoter-N}. Writes that applications
 * make in that time run without the missing triggers; the completion names those triggers, since nothing can
 * replay them.
 */
final class MySqlSwitchJournal {
    static final String TABLE = "mysql_switch_journal";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One switch: the three databases, old live's and staging's views, routines, triggers and events (not their
     * tables' DDL, which the completion never needs and which would make the row large), and where old tables with
     * triggers are parked.
     */
    record Entry(String live, String staging, String archive, Map<String, String> parked, MySqlObjects old,
                 MySqlObjects next) {
        static Entry of(String live, String staging, String archive, Map<String, String> parked, MySqlObjects old,
                        MySqlObjects next) {
            return new Entry(live, staging, archive, parked, code(old), code(next));
        }

        private static MySqlObjects code(MySqlObjects o) {
            return new MySqlObjects(List.of(), o.views(), o.routines(), o.triggers(), o.events());
        }
    }

    private MySqlSwitchJournal() {
    }

    static void write(DatabaseServer server, Entry e) throws SQLException {
        String json;
        try {
            json = JSON.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("Unable to write the switch journal of " + e.live() + ": " + x.getMessage(), x);
        }
        try (Connection c = Connections.open(MySqlUrl.normalize(server.ledger()))) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (live_db VARCHAR(64) NOT NULL PRIMARY KEY,"
                        + " archive_db VARCHAR(64) NOT NULL, written_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
                        + " entry LONGTEXT NOT NULL) CHARACTER SET utf8mb4");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (live_db, archive_db, entry) VALUES (?, ?, ?)")) {
                ps.setString(1, e.live());
                ps.setString(2, e.archive());
                ps.setString(3, json);
                ps.executeUpdate();
            }
        }
    }

    static void clear(DatabaseServer server, String live) throws SQLException {
        try (Connection c = Connections.open(MySqlUrl.normalize(server.ledger()));
             PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE live_db = ?")) {
            ps.setString(1, live);
            ps.executeUpdate();
        }
    }

    static Optional<Entry> read(DatabaseServer server) throws SQLException {
        try (Connection c = Connections.open(MySqlUrl.normalize(server.ledger()))) {
            if (MySqlObjects.rows(c, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                    TABLE).isEmpty()) {
                return Optional.empty();
            }
            List<String[]> rows = MySqlObjects.rows(c, "SELECT entry FROM " + TABLE + " WHERE live_db = ?", server.liveDatabase());
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(JSON.readValue(rows.get(0)[0], Entry.class));
            } catch (JsonProcessingException x) {
                throw new SQLException("the switch journal of " + server.liveDatabase() + " in " + MySqlServer.LEDGER + "."
                        + TABLE + " is not readable (" + x.getOriginalMessage() + ")", "22000", x);
            }
        }
    }

    /**
     * Completes a switch of live that a dead run left part way, or undoes its preparation when its RENAME did not
     * run. Returns what was done, or null when no switch of live was left unfinished.
     */
    static String complete(DatabaseServer server) {
        String live = server.liveDatabase();
        try {
            Optional<Entry> pending = read(server);
            if (pending.isEmpty()) {
                return null;
            }
            Entry e = pending.get();
            Set<String> parkedNow = MySqlSwitchObjects.baseTables(server, live);
            parkedNow.retainAll(e.parked().values());
            boolean renamed = !parkedNow.isEmpty() || (server.exists(e.archive()) && !MySqlSwitchObjects.baseTables(server, e.archive()).isEmpty());
            String done = renamed ? finishRenamed(server, e, parkedNow) : undoUnrenamed(server, e);
            clear(server, live);
            return done;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to complete the switch of " + live + " that an earlier run left unfinished"
                    + " (its journal is in " + MySqlServer.LEDGER + "." + TABLE + "): " + Connections.describe(e)
                    + ". Fix the cause and run again; the journal is kept until it is completed", e);
        }
    }

    private static String finishRenamed(DatabaseServer server, Entry e, Set<String> parkedNow) throws SQLException {
        String live = e.live();
        List<String> missing = new ArrayList<>();
        try (Connection l = Connections.open(MySqlUrl.normalize(server.database(live)));
             Statement s = l.createStatement()) {
            // old live's triggers stay on the parked tables until those move: trigger names are unique per database
            for (String[] t : MySqlObjects.rows(l, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS"
                    + " WHERE TRIGGER_SCHEMA = DATABASE()")) {
                if (parkedNow.contains(t[1])) {
                    s.execute("DROP TRIGGER " + MySqlDialect.quoteName(t[0]));
                }
            }
            Set<String> present = triggerNames(l);
            for (MySqlObjects.Ddl trg : e.next().triggers()) {
                if (!present.contains(trg.name())) {
                    MySqlObjects.run(s, trg);
                    missing.add(trg.name() + " on " + trg.table());
                }
            }
            for (var p : e.parked().entrySet()) {
                if (parkedNow.contains(p.getValue())) {
                    s.execute("RENAME TABLE " + MySqlDialect.quoteName(live) + "." + MySqlDialect.quoteName(p.getValue())
                            + " TO " + MySqlDialect.quoteName(e.archive()) + "." + MySqlDialect.quoteName(p.getKey()));
                }
            }
        }
        MySqlSwitchObjects.finish(server, live, e.staging(), e.archive(), e.old(), e.next(), step -> { });
        return "Completed the switch of " + live + " that an earlier run left unfinished after its RENAME (the run was"
                + " killed): live has staging's tables, views, routines, events and triggers; old live is kept as "
                + e.archive() + (missing.isEmpty() ? "" : ". Triggers " + missing + " were missing from live until now:"
                + " writes made since the switch did not fire them; check what they maintain");
    }

    private static String undoUnrenamed(DatabaseServer server, Entry e) throws SQLException {
        String staging = e.staging();
        String kept = "";
        if (server.exists(staging)) {
            try (Connection st = Connections.open(MySqlUrl.normalize(server.database(staging)));
                 Statement s = st.createStatement()) {
                Set<String> present = triggerNames(st);
                for (MySqlObjects.Ddl trg : e.next().triggers()) {
                    if (!present.contains(trg.name())) {
                        MySqlObjects.run(s, trg);
                    }
                }
            }
            kept = "; staging " + staging + " has its triggers back";
        }
        if (server.exists(e.archive()) && MySqlSwitchObjects.baseTables(server, e.archive()).isEmpty()) {
            server.drop(e.archive());
            kept += "; the empty archive " + e.archive() + " is dropped";
        }
        return "A switch of " + e.live() + " that an earlier run started was cut off before its RENAME: live was not"
                + " changed" + kept;
    }

    private static Set<String> triggerNames(Connection c) throws SQLException {
        return MySqlObjects.rows(c, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")
                .stream().map(r -> r[0]).collect(Collectors.toSet());
    }
}
