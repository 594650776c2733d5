package dev.promoter.core.spi;

import org.jdbi.v3.core.Handle;

/**
 * One piece of a table's content checksum, computed on a session of its own so that the pieces of one large
 * table run at once; the pieces' checksums add up ({@link TableChecksum#plus}) to the table's.
 */
@FunctionalInterface
public interface ChecksumPart {
    TableChecksum compute(Handle handle);
}
