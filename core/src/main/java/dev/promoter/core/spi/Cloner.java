package dev.promoter.core.spi;

/**
 * Copies every table of live into an empty staging database from ONE consistent snapshot, and
 * returns what the snapshot held (row counts and checksums computed in that same snapshot).
 */
public interface Cloner {
    Snapshot cloneDatabase(CloneRequest request, ProgressListener progress);
}
