package dev.promoter.core.spi;

import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.ConnectionSpec;

import java.time.Duration;

/**
 * A clone of {@code live} into the existing, empty {@code staging} database.
 *
 * @param parallelism   copy workers (1 or more)
 * @param freezeWrites  when true, live refuses writes from the snapshot on, until {@link WriteFreeze#release()}
 *                      or the switch; when false, the switch must prove that no write happened
 * @param lockTimeout   how long to wait for locks needed to take the snapshot
 * @param strategy      how the copy is made
 * @param backup        when not null, the cloner also writes a restorable backup of the snapshot into this
 *                      folder as it copies ({@link Cloner#writesBackup}); the caller seals it afterwards
 */
public record CloneRequest(ConnectionSpec live, ConnectionSpec staging, int parallelism,
                           boolean freezeWrites, Duration lockTimeout, CloneStrategy strategy, BackupWriter backup) {
    /** An online clone. */
    public CloneRequest(ConnectionSpec live, ConnectionSpec staging, int parallelism, boolean freezeWrites,
                        Duration lockTimeout) {
        this(live, staging, parallelism, freezeWrites, lockTimeout, CloneStrategy.ONLINE, null);
    }

    /** A clone that writes no backup. */
    public CloneRequest(ConnectionSpec live, ConnectionSpec staging, int parallelism, boolean freezeWrites,
                        Duration lockTimeout, CloneStrategy strategy) {
        this(live, staging, parallelism, freezeWrites, lockTimeout, strategy, null);
    }

    public CloneRequest {
        strategy = strategy == null ? CloneStrategy.ONLINE : strategy;
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
    }
}
