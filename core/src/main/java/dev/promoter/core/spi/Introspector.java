package dev.promoter.core.spi;

import org.jdbi.v3.core.Handle;

import java.util.List;

/** Reads a database's catalog and content fingerprints. The handle is connected to that database. */
public interface Introspector {
    /** Base tables in the database's user schemas, sorted. Views and system tables are not included. */
    List<TableRef> tables(Handle handle);

    long rowCount(Handle handle, TableRef table);

    /** Row count and exact sum of a 64-bit hash of every row, computed inside the database. */
    TableChecksum checksum(Handle handle, TableRef table);

    /** Sequences / identity / AUTO_INCREMENT counters with the max key of their table. */
    List<CounterState> counters(Handle handle);

    /** Tables, columns, indexes, constraints, sequences and views, normalised for comparison. */
    SchemaModel schema(Handle handle);
}
