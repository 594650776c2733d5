package dev.promoter.dialects.postgresql;

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

/** PostgreSQL: transactional DDL, databases renamed atomically, pg_dump/pg_restore for DDL and backups. */
public final class PostgresDialect implements Dialect {
    private final PostgresClientTools tools = new PostgresClientTools();

    @Override
    public DialectName name() {
        return DialectName.POSTGRESQL;
    }

    @Override
    public boolean acceptsUrl(String jdbcUrl) {
        return jdbcUrl != null && jdbcUrl.startsWith(PostgresUrl.PREFIX);
    }

    @Override
    public boolean recognizes(DatabaseMetaData metaData) throws SQLException {
        return "PostgreSQL".equalsIgnoreCase(metaData.getDatabaseProductName());
    }

    @Override
    public String quote(String identifier) {
        return quoteIdentifier(identifier);
    }

    /** The one quoting function of this dialect: double quotes, embedded double quotes doubled. */
    /** A string literal (standard_conforming_strings on, as from PostgreSQL 9.1 by default: quotes doubled). */
    static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    static String quoteIdentifier(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Not a PostgreSQL identifier: \"" + identifier + "\"");
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public boolean supportsDdlTransactions() {
        return true;
    }

    /** pgjdbc's getImportedKeys with no table lists every foreign key (PostgresDialectTest checks it). */
    @Override
    public boolean listsAllForeignKeysAtOnce() {
        return true;
    }

    @Override
    public List<ScriptChunk> chunks(String scriptText) {
        return PostgresScriptSplitter.split(scriptText).stream().map(s -> new ScriptChunk(s, null)).toList();
    }

    @Override
    public DatabaseServer server(ConnectionSpec live) {
        return new PostgresServer(live);
    }

    @Override
    public Introspector introspector() {
        return new PostgresIntrospector();
    }

    @Override
    public Cloner cloner() {
        return new PostgresCloner(tools);
    }

    @Override
    public BackupTool backupTool() {
        return new PostgresBackupTool(tools);
    }

    @Override
    public AtomicSwitch atomicSwitch() {
        return new PostgresAtomicSwitch();
    }

    @Override
    public String toString() {
        return name().id();
    }

    @Override
    public dev.promoter.core.spi.TrafficProbe trafficProbe() {
        return new dev.promoter.dialects.traffic.PostgresTrafficProbe();
    }
}
