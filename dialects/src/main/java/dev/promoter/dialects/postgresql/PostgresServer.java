package dev.promoter.dialects.postgresql;

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
 * The PostgreSQL server holding live, seen from live's URL. Sibling databases share the URL's hosts and
 * parameters; administrative statements run on the {@code postgres} maintenance database. New databases
 * copy live's encoding, locale and owner, so staging sorts and compares text exactly as live does.
 */
final class PostgresServer implements DatabaseServer {
    static final String LEDGER_DATABASE = "promoter_ledger";
    static final String MAINTENANCE_DATABASE = "postgres";
    private static final String DUPLICATE_DATABASE = "42P04";
    private static final String UNIQUE_VIOLATION = "23505";

    private final ConnectionSpec live;
    private final PostgresUrl url;
    private String liveName;

    PostgresServer(ConnectionSpec live) {
        this.live = live;
        this.url = PostgresUrl.parse(live.url());
    }

    @Override
    public String liveDatabase() {
        if (liveName == null) {
            liveName = url.database().isEmpty() ? queryCurrentDatabase() : url.database();
        }
        return liveName;
    }

    @Override
    public String ledgerKey() {
        return liveDatabase();
    }

    @Override
    public ConnectionSpec database(String name) {
        return live.withUrl(url.withDatabase(name));
    }

    ConnectionSpec maintenance() {
        return database(MAINTENANCE_DATABASE);
    }

    /** An administrative connection (autocommit) on the maintenance database. */
    Connection admin() throws SQLException {
        return Connections.open(maintenance());
    }

    @Override
    public boolean exists(String name) {
        return !query("SELECT datname FROM pg_database WHERE datname = ?", name, "check whether database \""
                + name + "\" exists").isEmpty();
    }

    @Override
    public List<String> list(String prefix) {
        return query("SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY datname", prefix,
                "list databases starting with \"" + prefix + "\"");
    }

    @Override
    public void create(String name) {
        if (nameLength(name) > maxNameLength()) {
            // the server would cut it silently, and the tool would then look for a database that is not there
            throw PromoterException.badInput("Database name \"" + name + "\" is " + nameLength(name) + " bytes; "
                    + "PostgreSQL keeps " + maxNameLength() + ". Choose a shorter name");
        }
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + PostgresDialect.quoteIdentifier(name) + " TEMPLATE template0"
                    + likeLive(c));
        } catch (SQLException e) {
            if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw PromoterException.refused("Unable to create database \"" + name + "\": it already exists on "
                        + describeServer() + ". Drop it first or choose another name");
            }
            throw failed("create database \"" + name + "\"", e, "check that the user may CREATE DATABASE");
        }
    }

    /**
     * ENCODING, LC_COLLATE/LC_CTYPE (or ICU locale), OWNER and default TABLESPACE of live, as literal options of
     * CREATE DATABASE (the rest of the database's own properties: {@link PostgresDatabaseProperties}).
     */
    private String likeLive(Connection c) throws SQLException {
        boolean pg15 = c.getMetaData().getDatabaseMajorVersion() >= 15;
        String sql = "SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, r.rolname, "
                + "pg_has_role(current_user, d.datdba, 'MEMBER'), "
                + (pg15 ? "d.datlocprovider::text, d.daticulocale" : "'c', NULL")
                + ", t.spcname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                + "JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, liveDatabase());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "";
                }
                StringBuilder sb = new StringBuilder(" ENCODING " + PostgresDialect.quoteLiteral(rs.getString(1)));
                if ("i".equals(rs.getString(6))) {
                    sb.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(PostgresDialect.quoteLiteral(rs.getString(7)));
                }
                sb.append(" LC_COLLATE ").append(PostgresDialect.quoteLiteral(rs.getString(2)))
                        .append(" LC_CTYPE ").append(PostgresDialect.quoteLiteral(rs.getString(3)));
                if (rs.getBoolean(5)) {
                    sb.append(" OWNER ").append(PostgresDialect.quoteIdentifier(rs.getString(4)));
                }
                if (!"pg_default".equals(rs.getString(8))) {
                    sb.append(" TABLESPACE ").append(PostgresDialect.quoteIdentifier(rs.getString(8)));
                }
                return sb.toString();
            }
        }
    }


    @Override
    public void drop(String name) {
        if (name.equals(liveDatabase()) || name.equals(LEDGER_DATABASE)) {
            throw PromoterException.refused("Refusing to drop database \"" + name + "\": it is the "
                    + (name.equals(LEDGER_DATABASE) ? "ledger" : "live database") + " on " + describeServer());
        }
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + PostgresDialect.quoteIdentifier(name) + " WITH (FORCE)");
        } catch (SQLException e) {
            throw failed("drop database \"" + name + "\"", e, "end the sessions using it and retry");
        }
    }

    @Override
    public ConnectionSpec ledger() {
        if (!exists(LEDGER_DATABASE)) {
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + PostgresDialect.quoteIdentifier(LEDGER_DATABASE) + " TEMPLATE template0");
            } catch (SQLException e) {
                // another run created it at the same moment: fine
                if (!DUPLICATE_DATABASE.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw failed("create the ledger database \"" + LEDGER_DATABASE + "\"", e,
                            "create it yourself (CREATE DATABASE " + LEDGER_DATABASE + ") or grant CREATEDB");
                }
            }
        }
        return database(LEDGER_DATABASE);
    }

    /** PostgreSQL's NAMEDATALEN - 1; counted in bytes, so non-ASCII names hold fewer characters. */
    @Override
    public int maxNameLength() {
        return 63;
    }

    /** Bytes in UTF-8 (the server's encoding here; in a one-byte encoding a name takes no more). */
    @Override
    public int nameLength(String name) {
        return name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    String describeServer() {
        String hosts = url.hosts();
        return "PostgreSQL server " + (hosts == null ? "localhost" : hosts);
    }

    private String queryCurrentDatabase() {
        try (Connection c = Connections.open(live); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw Connections.unableToConnect(live, e);
        }
    }

    private List<String> query(String sql, String arg, String what) {
        try (Connection c = admin(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(what, e, "check that the server is up and the user may connect to \""
                    + MAINTENANCE_DATABASE + "\"");
        }
    }

    private PromoterException failed(String what, SQLException e, String fix) {
        return PromoterException.failed("Unable to " + what + " on " + describeServer() + ": "
                + Connections.describe(e) + ". " + fix, e);
    }
}
