package dev.promoter.core.pipeline;

import dev.promoter.core.DaemonThreads;
import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.backup.Backups;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.checkpoint.CheckpointRunner;
import dev.promoter.core.checkpoint.SchemaDrift;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.LedgerCheckpoint;
import dev.promoter.core.ledger.PromotionLock;
import dev.promoter.core.ledger.RunField;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.tree.Script;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One run of the blue/green upgrade: preflight, backup, clone, migrate, stage, verify, promote. Every
 * stage is recorded in the ledger as it starts and ends. Production is changed only by the final
 * switch; any failure before it leaves live exactly as it was (and lifts any write freeze).
 */
public final class Pipeline {
    private static final Executor FRESH_INSTALL = DaemonThreads.named("promoter-fresh-install");
    private static final Executor STATISTICS = DaemonThreads.named("promoter-statistics");

    private final Dialects dialects;
    private final Clock clock;
    private final RunListener listener;
    private final BeforeSwitch beforeSwitch;
    private final Interruption interruption;

    public Pipeline(Dialects dialects, Clock clock, RunListener listener) {
        this(dialects, clock, listener, BeforeSwitch.NONE);
    }

    /** A pipeline whose switch is gated by {@code beforeSwitch} (which may veto it). */
    public Pipeline(Dialects dialects, Clock clock, RunListener listener, BeforeSwitch beforeSwitch) {
        this(dialects, clock, listener, beforeSwitch, new Interruption());
    }

    /** A pipeline that {@code interruption} can stop from another thread (see {@link Interruption}). */
    public Pipeline(Dialects dialects, Clock clock, RunListener listener, BeforeSwitch beforeSwitch,
                    Interruption interruption) {
        this.dialects = dialects;
        this.clock = clock;
        this.listener = listener;
        this.beforeSwitch = beforeSwitch;
        this.interruption = interruption;
    }

    public RunReport run(RunOptions o) {
        String runId = RunIds.next(clock);
        RunState s = new RunState(runId, "run", clock, listener, interruption);
        Preflight.Connected[] connected = new Preflight.Connected[1];
        try {
            Preflight preflight = new Preflight(dialects, clock);
            s.begin(Stage.PREFLIGHT);
            Preflight.Connected c = s.inStage(Stage.PREFLIGHT, () -> preflight.connect(o, listener));
            connected[0] = c;
            s.attach(c);
            try (PromotionLock.Lease lease = s.inStage(Stage.PREFLIGHT, () -> new PromotionLock(c.ledger())
                    .acquire(c.server().ledgerKey(), runId, holder(), o.lockTtl()))) {
                s.inStage(Stage.PREFLIGHT, () -> {
                    c.ledger().abandonUnfinished(c.server().ledgerKey(), runId);
                    String lifted = c.dialect().cloner().liftLeftovers(c.server(), o.switchTimeout());
                    if (lifted != null) {
                        listener.message(lifted);
                    }
                    return null;
                });
                Optional<RunContext> ctx = s.inStage(Stage.PREFLIGHT, () -> preflight.plan(c, o, runId, listener));
                if (ctx.isEmpty()) {
                    s.endStage(Stage.PREFLIGHT, "OK", "live is already at the target version: nothing to do");
                    return s.finish(Outcome.OK, "NOTHING_TO_DO", "Live " + c.server().liveDatabase()
                            + " is already at the target version; nothing to do");
                }
                return promote(ctx.get(), o, s, lease);
            }
        } catch (PromoterException e) {
            return s.fail(e.outcome(), e.getMessage(), e);
        } catch (RuntimeException e) {
            return s.fail(Outcome.FAILED, "Unexpected failure: " + e, e);
        } finally {
            if (connected[0] != null) {
                connected[0].ledger().close(); // after s.fail or s.finish wrote the run's end
            }
        }
    }

