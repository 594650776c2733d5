package dev.promoter.core.spi;

/**
 * Copies every table of live into an empty staging database from ONE consistent snapshot, and
 * returns what the snapshot held (row counts and checksums computed in that same snapshot).
 */
public interface Cloner {
    Snapshot cloneDatabase(CloneRequest request, ProgressListener progress);

    /**
     * Whether a clone by {@code strategy} writes the run's backup itself when given {@link CloneRequest#backup}:
     * a backup of the same snapshot, restorable by this dialect's {@link BackupTool#restore}, written from the
     * data the clone reads anyway. The backup stage then only seals and checks it.
     */
    default boolean writesBackup(CloneStrategy strategy) {
        return false;
    }

    /**
     * Brings staging's planner statistics up to date once the migration has run, before the switch (PostgreSQL:
     * ANALYZE), so that the new live starts with statistics of its migrated data. Runs beside verify.
     */
    default void refreshStatistics(dev.promoter.core.db.ConnectionSpec staging) {
    }

    /**
     * Lifts a write freeze that a run which died left on live (dialects whose freeze outlives its session), and
     * lets connections in again where such a run left live refusing them (PostgreSQL: a switch or template copy
     * cut off while it held them off), and completes a switch such a run left part way (MySQL: objects recreated
     * after its RENAME). Called only by the holder of the promotion lock, before live is read.
     * Returns what was done, or null when there was nothing.
     */
    default String liftLeftovers(DatabaseServer server, java.time.Duration timeout) {
        return null;
    }

    /**
     * What {@link #liftLeftovers} would lift, read now and changing nothing: one line each (what live is left with
     * and what applications see). Empty when live carries nothing of a run's. While a run holds the promotion lock
     * these are its own, lifted when it ends; otherwise a run died and left them.
     */
    default java.util.List<String> leftovers(DatabaseServer server) {
        return java.util.List.of();
    }

    /**
     * Refuses, in preflight, before anything is copied, a live database that a clone by {@code strategy} or the
     * switch would break in a way no checkpoint sees (PostgreSQL: enabled logical-replication subscriptions, which
     * would stay with the archive; objects the login could not recreate with their owner, which only the online
     * clone recreates). The default refuses nothing.
     */
    default void refuseUnsupported(dev.promoter.core.db.ConnectionSpec live, CloneStrategy strategy) {
    }

    /**
     * Refuses, in preflight, a run the login on {@code live} could not carry through: what the clone by
     * {@code strategy}, the write freeze (when {@code freezeWrites}) and the switch need it to be allowed to do, on
     * live and on the databases the run makes ({@code made}: each name as the run derives it, staging first, to how
     * a message shows it), named with the grant that fixes it (PostgreSQL: create databases, act as live's owner,
     * set the freeze's mark, end live's sessions; MySQL/MariaDB: the global privileges and those on live and on each
     * database made). The default refuses nothing.
     */
    default void refuseMissingPrivileges(dev.promoter.core.db.ConnectionSpec live, java.util.Map<String, String> made,
                                         CloneStrategy strategy, boolean freezeWrites) {
    }

    /**
     * Where and about how much a clone of live by {@code strategy} will write on the server's machine, for
     * preflight to compare with the free space there. The default says it cannot tell.
     */
    default StagingRoom stagingRoom(dev.promoter.core.db.ConnectionSpec live, CloneStrategy strategy) {
        return StagingRoom.unchecked("this dialect does not say where staging is written");
    }
}
