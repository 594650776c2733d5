package dev.promoter.report;

import dev.promoter.core.Outcome;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.ledger.LedgerCheckpoint;
import dev.promoter.core.ledger.RunRecord;
import dev.promoter.core.ledger.StageRecord;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.core.pipeline.StageReport;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A past run's {@link RunReport}, rebuilt from what the ledger keeps. The ledger does not keep everything
 * a live run knows: checkpoint durations read 0, and the switch window, write protection and table counts
 * are absent (null / empty). A run the ledger shows as never ended reads as result {@code UNFINISHED}.
 */
public final class LedgerRunReport {
    private LedgerRunReport() {
    }

    /** The run {@code runId} from {@code ledger}, or empty when the ledger has no such run. */
    public static Optional<RunReport> load(Ledger ledger, String runId, String liveDatabase) {
        return ledger.run(runId).map(run -> of(run, ledger.stages(runId), ledger.checkpoints(runId), liveDatabase));
    }

    public static RunReport of(RunRecord run, List<StageRecord> stages, List<LedgerCheckpoint> checkpoints,
                               String liveDatabase) {
        String result = run.outcome() == null ? "UNFINISHED" : run.outcome();
        List<StageReport> stageReports = stages.stream().flatMap(s -> stage(s.stage())
                .map(st -> new StageReport(st, s.startedAt(), s.endedAt(), s.outcome() == null ? "UNFINISHED"
                        : s.outcome(), s.detail() == null ? "" : s.detail())).stream()).toList();
        List<CheckpointResult> checks = checkpoints.stream().map(c -> new CheckpointResult(c.name(), c.kind(),
                status(c.status()), c.expected(), c.actual(), c.detail() == null ? "" : c.detail(), 0)).toList();
        String message = run.message() == null ? "The ledger shows this run as never ended (it may still be"
                + " running, or its process died); see `promote status`" : run.message();
        return new RunReport(run.runId(), run.command(), run.product(), run.dialect(), liveDatabase,
                run.fromVersion(), run.toVersion(), run.startedAt(), run.endedAt(), outcome(result), result, message,
                stageReports, checks, run.backupLocation(), run.stagingName(), run.archiveName(), null, null, Map.of());
    }

    static Outcome outcome(String result) {
        return switch (result) {
            case "REFUSED" -> Outcome.REFUSED;
            case "BAD_INPUT" -> Outcome.BAD_INPUT;
            case "FAILED", "UNFINISHED" -> Outcome.FAILED;
            default -> Outcome.OK;
        };
    }

    private static Optional<Stage> stage(String id) {
        try {
            return Optional.of(Stage.valueOf(id.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static CheckpointResult.Status status(String s) {
        try {
            return CheckpointResult.Status.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return CheckpointResult.Status.WARN;
        }
    }
}
