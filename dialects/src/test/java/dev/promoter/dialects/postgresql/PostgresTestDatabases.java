package dev.promoter.dialects.postgresql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.testing.TestServers;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Uniquely named scratch databases on the test server, dropped by {@link #dropAll()}. */
final class PostgresTestDatabases {
    final ConnectionSpec admin = TestServers.postgresAdmin();
    final PostgresServer adminServer = new PostgresServer(admin);
    private final List<String> created = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    /** Creates an empty database and returns its name. */
    String create(String prefix) {
        String name = TestServers.uniqueName(prefix);
        adminServer.create(name);
        created.add(name);
        return name;
    }

    /** A new database holding {@link PostgresZoo}'s schema and rows, then {@code extraSql}. */
    String createZoo(String prefix, String extraSql) throws SQLException {
        String name = create(prefix);
        exec(name, PostgresZoo.SCHEMA);
        exec(name, PostgresZoo.DATA);
        exec(name, extraSql);
        return name;
    }

    /** Remembers a database some code under test creates, so that it is dropped too. */
    String track(String name) {
        created.add(name);
        return name;
    }

    /** Creates a uniquely named role ({@code CREATE ROLE name options}), dropped by {@link #dropAll()}. */
    String role(String prefix, String options) throws SQLException {
        String name = TestServers.uniqueName(prefix);
        exec("postgres", "CREATE ROLE " + name + " " + options);
        roles.add(name);
        return name;
    }

    /** Database {@code name} as role {@code role} (trust authentication: no password). */
    ConnectionSpec as(String role, String name) {
        return new ConnectionSpec(spec(name).url(), role, dev.promoter.core.db.Secret.of(""));
    }

    ConnectionSpec spec(String name) {
        return adminServer.database(name);
    }

    Connection open(String name) throws SQLException {
        return Connections.open(spec(name));
    }

    void exec(String db, String sql) throws SQLException {
        try (Connection c = open(db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql} as text (null when there is no row). */
    String queryString(String db, String sql) throws SQLException {
        try (Connection c = open(db); Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    void dropAll() {
        for (String name : created) {
            try (Connection c = Connections.open(admin); Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE " + PostgresDialect.quoteIdentifier(name) + " WITH ALLOW_CONNECTIONS true");
                st.execute("DROP DATABASE IF EXISTS " + PostgresDialect.quoteIdentifier(name) + " WITH (FORCE)");
            } catch (SQLException e) {
                if (!"3D000".equals(e.getSQLState())) {
                    System.err.println("Could not drop test database " + name + ": " + e.getMessage());
                }
            }
        }
        created.clear();
        for (String role : roles) {
            try (Connection c = Connections.open(admin); Statement st = c.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + role);
            } catch (SQLException e) {
                System.err.println("Could not drop test role " + role + ": " + e.getMessage());
            }
        }
        roles.clear();
    }
}
