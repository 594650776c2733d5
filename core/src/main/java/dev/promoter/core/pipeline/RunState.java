package dev.promoter.core.pipeline;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.ledger.RunField;
import dev.promoter.core.spi.WriteFreeze;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The record of one run as it goes: stages in memory and, once the ledger is reachable, in the ledger
 * (stages that ran before it was reachable are written when it becomes so).
 */
final class RunState {
    private static final Logger LOG = LoggerFactory.getLogger(RunState.class);

    private final String runId;
    private final String command;
    private final Clock clock;
    private final RunListener listener;
    private final Interruption interruption;
    private final Instant startedAt;
    private final Map<Stage, StageReport> stages = new LinkedHashMap<>();
    private final Map<Stage, Integer> ledgerSeq = new EnumMap<>(Stage.class);
    private Ledger ledger;
    private String product;
    private String dialect;
    private String liveDatabase;
    private String from;
    private String to;

    String backupLocation;
    dev.promoter.core.backup.BackupManifest backupManifest;
    String staging;
    String archive;
    Long switchWindow;
    String writeProtection = "none";
    Map<String, Long> tables = Map.of();
    List<CheckpointResult> checkpoints = List.of();
    WriteFreeze freeze = WriteFreeze.NONE;
    boolean ledgerClosed;

    RunState(String runId, String command, Clock clock, RunListener listener, Interruption interruption) {
        this.runId = runId;
        this.command = command;
        this.clock = clock;
        this.listener = listener;
        this.interruption = interruption;
        this.startedAt = clock.instant();
    }

    void begin(Stage stage) {
        if (stage != Stage.PROMOTE) {
            interruption.check("before stage " + stage.id());
        }
        stages.put(stage, new StageReport(stage, clock.instant(), null, "RUNNING", ""));
        listener.stageStarted(stage);
        if (ledger != null) {
            ledgerSeq.put(stage, ledger.stageStarted(runId, stage.id()));
        }
    }

    /** Runs work inside a begun stage; a failure ends the stage with the failure's outcome and is rethrown. */
    <T> T inStage(Stage stage, Supplier<T> work) {
        try {
            return work.get();
        } catch (PromoterException e) {
            endStage(stage, e.outcome() == Outcome.REFUSED ? "REFUSED" : "FAILED", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            endStage(stage, "FAILED", String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** Begins, runs and ends a stage. */
    <T> T stage(Stage stage, Supplier<T> work, Function<T, String> detail) {
        begin(stage);
        T result = inStage(stage, work);
        endStage(stage, "OK", detail.apply(result));
        return result;
    }

    void endStage(Stage stage, String outcome, String detail) {
        StageReport r = stages.get(stage);
        if (r == null || r.endedAt() != null) {
            return;
        }
        StageReport done = new StageReport(stage, r.startedAt(), clock.instant(), outcome, detail);
        stages.put(stage, done);
        listener.stageFinished(done);
        Integer seq = ledgerSeq.get(stage);
        if (ledger != null && seq != null) {
            safely(() -> ledger.stageEnded(runId, seq, outcome, detail));
        }
    }

    void skipStage(Stage stage, String detail) {
        begin(stage);
        endStage(stage, "SKIPPED", detail);
    }

    /** The ledger is reachable: open the run there and write the stages so far. */
    void attach(Preflight.Connected c) {
        ledger = c.ledger();
        product = c.product().name();
        dialect = c.dialect().name().id();
        liveDatabase = c.server().liveDatabase();
        ledger.startRun(runId, c.server().ledgerKey(), command, product, dialect, null, null);
        for (StageReport r : stages.values()) {
            int seq = ledger.stageStarted(runId, r.stage().id());
            ledgerSeq.put(r.stage(), seq);
            if (r.endedAt() != null) {
                ledger.stageEnded(runId, seq, r.outcome(), r.detail());
            }
        }
    }

    void versions(RunContext ctx) {
        from = ctx.liveVersion().toString();
        to = ctx.target().toString();
        ledger.setRunField(runId, RunField.FROM_VERSION, from);
        ledger.setRunField(runId, RunField.TO_VERSION, to);
    }

    RunReport finish(Outcome outcome, String result, String message) {
        if (ledger != null && !ledgerClosed) {
            safely(() -> ledger.endRun(runId, result, message));
        }
        return new RunReport(runId, command, product, dialect, liveDatabase, from, to, startedAt, clock.instant(),
                outcome, result, message, List.copyOf(stages.values()), checkpoints, backupLocation, staging, archive,
                switchWindow, writeProtection, tables);
    }

    RunReport fail(Outcome outcome, String message, Exception e) {
        String why = interruption.reason();
        if (why != null && !message.startsWith("Run stopped ")) {
            // the failure is what being cut off looked like from inside: say first why it happened
            message = "Run stopped: " + why + ". What was under way failed as it was cut off: " + message;
        }
        if (outcome == Outcome.FAILED) {
            LOG.debug("run {} failed", runId, e);
        }
        for (StageReport r : List.copyOf(stages.values())) {
            if (r.endedAt() == null) {
                endStage(r.stage(), outcome == Outcome.REFUSED ? "REFUSED" : "FAILED", message);
            }
        }
        try {
            freeze.release();
        } catch (RuntimeException releaseFailed) {
            message = message + ". ALSO: the write freeze on live could not be lifted (" + releaseFailed.getMessage()
                    + "): lift it by hand";
        }
        String result = outcome == Outcome.REFUSED ? "REFUSED" : outcome == Outcome.BAD_INPUT ? "BAD_INPUT" : "FAILED";
        return finish(outcome, result, message);
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("Unable to write to the ledger: {}", e.getMessage());
        }
    }
}
