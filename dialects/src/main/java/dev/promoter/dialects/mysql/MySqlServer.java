package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.DatabaseServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The MySQL/MariaDB server holding live. Sibling databases share live's host, login and driver
 * parameters; new ones get live's default character set and collation, so that table DDL copied from
 * live means the same thing there. The ledger lives in its own database, {@value #LEDGER}.
 */
final class MySqlServer implements DatabaseServer {
    static final String LEDGER = "promoter_ledger";
    private static final int MAX_NAME = 64;

    private final ConnectionSpec live;
    private final MySqlUrl url;

    MySqlServer(ConnectionSpec live) {
        this.live = MySqlUrl.normalize(live);
        this.url = MySqlUrl.parse(this.live.url());
        if (url.database().isEmpty()) {
            throw PromoterException.badInput("The live URL " + live.redactedUrl() + " names no database; "
                    + "write it as jdbc:mysql://host:3306/<database>");
        }
    }

    @Override
    public String liveDatabase() {
        return url.database();
    }

    @Override
    public String ledgerKey() {
        return url.database();
    }

    @Override
    public ConnectionSpec database(String name) {
        return live.withUrl(url.withDatabase(name).text());
    }

    /** The server without a default database, for administration. */
    ConnectionSpec admin() {
        return database("");
    }

    @Override
    public boolean exists(String name) {
        return query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).size() == 1;
    }

    @Override
    public List<String> list(String prefix) {
        return query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, CHAR_LENGTH(?)) = ?"
                + " ORDER BY SCHEMA_NAME", prefix, prefix);
    }

    @Override
    public void create(String name) {
        checkName(name);
        if (exists(name)) {
            throw PromoterException.refused("Unable to create database " + name + " on " + admin()
                    + ": it already exists. Drop it first if it is left over from an earlier run");
        }
        List<String> cs = query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                + " WHERE SCHEMA_NAME = ?", liveDatabase());
        if (cs.stream().anyMatch(n -> !n.matches("[A-Za-z0-9_]+"))) {
            throw PromoterException.failed("Unable to create database " + name + ": live's character set " + cs
                    + " is not a plain name", null);
        }
        String options = cs.isEmpty() ? "" : " CHARACTER SET " + cs.get(0) + " COLLATE " + cs.get(1);
        execute("create database " + name, "CREATE DATABASE " + MySqlDialect.quoteName(name) + options);
    }

    @Override
    public void drop(String name) {
        if (name.equals(liveDatabase())) {
            throw PromoterException.refused("Refusing to drop database " + name + ": it is the live database");
        }
        if (name.equals(LEDGER)) {
            throw PromoterException.refused("Refusing to drop database " + name + ": it holds Promoter's ledger");
        }
        execute("drop database " + name, "DROP DATABASE IF EXISTS " + MySqlDialect.quoteName(name));
    }

    @Override
    public ConnectionSpec ledger() {
        try (Connection c = Connections.open(admin()); Statement s = c.createStatement()) {
            try {
                s.execute("CREATE DATABASE IF NOT EXISTS " + MySqlDialect.quoteName(LEDGER) + " CHARACTER SET utf8mb4");
            } catch (SQLException e) {
                if (e.getErrorCode() != ACCESS_DENIED_TO_DATABASE) {
                    throw e;
                }
                // even when it exists, CREATE ... IF NOT EXISTS needs the CREATE privilege on it
                throw PromoterException.refused("The ledger database " + LEDGER + " on " + admin() + " is not usable by "
                        + "this login: " + Connections.describe(e) + ". The ledger records every run and holds the "
                        + "promotion lock; as root run: GRANT ALL ON " + MySqlDialect.quoteName(LEDGER) + ".* TO "
                        + currentUser(s));
            }
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to create ledger database " + LEDGER + " on " + admin() + ": "
                    + Connections.describe(e) + ". Check that the user may create databases (CREATE privilege)", e);
        }
        return database(LEDGER);
    }

    /** MySQL's ER_DBACCESS_DENIED_ERROR: "Access denied for user ... to database ...". */
    private static final int ACCESS_DENIED_TO_DATABASE = 1044;

    /** The login as GRANT writes it: {@code 'user'@'host'}. */
    private static String currentUser(Statement s) {
        try (java.sql.ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            return account(rs.next() ? rs.getString(1) : "user@host");
        } catch (SQLException e) {
            return "<user>";
        }
    }

    /** {@code user@host} (as CURRENT_USER() and DEFINER columns give it) as GRANT and DEFINER take it: {@code 'user'@'host'}. */
    static String account(String userAtHost) {
        int at = userAtHost.lastIndexOf('@');
        return at < 0 ? literal(userAtHost) : literal(userAtHost.substring(0, at)) + "@" + literal(userAtHost.substring(at + 1));
    }

    private static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    @Override
    public int maxNameLength() {
        return MAX_NAME;
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME || name.endsWith(" ")) {
            throw PromoterException.badInput("Invalid database name \"" + name + "\": MySQL/MariaDB names are 1 to "
                    + MAX_NAME + " characters and do not end with a space");
        }
    }

    private void execute(String what, String sql) {
        try (Connection c = Connections.open(admin()); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to " + what + " on " + admin() + ": " + Connections.describe(e)
                    + ". Check that the user may create and drop databases (CREATE, DROP privileges)", e);
        }
    }

    /** Every column of every row, flattened: the callers select one or two columns. */
    private List<String> query(String sql, String... args) {
        try (Connection c = Connections.open(admin()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        out.add(rs.getString(i));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read the databases on " + admin() + ": " + Connections.describe(e), e);
        }
    }
}
