package dev.promoter.core.spi;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The dialects on the class path (found through {@link ServiceLoader}), and detection from a live connection. */
public final class Dialects {
    private final Map<DialectName, Dialect> byName;

    private Dialects(List<Dialect> dialects) {
        byName = new EnumMap<>(DialectName.class);
        dialects.forEach(d -> byName.put(d.name(), d));
    }

    public static Dialects load() {
        return new Dialects(ServiceLoader.load(Dialect.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    public static Dialects of(List<Dialect> dialects) {
        return new Dialects(dialects);
    }

    public Dialect get(DialectName name) {
        Dialect d = byName.get(name);
        if (d == null) {
            throw PromoterException.badInput("Dialect " + name + " is not installed (found: " + byName.keySet()
                    + "); add the promoter-dialects module to the class path");
        }
        return d;
    }

    /** The dialect whose driver serves the URL, before connecting: only to open the first connection. */
    public Dialect forUrl(String jdbcUrl) {
        return byName.values().stream().filter(d -> d.acceptsUrl(jdbcUrl)).findFirst()
                .orElseThrow(() -> PromoterException.badInput("No dialect accepts the URL "
                        + ConnectionSpec.redact(jdbcUrl) + ": use jdbc:postgresql://, jdbc:mysql://, "
                        + "jdbc:mariadb:// or jdbc:h2:file:"));
    }

    /** Connects and reads the vendor from the connection's metadata: the dialect is never trusted from config. */
    public Dialect detect(ConnectionSpec spec) {
        try (Connection c = Connections.open(spec)) {
            return detect(c);
        } catch (SQLException e) {
            throw Connections.unableToConnect(spec, e);
        }
    }

    /**
     * The dialect of a server, read from a connection to its live database; when live refuses new connections
     * (SQLSTATE 55000, as a run that died inside its switch leaves it), from the ledger's database on the same
     * server instead, so that a run can still take the lock and let connections in again
     * ({@link Cloner#liftLeftovers}) and status and history can still be read.
     */
    public Dialect detect(DatabaseServer server) {
        try {
            return detect(server.live());
        } catch (PromoterException e) {
            if (!(e.getCause() instanceof SQLException s) || !Connections.REFUSES_CONNECTIONS.equals(s.getSQLState())) {
                throw e;
            }
            return detect(server.ledger());
        }
    }

    public Dialect detect(Connection connection) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        for (Dialect d : byName.values()) {
            if (d.recognizes(md)) {
                return d;
            }
        }
        throw PromoterException.refused("Unsupported database " + md.getDatabaseProductName() + " "
                + md.getDatabaseProductVersion() + ": Promoter supports " + byName.keySet());
    }
}
