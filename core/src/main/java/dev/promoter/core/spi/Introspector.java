package dev.promoter.core.spi;

import org.jdbi.v3.core.Handle;

import java.util.List;

/** Reads a database's catalog and content fingerprints. The handle is connected to that database. */
public interface Introspector {
    /** Base tables in the database's user schemas, sorted. Views and system tables are not included. */
    List<TableRef> tables(Handle handle);

    long rowCount(Handle handle, TableRef table);

    /** Row count and an order-independent sum of a hash of every row ({@link TableChecksum}). */
    TableChecksum checksum(Handle handle, TableRef table);

    /**
     * The table's checksum as at most {@code parts} pieces that may run on separate sessions at once and add up
     * to {@link #checksum}. The default is one piece, the whole table; a dialect that can read disjoint parts of
     * a table cheaply splits large tables.
     */
    default java.util.List<ChecksumPart> checksumParts(Handle handle, TableRef table, int parts) {
        return java.util.List.of(h -> checksum(h, table));
    }

    /**
     * A cutter for checksums about to be read on {@code handle}'s database: a dialect may read what
     * {@link #checksumParts} looks up for each table (size, columns) for all tables in one query now, which with
     * thousands of small tables is most of the work. Use it for reads that follow at once (no DDL in between).
     * The default is {@link #checksumParts} itself.
     */
    default ChecksumCutter checksumCutter(Handle handle) {
        return this::checksumParts;
    }

    /** Sequences / identity / AUTO_INCREMENT counters with the max key of their table. */
    List<CounterState> counters(Handle handle);

    /** Tables, columns, indexes, constraints, sequences and views, normalised for comparison. */
    SchemaModel schema(Handle handle);
}
