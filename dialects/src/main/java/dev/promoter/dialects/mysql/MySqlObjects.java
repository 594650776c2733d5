package dev.promoter.dialects.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL of every object of one database, read with {@code SHOW CREATE} on a connection whose default
 * database is that database: the server then leaves its own name out, so the statements recreate the
 * objects in whatever database the target connection uses. Each statement keeps the sql_mode (and, for
 * events, the time zone) it was created under.
 */
record MySqlObjects(List<Ddl> tables, List<Ddl> views, List<Ddl> routines, List<Ddl> triggers, List<Ddl> events) {

    /** One object's name, kind, creation statement and the session settings it needs. */
    record Ddl(String kind, String name, String table, String sql, String sqlMode, String timeZone) {
    }

    static MySqlObjects read(Connection c) throws SQLException {
        List<Ddl> tables = new ArrayList<>();
        for (String[] r : rows(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
            tables.add(show(c, "TABLE", r[0], null, 2, null, null));
        }
        List<Ddl> views = new ArrayList<>();
        for (String[] r : rows(c, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
                + " ORDER BY TABLE_NAME")) {
            views.add(show(c, "VIEW", r[0], null, 2, null, null));
        }
        List<Ddl> routines = new ArrayList<>();
        for (String[] r : rows(c, "SELECT ROUTINE_TYPE, ROUTINE_NAME, SQL_MODE FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_TYPE, ROUTINE_NAME")) {
            routines.add(show(c, r[0], r[1], null, 3, r[2], null));
        }
        List<Ddl> triggers = new ArrayList<>();
        for (String[] r : rows(c, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, SQL_MODE FROM information_schema.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER")) {
            triggers.add(show(c, "TRIGGER", r[0], r[1], 3, r[2], null));
        }
        List<Ddl> events = new ArrayList<>();
        for (String[] r : rows(c, "SELECT EVENT_NAME, SQL_MODE, TIME_ZONE FROM information_schema.EVENTS"
                + " WHERE EVENT_SCHEMA = DATABASE() ORDER BY EVENT_NAME")) {
            events.add(show(c, "EVENT", r[0], null, 4, r[1], r[2]));
        }
        return new MySqlObjects(tables, views, routines, triggers, events);
    }

    private static Ddl show(Connection c, String kind, String name, String table, int column, String mode, String tz)
            throws SQLException {
        List<String[]> r = rows(c, "SHOW CREATE " + kind + " " + MySqlDialect.quoteName(name));
        if (r.isEmpty() || r.get(0)[column - 1] == null) {
            throw new SQLException("SHOW CREATE " + kind + " " + name + " returned no statement: the user lacks the"
                    + " privilege to read its definition (grant SELECT on mysql.proc / SHOW VIEW / TRIGGER)", "42000");
        }
        return new Ddl(kind, name, table, r.get(0)[column - 1], mode, tz);
    }

    static List<String[]> rows(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<String[]> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    String[] row = new String[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    /** Creates the tables (foreign keys unchecked, so their order does not matter). */
    static void createTables(Connection target, List<Ddl> tables) throws SQLException {
        try (Statement s = target.createStatement()) {
            s.execute("SET SESSION foreign_key_checks = 0");
            for (Ddl t : tables) {
                run(s, t);
            }
            s.execute("SET SESSION foreign_key_checks = 1");
        }
    }

    /** Creates views (retrying in passes, since a view may read another), routines, triggers and events. */
    static void createCode(Connection target, MySqlObjects objects) throws SQLException {
        try (Statement s = target.createStatement()) {
            List<Ddl> pending = new ArrayList<>(objects.views());
            while (!pending.isEmpty()) {
                List<Ddl> failed = new ArrayList<>();
                SQLException last = null;
                for (Ddl v : pending) {
                    try {
                        run(s, v);
                    } catch (SQLException e) {
                        failed.add(v);
                        last = e;
                    }
                }
                if (failed.size() == pending.size()) {
                    throw last;
                }
                pending = failed;
            }
            for (Ddl d : concat(objects.routines(), objects.triggers(), objects.events())) {
                run(s, d);
            }
        }
    }

    @SafeVarargs
    private static List<Ddl> concat(List<Ddl>... lists) {
        List<Ddl> all = new ArrayList<>();
        for (List<Ddl> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    static void run(Statement s, Ddl d) throws SQLException {
        String mode = null;
        if (d.sqlMode() != null) {
            try (ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
                rs.next();
                mode = rs.getString(1);
            }
            setVar(s, "sql_mode", d.sqlMode());
        }
        if (d.timeZone() != null) {
            setVar(s, "time_zone", d.timeZone());
        }
        try {
            s.execute(d.sql());
        } catch (SQLException e) {
            throw new SQLException("Unable to create " + d.kind().toLowerCase(java.util.Locale.ROOT) + " " + d.name()
                    + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        } finally {
            if (mode != null) {
                setVar(s, "sql_mode", mode);
            }
        }
    }

    private static void setVar(Statement s, String var, String value) throws SQLException {
        try (PreparedStatement ps = s.getConnection().prepareStatement("SET SESSION " + var + " = ?")) {
            ps.setString(1, value);
            ps.execute();
        }
    }
}
