package dev.promoter.dialects.mysql;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.ScriptChunk;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * MySQL 8 and MariaDB 10.x through MySQL Connector/J. A {@code jdbc:mariadb://} URL is accepted and
 * rewritten to {@code jdbc:mysql://} ({@link #normalize}); the database is the namespace (no schemas),
 * and DDL commits implicitly, so scripts cannot be rolled back.
 */
public final class MySqlDialect implements Dialect {
    private final MySqlClientTools tools;

    public MySqlDialect() {
        this(MySqlClientTools.fromPath());
    }

    MySqlDialect(MySqlClientTools tools) {
        this.tools = tools;
    }

    @Override
    public DialectName name() {
        return DialectName.MYSQL;
    }

    @Override
    public boolean acceptsUrl(String jdbcUrl) {
        return MySqlUrl.accepts(jdbcUrl);
    }

    /** The spec in the form Connector/J serves: {@code jdbc:mariadb://} becomes {@code jdbc:mysql://}. */
    public ConnectionSpec normalize(ConnectionSpec spec) {
        return MySqlUrl.normalize(spec);
    }

    @Override
    public boolean recognizes(DatabaseMetaData metaData) throws SQLException {
        String product = metaData.getDatabaseProductName().toLowerCase(Locale.ROOT);
        String version = String.valueOf(metaData.getDatabaseProductVersion()).toLowerCase(Locale.ROOT);
        return product.contains("mysql") || product.contains("mariadb") || version.contains("mariadb");
    }

    @Override
    public String quote(String identifier) {
        return quoteName(identifier);
    }

    static String quoteName(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public boolean supportsDdlTransactions() {
        return false;
    }

    @Override
    public List<ScriptChunk> chunks(String scriptText) {
        return MySqlScriptSplitter.split(scriptText);
    }

    @Override
    public DatabaseServer server(ConnectionSpec live) {
        return new MySqlServer(normalize(live));
    }

    @Override
    public Introspector introspector() {
        return new MySqlIntrospector();
    }

    @Override
    public Cloner cloner() {
        return new MySqlCloner();
    }

    @Override
    public BackupTool backupTool() {
        return new MySqlBackupTool(tools);
    }

    @Override
    public AtomicSwitch atomicSwitch() {
        return new MySqlAtomicSwitch();
    }

    @Override
    public dev.promoter.core.spi.TrafficProbe trafficProbe() {
        return new dev.promoter.dialects.traffic.MySqlTrafficProbe();
    }
}
