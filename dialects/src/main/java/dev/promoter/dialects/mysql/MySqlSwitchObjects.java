package dev.promoter.dialects.mysql;

import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * After the RENAME: live gets staging's views, routines and events; archive gets old live's views,
 * triggers, routines and events (events disabled, so the archive never changes by itself); staging,
 * left without tables, is dropped.
 */
final class MySqlSwitchObjects {
    private MySqlSwitchObjects() {
    }

    static void finish(DatabaseServer server, String live, String staging, String archive, MySqlObjects old,
                       MySqlObjects next) throws SQLException {
        try (Connection a = Connections.open(MySqlUrl.normalize(server.database(archive)));
             Statement s = a.createStatement()) {
            MySqlObjects.createCode(a, new MySqlObjects(List.of(), old.views(), old.routines(), old.triggers(), old.events()));
            for (MySqlObjects.Ddl e : old.events()) {
                s.execute("ALTER EVENT " + MySqlDialect.quoteName(e.name()) + " DISABLE");
            }
        }
        try (Connection l = Connections.open(MySqlUrl.normalize(server.database(live)));
             Statement s = l.createStatement()) {
            List<String> keep = next.views().stream().map(MySqlObjects.Ddl::name).toList();
            for (MySqlObjects.Ddl v : old.views()) {
                if (!keep.contains(v.name())) {
                    s.execute("DROP VIEW IF EXISTS " + MySqlDialect.quoteName(v.name()));
                }
            }
            for (MySqlObjects.Ddl r : old.routines()) {
                s.execute("DROP " + r.kind() + " IF EXISTS " + MySqlDialect.quoteName(r.name()));
            }
            for (MySqlObjects.Ddl e : old.events()) {
                s.execute("DROP EVENT IF EXISTS " + MySqlDialect.quoteName(e.name()));
            }
            List<MySqlObjects.Ddl> views = new ArrayList<>();
            for (MySqlObjects.Ddl v : next.views()) {
                views.add(new MySqlObjects.Ddl(v.kind(), v.name(), v.table(), v.sql().replaceFirst("^CREATE ", "CREATE OR REPLACE "),
                        v.sqlMode(), v.timeZone()));
            }
            MySqlObjects.createCode(l, new MySqlObjects(List.of(), views, next.routines(), List.of(), next.events()));
        }
        if (tableCount(server, staging) == 0) {
            server.drop(staging);
        }
    }

    static int tableCount(DatabaseServer server, String db) throws SQLException {
        try (Connection c = Connections.open(MySqlUrl.normalize(server.database(db)))) {
            return MySqlObjects.rows(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_TYPE = 'BASE TABLE'").size();
        }
    }
}
