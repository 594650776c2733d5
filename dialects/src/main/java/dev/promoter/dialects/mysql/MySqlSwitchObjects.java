package dev.promoter.dialects.mysql;

import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * After the RENAME: live gets staging's views, routines and events; archive gets old live's views,
 * triggers, routines and events (events disabled, so the archive never changes by itself); staging,
 * left without tables, is dropped.
 */
final class MySqlSwitchObjects {
    private MySqlSwitchObjects() {
    }

    /**
     * Safe to run again over a finish that was cut off part way (the journal's completion does): every object is
     * dropped if it exists before it is created, and views are created or replaced.
     */
    static void finish(DatabaseServer server, String live, String staging, String archive, MySqlObjects old,
                       MySqlObjects next, Consumer<String> step) throws SQLException {
        try (Connection a = Connections.open(MySqlUrl.normalize(server.database(archive)));
             Statement s = a.createStatement()) {
            MySqlObjects code = replacing(new MySqlObjects(List.of(), old.views(), old.routines(), old.triggers(), old.events()));
            dropIfExists(s, code);
            MySqlObjects.createCode(a, code);
            for (MySqlObjects.Ddl e : old.events()) {
                s.execute("ALTER EVENT " + MySqlDialect.quoteName(e.name()) + " DISABLE");
            }
        }
        step.accept("archive objects created");
        try (Connection l = Connections.open(MySqlUrl.normalize(server.database(live)));
             Statement s = l.createStatement()) {
            List<String> keep = next.views().stream().map(MySqlObjects.Ddl::name).toList();
            for (MySqlObjects.Ddl v : old.views()) {
                if (!keep.contains(v.name())) {
                    s.execute("DROP VIEW IF EXISTS " + MySqlDialect.quoteName(v.name()));
                }
            }
            dropIfExists(s, new MySqlObjects(List.of(), List.of(), old.routines(), List.of(), old.events()));
            MySqlObjects code = replacing(new MySqlObjects(List.of(), next.views(), next.routines(), List.of(), next.events()));
            dropIfExists(s, code);
            MySqlObjects.createCode(l, code);
        }
        if (server.exists(staging) && baseTables(server, staging).isEmpty()) {
            server.drop(staging);
        }
    }

    /** The same objects with every view as {@code CREATE OR REPLACE}. */
    private static MySqlObjects replacing(MySqlObjects o) {
        List<MySqlObjects.Ddl> views = new ArrayList<>();
        for (MySqlObjects.Ddl v : o.views()) {
            views.add(new MySqlObjects.Ddl(v.kind(), v.name(), v.table(), v.sql().replaceFirst("^CREATE ", "CREATE OR REPLACE "),
                    v.sqlMode(), v.timeZone()));
        }
        return new MySqlObjects(o.tables(), views, o.routines(), o.triggers(), o.events());
    }

    /** Drops the routines, triggers and events of {@code o} where they exist (views are replaced instead). */
    private static void dropIfExists(Statement s, MySqlObjects o) throws SQLException {
        for (MySqlObjects.Ddl r : o.routines()) {
            s.execute("DROP " + r.kind() + " IF EXISTS " + MySqlDialect.quoteName(r.name()));
        }
        for (MySqlObjects.Ddl t : o.triggers()) {
            s.execute("DROP TRIGGER IF EXISTS " + MySqlDialect.quoteName(t.name()));
        }
        for (MySqlObjects.Ddl e : o.events()) {
            s.execute("DROP EVENT IF EXISTS " + MySqlDialect.quoteName(e.name()));
        }
    }

    /** The base tables of database {@code db}. */
    static java.util.Set<String> baseTables(DatabaseServer server, String db) throws SQLException {
        try (Connection c = Connections.open(MySqlUrl.normalize(server.database(db)))) {
            java.util.Set<String> out = new java.util.TreeSet<>();
            MySqlObjects.rows(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_TYPE = 'BASE TABLE'").forEach(r -> out.add(r[0]));
            return out;
        }
    }
}
