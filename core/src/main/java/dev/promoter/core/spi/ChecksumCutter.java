package dev.promoter.core.spi;

import org.jdbi.v3.core.Handle;

import java.util.List;

/** Cuts a table's checksum into pieces ({@link Introspector#checksumParts} or one prepared for a batch of tables). */
@FunctionalInterface
public interface ChecksumCutter {
    List<ChecksumPart> cut(Handle handle, TableRef table, int parts);
}