    private RunReport promote(RunContext ctx, RunOptions o, RunState s, PromotionLock.Lease lease) {
        s.versions(ctx);
        s.endStage(Stage.PREFLIGHT, "OK", ctx.plan().describe());
        var ledger = ctx.ledger();
        var server = ctx.server();

        // backup: taken before the clone, or written by the clone from its own snapshot and sealed after it
        java.nio.file.Path backupDir = o.backupDir().resolve(server.liveDatabase() + "-" + ctx.runId());
        Backups backups = new Backups(ctx.dialect().backupTool(), clock);
        BackupWriter fromClone = null;
        if (o.skipBackup()) {
            s.skipStage(Stage.BACKUP, "skipped (--skip-backup)");
        } else if (!o.dumpBackup() && ctx.dialect().cloner().writesBackup(o.cloneStrategy())) {
            fromClone = Backups.prepare(backupDir);
            listener.message("the backup is written by the clone, from its snapshot, into " + fromClone.dir());
        } else {
            BackupManifest m = s.stage(Stage.BACKUP, () -> backups.backup(server.live(), backupDir,
                    server.liveDatabase(), ctx.dialect().name().id(), ctx.product().name(), ctx.liveVersion().toString(),
                    listener), mf -> mf.files().size() + " file(s), " + mf.tables().size() + " table(s), checked against manifest");
            recordBackup(ctx, s, backupDir, m);
        }

        // clone
        BackupWriter backupWriter = fromClone;
        Snapshot snapshot;
        try {
            snapshot = s.stage(Stage.CLONE, () -> {
                prepareStaging(ctx);
                ledger.setRunField(ctx.runId(), RunField.STAGING_NAME, ctx.stagingName());
                s.staging = ctx.stagingName();
                server.create(ctx.stagingName());
                return ctx.dialect().cloner().cloneDatabase(new CloneRequest(server.live(), server.database(ctx.stagingName()),
                        o.parallelism(), o.freezeWrites(), o.switchTimeout(), o.cloneStrategy(), backupWriter), listener);
            }, snap -> snap.tables().size() + " table(s) from one snapshot; write protection: " + snap.freeze().describe());
        } catch (RuntimeException e) {
            if (backupWriter != null) {
                Backups.discard(backupWriter); // a half-written backup is no backup
            }
            throw e;
        }
        s.freeze = snapshot.freeze();
        s.writeProtection = snapshot.freeze().describe();
        Map<String, Long> counts = new TreeMap<>();
        snapshot.tables().forEach((t, c) -> counts.put(t.display(), c.rows()));
        s.tables = counts;

        try {
            if (backupWriter != null) {
                Map<TableRef, Long> rows = new TreeMap<>();
                snapshot.tables().forEach((t, c) -> rows.put(t, c.rows()));
                BackupManifest m = s.stage(Stage.BACKUP, () -> backups.seal(backupWriter, server.liveDatabase(),
                        ctx.dialect().name().id(), ctx.product().name(), ctx.liveVersion().toString(), rows),
                        mf -> "written by the clone from its snapshot (live read once): " + mf.files().size()
                                + " file(s), " + mf.tables().size() + " table(s), checked against manifest");
                recordBackup(ctx, s, backupDir, m);
            }

            // migrate
            ConnectionSpec staging = server.database(ctx.stagingName());
            s.stage(Stage.MIGRATE, () -> {
                migrate(ctx, staging);
                return null;
            }, x -> ctx.plan().scripts().size() + " script(s) of " + ctx.plan().versions().size() + " version(s)");

            // stage: seal
            s.stage(Stage.STAGE, () -> {
                ledger.setRunField(ctx.runId(), RunField.WATERMARK, snapshot.watermark());
                ledger.saveSnapshot(ctx.runId(), snapshot);
                return null;
            }, x -> "sealed at snapshot " + snapshot.takenAt() + ", watermark recorded");

            // verify
            List<CheckpointResult> results = s.stage(Stage.VERIFY, () -> {
                        // the fresh install (a scratch database built by the whole chain) is mostly DDL round trips:
                        // it runs beside the checksums, which keep the server's cores busy
                        CompletableFuture<CheckpointResult> fresh = CompletableFuture.supplyAsync(
                                () -> freshInstallDiff(ctx, staging, o.allowDrift()), FRESH_INSTALL);
                        // statistics of the migrated data, also beside the checkpoints (reads samples, changes no row)
                        CompletableFuture<Void> statistics = CompletableFuture.runAsync(
                                () -> ctx.dialect().cloner().refreshStatistics(staging), STATISTICS);
                        List<CheckpointResult> r;
                        // the checksum sessions come from a pool: a database of thousands of small tables would
                        // otherwise open (and the server fork) a session per table
                        try (com.zaxxer.hikari.HikariDataSource sessions = Connections.pool(staging, "checksum",
                                o.parallelism() + 1)) {
                            r = new java.util.ArrayList<>(Connections.jdbi(staging).withHandle(h ->
                                    new CheckpointRunner(ctx.dialect()).parallel(org.jdbi.v3.core.Jdbi.create(sessions),
                                            o.parallelism()).run(h, snapshot, ctx.plan())));
                        } catch (RuntimeException e) {
                            fresh.handle((x, t) -> null).join(); // its scratch database is dropped before the run goes on
                            statistics.handle((x, t) -> null).join();
                            throw e;
                        }
                        r.add(joined(fresh));
                        try {
                            statistics.join();
                        } catch (CompletionException e) {
                            throw e.getCause() instanceof RuntimeException x ? x : e;
                        }
                        if (o.verifyBackup() && s.backupManifest != null) {
                            r.add(backupRestore(ctx, s.backupManifest, java.nio.file.Path.of(s.backupLocation), snapshot));
                        }
                        return r;
                    },
                    r -> r.stream().filter(CheckpointResult::failed).count() + " of " + r.size() + " checkpoint(s) failed");
            s.checkpoints = results;
            listener.checkpoints(results);
            ledger.recordCheckpoints(ctx.runId(), results.stream().map(r -> new LedgerCheckpoint(ctx.runId(), 0,
                    r.name(), r.kind(), r.status().name(), r.expected(), r.actual(), r.detail())).toList());
            List<CheckpointResult> failed = results.stream().filter(CheckpointResult::failed)
                    .filter(r -> o.verify() || r.kind().equals("row-count") || r.kind().equals("checksum")).toList();
            if (!failed.isEmpty()) {
                throw PromoterException.refused(failed.size() + " checkpoint(s) failed, so live was not switched: "
                        + failed.stream().map(r -> r.name() + " (expected " + r.expected() + ", got " + r.actual() + ")")
                        .toList() + ". Staging " + ctx.stagingName() + " is kept for inspection; live is unchanged");
            }

            if (o.noSwitch()) {
                s.skipStage(Stage.PROMOTE, "not switched (--no-switch); staging " + ctx.stagingName() + " is ready");
                s.freeze.release();
                return s.finish(Outcome.OK, "STAGED", "Staging " + ctx.stagingName() + " is built and verified at "
                        + ctx.target() + "; live is unchanged (--no-switch)");
            }
            awaitPostpone(o, s);
            beforeSwitch.check(server.liveDatabase());
            interruption.enterSwitch();

            // promote
            String archive = Preflight.archiveName(server, clock);
            SwitchResult sw = s.stage(Stage.PROMOTE, () -> ctx.dialect().atomicSwitch().switchOver(
                    new SwitchRequest(server, ctx.stagingName(), archive, snapshot, o.switchTimeout())),
                    r -> "archive " + r.archive() + ", connections blocked " + r.blockedWindowMillis() + " ms; " + r.detail());
            s.archive = sw.archive();
            s.switchWindow = sw.blockedWindowMillis();
            String msg = "Promoted " + server.liveDatabase() + " from " + ctx.liveVersion() + " to " + ctx.target()
                    + "; the old live is kept as " + sw.archive();
            try {
                ledger.setRunField(ctx.runId(), RunField.ARCHIVE_NAME, sw.archive());
                ledger.endPromotion(ctx.runId(), ctx.dbKey(), ctx.product().name(), ctx.target(), ctx.dialect().name().id(), msg);
            } catch (RuntimeException e) {
                // the switch is done: say so first, then what is missing (the next run records it from live's history)
                return s.fail(Outcome.FAILED, msg + ", but the ledger could not record it: " + e.getMessage()
                        + ". The next run on " + server.liveDatabase() + " records it from live's own Liquibase history; "
                        + "or run `promote stamp " + ctx.target() + "` once the ledger is reachable", e);
            }
            s.ledgerClosed = true;
            return s.finish(Outcome.OK, "PROMOTED", msg);
        } finally {
            s.freeze.release();
        }
    }

