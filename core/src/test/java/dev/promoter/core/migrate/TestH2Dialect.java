package dev.promoter.core.migrate;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Introspector;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * Just enough of H2 for the migrator: its name, quoting and DDL-transaction answer. Core has no dialect
 * classes; the real one lives in the dialects module. Not registered as a service.
 */
final class TestH2Dialect implements Dialect {
    @Override
    public DialectName name() {
        return DialectName.H2;
    }

    @Override
    public boolean acceptsUrl(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:");
    }

    @Override
    public boolean recognizes(DatabaseMetaData metaData) throws SQLException {
        return "H2".equals(metaData.getDatabaseProductName());
    }

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public boolean supportsDdlTransactions() {
        return false;
    }

    @Override
    public DatabaseServer server(ConnectionSpec live) {
        throw unsupported("server");
    }

    @Override
    public Introspector introspector() {
        throw unsupported("introspector");
    }

    @Override
    public Cloner cloner() {
        throw unsupported("cloner");
    }

    @Override
    public BackupTool backupTool() {
        throw unsupported("backupTool");
    }

    @Override
    public AtomicSwitch atomicSwitch() {
        throw unsupported("atomicSwitch");
    }

    private static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("The test H2 dialect has no " + what);
    }
}
