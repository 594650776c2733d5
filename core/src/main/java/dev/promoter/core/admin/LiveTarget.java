package dev.promoter.core.admin;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.Dialects;

import java.time.Clock;

/** A live database as the admin commands see it: dialect read from the connection, server, ledger. */
public record LiveTarget(Dialect dialect, DatabaseServer server, Ledger ledger) {

    /** Connects; {@code createIfMissing} creates the database first (install only). */
    public static LiveTarget open(Dialects dialects, ConnectionSpec spec, Clock clock, boolean createIfMissing) {
        Dialect byUrl = dialects.forUrl(spec.url());
        DatabaseServer server = byUrl.server(spec);
        if (!server.exists(server.liveDatabase())) {
            if (!createIfMissing) {
                throw PromoterException.badInput("Database " + server.liveDatabase() + " does not exist at "
                        + spec.redactedUrl() + "; check --url (use `promote install` to create one from nothing)");
            }
            server.create(server.liveDatabase());
        }
        Dialect dialect = dialects.detect(server);
        if (dialect.name() != byUrl.name()) {
            throw PromoterException.refused("The URL " + spec.redactedUrl() + " is a " + byUrl.name()
                    + " URL but the server answering it says it is " + dialect.name() + "; fix --url");
        }
        return new LiveTarget(dialect, server, Ledger.open(Connections.jdbi(server.ledger()), clock));
    }

    public String key() {
        return server.ledgerKey();
    }
}
