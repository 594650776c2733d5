package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Preflight check of the privileges a run needs, read from information_schema's views of the login's own grants:
 * PROCESS on the server (preflight reads InnoDB's transactions), RELOAD without the write freeze (the snapshot is
 * taken under FLUSH TABLES WITH READ LOCK), on live what its freeze and the switch's RENAME TABLE do (tables move
 * out of live and in), and on staging and the other databases named after live that a run makes and drops (the
 * archive, verify's scratch database) what building a copy takes, by what live holds (views, triggers, routines,
 * events, foreign keys). Without it the run fails in its clone stage or
 * at its switch, after the copy. Privileges that come through roles are not judged here (the views show a role's
 * own grants only once it is set): a login with roles is left to the run's own statements.
 */
final class MySqlPrivileges {
    /** What copying rows into staging always takes: its tables, their keys and indexes, the loader's locks. */
    static final List<String> ON_STAGING = List.of("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER",
            "INDEX", "LOCK TABLES");
    /** What the freeze and the switch do on live: read-lock and read its tables, rename them out, rename new ones in. */
    static final List<String> ON_LIVE = List.of("SELECT", "INSERT", "CREATE", "DROP", "ALTER", "LOCK TABLES");

    private MySqlPrivileges() {
    }

    /**
     * Refuses (live unchanged) what the login on {@code c} lacks for a run on {@code live} that makes the databases
     * {@code made} (name to how a message shows it).
     */
    static void refuseMissing(Connection c, String live, Map<String, String> made, boolean freezeWrites)
            throws SQLException {
        String account = account(c);
        if (account == null || hasRoles(c)) {
            return;
        }
        Set<String> global = privileges(c, "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?",
                account, null);
        List<String> missing = new ArrayList<>();
        List<String> grants = new ArrayList<>();
        List<String> server = new ArrayList<>();
        if (!global.contains("PROCESS")) {
            server.add("PROCESS");
            missing.add("PROCESS on the server (preflight reads InnoDB's transactions)");
        }
        if (!freezeWrites && !global.contains("RELOAD")) {
            server.add("RELOAD");
            missing.add("RELOAD on the server (without the freeze, the snapshot is taken under FLUSH TABLES WITH READ LOCK)");
        }
        if (!server.isEmpty()) {
            grants.add("GRANT " + String.join(", ", server) + " ON *.* TO " + account);
        }
        // what live holds besides tables asks for more: its views, triggers, routines, events and foreign keys are
        // read on live and recreated on staging and, for triggers, on live again by the switch
        List<String> objects = objectPrivileges(c, live);
        List<String> onLive = lacking(c, account, global, live, Stream.of(ON_LIVE,
                objects.contains("TRIGGER") ? List.of("TRIGGER") : List.<String>of(),
                objects.contains("CREATE VIEW") ? List.of("SHOW VIEW") : List.<String>of()).flatMap(List::stream).toList());
        if (!onLive.isEmpty()) {
            missing.add(String.join(", ", onLive) + " on live `" + live + "` (the freeze, and the switch's RENAME TABLE)");
            grants.add("GRANT ALL ON " + MySqlDialect.quoteName(live) + ".* TO " + account);
        }
        List<String> onMade = Stream.of(ON_STAGING, objects).flatMap(List::stream).toList();
        Map<List<String>, List<String>> byLack = new LinkedHashMap<>();
        for (var e : made.entrySet()) {
            List<String> lack = lacking(c, account, global, e.getKey(), onMade);
            if (!lack.isEmpty()) {
                byLack.computeIfAbsent(lack, k -> new ArrayList<>()).add(e.getValue());
            }
        }
        if (!byLack.isEmpty()) {
            missing.add(byLack.entrySet().stream().map(e -> String.join(", ", e.getKey()) + " on "
                    + String.join(", ", e.getValue())).collect(Collectors.joining("; "))
                    + " (databases a run makes, fills and drops)");
            // one grant on the start the names derived from live's share (live's name and "_", or its cut start for
            // a long name), which covers the archives of later runs too; a staging named otherwise (--staging-url)
            // gets a grant of its own
            List<String> derived = made.keySet().stream().filter(n -> !sharedStart(n, live).isEmpty()).toList();
            derived.stream().reduce(MySqlPrivileges::sharedStart).ifPresent(shared -> grants.add("GRANT ALL ON "
                    + MySqlDialect.quoteName(likeEscaped(shared) + "%") + ".* TO " + account));
            made.keySet().stream().filter(n -> !derived.contains(n)).forEach(n -> grants.add("GRANT ALL ON "
                    + MySqlDialect.quoteName(n) + ".* TO " + account));
        }
        if (!missing.isEmpty()) {
            throw PromoterException.refused("The login " + account + " lacks privileges a run needs: "
                    + String.join("; ", missing) + ". As an administrator: " + String.join("; ", grants)
                    + ". Nothing was copied");
        }
    }

    /** The privileges recreating live's other objects takes, by what live holds. */
    private static List<String> objectPrivileges(Connection c, String live) throws SQLException {
        List<String> out = new ArrayList<>();
        String[][] kinds = {
                {"SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?", "CREATE VIEW", "SHOW VIEW"},
                {"SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?", "TRIGGER"},
                {"SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?", "CREATE ROUTINE", "ALTER ROUTINE"},
                {"SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?", "EVENT"},
                {"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?", "REFERENCES"}};
        for (String[] k : kinds) {
            try (PreparedStatement ps = c.prepareStatement(k[0])) {
                ps.setString(1, live);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        out.addAll(List.of(k).subList(1, k.length));
                    }
                }
            }
        }
        return out;
    }

    /** The longest start {@code a} and {@code b} share. */
    private static String sharedStart(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }

    /** The login as information_schema's GRANTEE spells it ({@code 'user'@'host'}), or null when unreadable. */
    private static String account(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CURRENT_USER()"); ResultSet rs = ps.executeQuery()) {
            String u = rs.next() ? rs.getString(1) : null;
            int at = u == null ? -1 : u.lastIndexOf('@');
            return at < 0 ? null : "'" + u.substring(0, at).replace("'", "''") + "'@'" + u.substring(at + 1) + "'";
        }
    }

    private static boolean hasRoles(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.APPLICABLE_ROLES");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getLong(1) > 0;
        } catch (SQLException e) {
            return false; // MySQL 8 before 8.0.19 has no such view; its roles show up in SHOW GRANTS only
        }
    }

    /** The privileges on {@code db} the login lacks of {@code needed}, from its global and database-level grants. */
    private static List<String> lacking(Connection c, String account, Set<String> global, String db, List<String> needed)
            throws SQLException {
        Set<String> have = new TreeSet<>(global);
        have.addAll(privileges(c, "SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? "
                + "AND ? LIKE TABLE_SCHEMA", account, db));
        return needed.stream().filter(p -> !have.contains(p)).toList();
    }

    private static Set<String> privileges(Connection c, String sql, String account, String db) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, account);
            if (db != null) {
                ps.setString(2, db);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1).toUpperCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** {@code name} with LIKE's wildcards escaped, for a GRANT on the databases whose names start with it. */
    private static String likeEscaped(String name) {
        return name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%");
    }
}
