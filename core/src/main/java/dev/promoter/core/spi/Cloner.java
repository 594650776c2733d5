package dev.promoter.core.spi;

/**
 * Copies every table of live into an empty staging database from ONE consistent snapshot, and
 * returns what the snapshot held (row counts and checksums computed in that same snapshot).
 */
public interface Cloner {
    Snapshot cloneDatabase(CloneRequest request, ProgressListener progress);

    /**
     * Lifts a write freeze that a run which died left on live (dialects whose freeze outlives its session).
     * Called only by the holder of the promotion lock. Returns what was done, or null when there was nothing.
     */
    default String liftAbandonedFreeze(DatabaseServer server, java.time.Duration timeout) {
        return null;
    }
}