    private void recordBackup(RunContext ctx, RunState s, java.nio.file.Path dir, BackupManifest m) {
        String where = dir.toAbsolutePath().toString();
        s.backupLocation = where;
        s.backupManifest = m;
        ctx.ledger().setRunField(ctx.runId(), RunField.BACKUP_LOCATION, where);
        listener.message("backup of " + m.tables().size() + " tables in " + where);
    }

    private void migrate(RunContext ctx, ConnectionSpec staging) {
        var chain = new Planner(ctx.product()).install(ctx.target(), ctx.dialect().name());
        try (Connection c = Connections.open(staging)) {
            new LiquibaseMigrator(ctx.dialect()).update(c, chain, ctx.plan().scripts(), new ScriptListener() {
                private int seq;

                @Override
                public void started(Script script) {
                    seq = ctx.ledger().scriptStarted(ctx.runId(), script.treePath());
                    listener.message("running " + script.treePath());
                }

                @Override
                public void finished(Script script, boolean ok) {
                    ctx.ledger().scriptEnded(ctx.runId(), seq, ok ? "OK" : "FAILED");
                }
            });
        } catch (SQLException e) {
            throw Connections.unableToConnect(staging, e);
        }
    }

    /** Builds the target from nothing in a scratch database and compares its schema with staging's. */
    /** The fresh-install diff's result, or its own failure as it was thrown. */
    private static CheckpointResult joined(CompletableFuture<CheckpointResult> fresh) {
        try {
            return fresh.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private CheckpointResult freshInstallDiff(RunContext ctx, ConnectionSpec staging, boolean allowDrift) {
        long t0 = System.nanoTime();
        var server = ctx.server();
        String scratch = Preflight.scratchName(server, "_pf_", ctx.runId());
        server.create(scratch);
        try {
            ConnectionSpec fresh = server.database(scratch);
            var chain = new Planner(ctx.product()).install(ctx.target(), ctx.dialect().name());
            try (Connection c = Connections.open(fresh)) {
                // the whole chain from nothing: a script that only runs on an upgraded database fails here, which is
                // the checkpoint's finding, not the end of the run
                new LiquibaseMigrator(ctx.dialect(), "the scratch database " + scratch + " (a fresh install of "
                        + ctx.target() + " from nothing, to compare staging's schema with)",
                        "it is dropped; staging and production are untouched")
                        .update(c, chain, chain.scripts(), ScriptListener.NONE);
            } catch (SQLException e) {
                throw Connections.unableToConnect(fresh, e);
            } catch (PromoterException e) {
                if (e.outcome() != Outcome.FAILED) {
                    throw e;
                }
                return SchemaDrift.installFailed(ctx.target().toString(), allowDrift, e.getMessage(),
                        (System.nanoTime() - t0) / 1_000_000);
            }
            var introspector = ctx.dialect().introspector();
            var expected = Connections.jdbi(fresh).withHandle(introspector::schema);
            var actual = Connections.jdbi(staging).withHandle(introspector::schema);
            return SchemaDrift.compare(actual, expected, ctx.target().toString(), allowDrift,
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            try {
                server.drop(scratch);
            } catch (RuntimeException e) {
                listener.message("could not drop scratch database " + scratch + ": " + e.getMessage());
            }
        }
    }

    /** Restores the run's backup into a scratch database and compares it with its manifest and the snapshot. */
    private CheckpointResult backupRestore(RunContext ctx, BackupManifest manifest, java.nio.file.Path dir, Snapshot snapshot) {
        var server = ctx.server();
        String scratch = Preflight.scratchName(server, "_pb_", ctx.runId());
        server.create(scratch);
        try {
            long t0 = System.nanoTime();
            ConnectionSpec target = server.database(scratch);
            new Backups(ctx.dialect().backupTool(), clock).restore(dir, target, listener);
            long restoreMs = (System.nanoTime() - t0) / 1_000_000;
            return Connections.jdbi(target).withHandle(h -> dev.promoter.core.checkpoint.BackupRestoreCheck.compare(
                    h, ctx.dialect().introspector(), manifest, snapshot, restoreMs));
        } finally {
            try {
                server.drop(scratch);
            } catch (RuntimeException e) {
                listener.message("could not drop scratch database " + scratch + ": " + e.getMessage());
            }
        }
    }

    /** A leftover staging database from an earlier run of ours is dropped; anything else is refused. */
    private void prepareStaging(RunContext ctx) {
        if (!ctx.server().exists(ctx.stagingName())) {
            return;
        }
        // we hold the lock, so every other run of this database has ended or died: what one of them built is ours
        boolean ours = ctx.ledger().history(ctx.dbKey(), 1000).stream()
                .anyMatch(r -> ctx.stagingName().equals(r.stagingName()) && !r.runId().equals(ctx.runId()));
        if (!ours) {
            throw PromoterException.refused("Staging database " + ctx.stagingName() + " already exists and no run "
                    + "in the ledger created it. Check what it holds, drop it, then re-run (or pass --staging-url)");
        }
        listener.message("dropping staging " + ctx.stagingName() + " left by an earlier run");
        ctx.server().drop(ctx.stagingName());
    }

    private void awaitPostpone(RunOptions o, RunState s) {
        if (o.postponeFile().isEmpty()) {
            return;
        }
        var f = o.postponeFile().get();
        boolean told = false;
        while (java.nio.file.Files.exists(f)) {
            interruption.check("while the switch was postponed");
            if (!told) {
                listener.message("switch postponed while " + f + " exists");
                told = true;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PromoterException.refused("Interrupted while the switch was postponed; live is unchanged");
            }
        }
    }

    private static String holder() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name") + "@" + host + " pid " + ProcessHandle.current().pid();
    }
}
