package dev.promoter.dialects.h2;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.TrafficProbe;
import dev.promoter.dialects.traffic.H2TrafficProbe;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Locale;

/** Embedded H2 2.x file databases: cloned by an online {@code BACKUP}, switched by an atomic file rename. */
public final class H2Dialect implements Dialect {
    private final Clock clock;
    private final H2Introspector introspector;

    public H2Dialect() {
        this(Clock.systemUTC());
    }

    public H2Dialect(Clock clock) {
        this.clock = clock;
        this.introspector = new H2Introspector(this);
    }

    @Override
    public DialectName name() {
        return DialectName.H2;
    }

    @Override
    public boolean acceptsUrl(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.toLowerCase(Locale.ROOT).startsWith(H2Url.PREFIX);
    }

    @Override
    public boolean recognizes(DatabaseMetaData metaData) throws SQLException {
        return "H2".equalsIgnoreCase(metaData.getDatabaseProductName());
    }

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** H2 commits DDL implicitly. */
    @Override
    public boolean supportsDdlTransactions() {
        return false;
    }

    /** The folder holding live's file; refuses in-memory and remote URLs. */
    @Override
    public DatabaseServer server(ConnectionSpec live) {
        return new H2Server(live, H2Url.parse(live.url()));
    }

    /** {@code CHECKPOINT SYNC} on {@code c} ({@link H2BackupTool#sync}): H2 writes commits from a background thread. */
    @Override
    public void makeDurable(java.sql.Connection c) {
        String where;
        try {
            where = H2Url.parse(c.getMetaData().getURL()).dataFile().toString();
        } catch (java.sql.SQLException | RuntimeException e) {
            where = "the H2 database";
        }
        try {
            H2BackupTool.sync(c, where);
        } catch (java.sql.SQLException e) {
            throw dev.promoter.core.PromoterException.failed(e.getMessage() + ": what was committed there is not all on "
                    + "disk. Check the free space of its folder and run again", e);
        }
    }

    @Override
    public Introspector introspector() {
        return introspector;
    }

    @Override
    public Cloner cloner() {
        return new H2Cloner(introspector, clock);
    }

    @Override
    public BackupTool backupTool() {
        return new H2BackupTool(introspector);
    }

    @Override
    public AtomicSwitch atomicSwitch() {
        return new H2AtomicSwitch(introspector);
    }

    @Override
    public TrafficProbe trafficProbe() {
        return new H2TrafficProbe();
    }
}
