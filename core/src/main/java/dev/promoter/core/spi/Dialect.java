package dev.promoter.core.spi;

import dev.promoter.core.db.ConnectionSpec;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;

/**
 * One database vendor, found through {@code META-INF/services/dev.promoter.core.spi.Dialect}. Shared
 * code never asks which dialect it holds: it asks these capability questions instead.
 */
public interface Dialect {
    DialectName name();

    /** True when this dialect's driver serves the JDBC URL (for example {@code jdbc:h2:}). */
    boolean acceptsUrl(String jdbcUrl);

    /** True when the live connection's metadata says it is this vendor (the dialect is never trusted from config). */
    boolean recognizes(DatabaseMetaData metaData) throws SQLException;

    /** Quotes an identifier so that any name (quotes, spaces, reserved words, non-ASCII) is safe in SQL text. */
    String quote(String identifier);

    /** True when DDL runs inside a transaction that can roll back (PostgreSQL, not MySQL or H2). */
    boolean supportsDdlTransactions();

    /**
     * True when the driver's {@code DatabaseMetaData.getImportedKeys(null, null, null)} lists every foreign key of
     * the database (pgjdbc does; Connector/J refuses a null table). Checks then read them in one query, not one
     * per table, which with thousands of tables took seconds. False, the safe default: one call per table.
     */
    default boolean listsAllForeignKeysAtOnce() {
        return false;
    }

    /**
     * Splits a script as DBAs write it into chunks that Liquibase can split further on their delimiter
     * (MySQL {@code DELIMITER} blocks become chunks with their own delimiter). The default is one chunk.
     */
    default List<ScriptChunk> chunks(String scriptText) {
        return List.of(new ScriptChunk(scriptText, ";"));
    }

    /** The server that holds {@code live}: its sibling databases (staging, archive, scratch) and the ledger. */
    DatabaseServer server(ConnectionSpec live);

    /**
     * Makes what was committed on {@code c} durable before the caller calls it done, or throws a
     * {@link dev.promoter.core.PromoterException} that says what was not written. The default does nothing: a server's
     * commit is durable when it returns. An embedded database that writes its commits later, from a background thread
     * (H2), must write them now, on that connection, where a failure can still be seen.
     */
    default void makeDurable(java.sql.Connection c) {
    }

    Introspector introspector();

    Cloner cloner();

    BackupTool backupTool();

    AtomicSwitch atomicSwitch();

    /** Measures live's traffic for the scheduler's gate; dialects that cannot say so by name. */
    default TrafficProbe trafficProbe() {
        throw dev.promoter.core.PromoterException.badInput("Dialect " + name().id() + " has no traffic probe: run it without a "
                + "traffic gate (promote run), or add a TrafficProbe to " + getClass().getSimpleName());
    }
}
