package dev.promoter.core.pipeline;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a run needs, validated once and frozen.
 *
 * @param expectedDialect    {@code --dialect}: what live must be (refused when it is not)
 * @param stagingUrl         {@code --staging-url}: the staging database; default beside live
 * @param verify             {@code --verify}: switch only when every checkpoint passes
 * @param noSwitch           build and verify staging, then stop before the switch
 * @param freezeWrites       keep writes out of live from the snapshot to the switch (else prove none happened)
 * @param skipBackup         no backup stage (tests and the demo's scratch data only)
 * @param postponeFile       while this file exists the run waits before the switch
 * @param verifyBackup       restore the backup into a scratch database and compare it with the snapshot
 * @param cloneStrategy      online (default) or template (PostgreSQL: file copy while live is held off)
 * @param limits             preflight's limits on live's active sessions and oldest transaction
 * @param allowDrift         a schema that differs from a fresh install of the target is a warning, not a failure
 * @param dumpBackup         {@code --backup-format dump}: the backup is taken by the dialect's dump tool before the
 *                           clone, even where the clone could write it from its own snapshot
 */
public record RunOptions(ConnectionSpec live, Optional<String> stagingUrl, Path sqlDir, Optional<String> product,
                         Optional<Version> to, Optional<DialectName> expectedDialect, Path backupDir,
                         boolean verify, boolean noSwitch, boolean freezeWrites, boolean skipBackup,
                         int parallelism, Duration switchTimeout, Duration lockTtl, Optional<Path> postponeFile,
                         boolean allowDrift, SessionLimits limits, dev.promoter.core.spi.CloneStrategy cloneStrategy,
                         boolean verifyBackup, boolean dumpBackup) {
    /** Options whose backup is written by the clone where the dialect can ({@code --backup-format auto}). */
    public RunOptions(ConnectionSpec live, Optional<String> stagingUrl, Path sqlDir, Optional<String> product,
                      Optional<Version> to, Optional<DialectName> expectedDialect, Path backupDir,
                      boolean verify, boolean noSwitch, boolean freezeWrites, boolean skipBackup,
                      int parallelism, Duration switchTimeout, Duration lockTtl, Optional<Path> postponeFile,
                      boolean allowDrift, SessionLimits limits, dev.promoter.core.spi.CloneStrategy cloneStrategy,
                      boolean verifyBackup) {
        this(live, stagingUrl, sqlDir, product, to, expectedDialect, backupDir, verify, noSwitch, freezeWrites,
                skipBackup, parallelism, switchTimeout, lockTtl, postponeFile, allowDrift, limits, cloneStrategy,
                verifyBackup, false);
    }

    public RunOptions {
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(sqlDir, "sqlDir");
        Objects.requireNonNull(backupDir, "backupDir");
        limits = limits == null ? SessionLimits.DEFAULT : limits;
        cloneStrategy = cloneStrategy == null ? dev.promoter.core.spi.CloneStrategy.ONLINE : cloneStrategy;
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
    }

    public static RunOptions defaults(ConnectionSpec live, Path sqlDir) {
        return new RunOptions(live, Optional.empty(), sqlDir, Optional.empty(), Optional.empty(), Optional.empty(),
                Path.of("promoter-backups"), true, false, true, false,
                Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(300),
                Duration.ofSeconds(60), Optional.empty(), false, SessionLimits.DEFAULT,
                dev.promoter.core.spi.CloneStrategy.ONLINE, false);
    }

}
