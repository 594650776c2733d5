package dev.promoter.core.pipeline;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.admin.LiveTarget;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.checkpoint.CheckpointRunner;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.LiveRecord;
import dev.promoter.core.ledger.PromotionLock;
import dev.promoter.core.ledger.RunRecord;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The staging database left by {@code promote --verify --no-switch}: checked again ({@code promote verify})
 * or switched in later ({@code promote switch}), the latter only if live has not changed since the
 * staging's snapshot.
 */
public final class StagedRun {

    private final Dialects dialects;
    private final Clock clock;
    private final RunListener listener;

    public StagedRun(Dialects dialects, Clock clock, RunListener listener) {
        this.dialects = dialects;
        this.clock = clock;
        this.listener = listener;
    }

    private record Found(LiveTarget target, RunRecord run, Snapshot snapshot, LiveRecord live) {
    }

    private Found find(ConnectionSpec spec) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        RunRecord run = t.ledger().history(t.key(), 100).stream().filter(r -> r.command().equals("run")).findFirst()
                .filter(r -> "STAGED".equals(r.outcome()))
                .orElseThrow(() -> PromoterException.refused("No staged run is waiting for " + t.server().liveDatabase()
                        + ": the newest run did not end with a verified staging database. Build one with "
                        + "`promote --verify --no-switch`"));
        if (run.stagingName() == null || !t.server().exists(run.stagingName())) {
            throw PromoterException.refused("Staging database " + run.stagingName() + " of run " + run.runId()
                    + " no longer exists; rebuild it with `promote --verify --no-switch`");
        }
        LiveRecord live = t.ledger().live(t.key()).orElseThrow();
        if (!live.version().toString().equals(run.fromVersion())) {
            throw PromoterException.refused("Live " + t.server().liveDatabase() + " is now at " + live.version()
                    + " but staging " + run.stagingName() + " was built from " + run.fromVersion() + "; rebuild it");
        }
        Snapshot snapshot = t.ledger().snapshot(run.runId()).orElseThrow(() -> PromoterException.refused(
                "The ledger has no snapshot for run " + run.runId() + "; rebuild staging with `promote --verify --no-switch`"));
        return new Found(t, run, snapshot, live);
    }

    /** Runs the checkpoints against the current staging database, without switching. */
    public List<CheckpointResult> verify(ConnectionSpec spec, Path sqlDir) {
        Found f = find(spec);
        MigrationPlan plan = new Planner(SqlTree.load(sqlDir).product(f.run().product()))
                .upgrade(Version.parse(f.run().fromVersion()), Version.parse(f.run().toVersion()), f.target().dialect().name());
        ConnectionSpec staging = f.target().server().database(f.run().stagingName());
        List<CheckpointResult> results = Connections.jdbi(staging).withHandle(h ->
                new CheckpointRunner(f.target().dialect()).run(h, f.snapshot(), plan));
        listener.checkpoints(results);
        return results;
    }

    /** Switches the staged database in, if live is unchanged since its snapshot. */
    public RunReport switchOver(ConnectionSpec spec, Duration timeout, Duration lockTtl) {
        Found f = find(spec);
        var t = f.target();
        String runId = RunIds.next(clock);
        RunState s = new RunState(runId, "switch", clock, listener, new Interruption());
        try (PromotionLock.Lease lease = new PromotionLock(t.ledger()).acquire(t.key(), runId, "promote switch", lockTtl)) {
            t.ledger().startRun(runId, t.key(), "switch", f.run().product(), t.dialect().name().id(),
                    f.run().fromVersion(), f.run().toVersion());
            String lifted = t.dialect().cloner().liftLeftovers(t.server(), timeout);
            if (lifted != null) {
                listener.message(lifted);
            }
            String archive = Preflight.archiveName(t.server(), clock);
            s.begin(Stage.PROMOTE);
            SwitchResult sw = s.inStage(Stage.PROMOTE, () -> t.dialect().atomicSwitch().switchOver(
                    new SwitchRequest(t.server(), f.run().stagingName(), archive, f.snapshot(), timeout)));
            s.endStage(Stage.PROMOTE, "OK", "archive " + sw.archive() + ", connections blocked "
                    + sw.blockedWindowMillis() + " ms; " + sw.detail());
            s.archive = sw.archive();
            s.switchWindow = sw.blockedWindowMillis();
            String msg = "Switched staging " + f.run().stagingName() + " (run " + f.run().runId() + ") in: "
                    + t.server().liveDatabase() + " is now at " + f.run().toVersion() + "; the old live is kept as " + sw.archive();
            t.ledger().endPromotion(runId, t.key(), f.run().product(), Version.parse(f.run().toVersion()),
                    t.dialect().name().id(), msg);
            s.ledgerClosed = true;
            return s.finish(Outcome.OK, "PROMOTED", msg);
        } catch (PromoterException e) {
            t.ledger().endRun(runId, e.outcome() == Outcome.REFUSED ? "REFUSED" : "FAILED", e.getMessage());
            s.ledgerClosed = true;
            return s.fail(e.outcome(), e.getMessage(), e);
        }
    }

    static Map<String, Long> none() {
        return Map.of();
    }
}
