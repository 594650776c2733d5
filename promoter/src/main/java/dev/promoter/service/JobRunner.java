package dev.promoter.service;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.BeforeSwitch;
import dev.promoter.core.pipeline.Interruption;
import dev.promoter.core.pipeline.Pipeline;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.RunOptions;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.TrafficProbe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Runs one job: inside its window only, after the traffic gate, through the ordinary pipeline, with
 * the window, a postponement, the traffic gate and shutdown checked again just before the switch.
 * A run the gate keeps from starting is recorded as SKIPPED with the figures measured.
 */
public final class JobRunner {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private final JobsFile jobs;
    private final Dialects dialects;
    private final Clock clock;
    private final StopSignal stop;
    private final RunHistory history;
    private final ReportSink reports;
    private final Set<String> postponed = ConcurrentHashMap.newKeySet();

    /** Where finished reports go (report.json and, where built, report.html under {@code <dir>/<run id>/}). */
    @FunctionalInterface
    public interface ReportSink {
        void write(RunReport report, java.nio.file.Path reportDir);
    }

    public JobRunner(JobsFile jobs, Dialects dialects, Clock clock, StopSignal stop, RunHistory history, ReportSink reports) {
        this.jobs = jobs;
        this.dialects = dialects;
        this.clock = clock;
        this.stop = stop;
        this.history = history;
        this.reports = reports;
    }

    public void postpone(String job) {
        postponed.add(job);
    }

    public void resume(String job) {
        postponed.remove(job);
    }

    public boolean postponed(String job) {
        return postponed.contains(job);
    }

    /** Runs the job now if its window is open; returns the report (also recorded and written). */
    public RunReport run(Job job, RunListener listener) {
        Instant started = clock.instant();
        Consumer<String> log = text -> listener.message("[" + job.name() + "] " + text);
        RunReport report;
        try {
            report = attempt(job, listener, log, started);
        } catch (PromoterException e) {
            report = synthetic(job, started, e.outcome(), e.outcome() == Outcome.REFUSED ? "REFUSED" : "FAILED", e.getMessage());
        } catch (RuntimeException e) {
            report = synthetic(job, started, Outcome.FAILED, "FAILED", "Unexpected failure of job " + job.name() + ": " + e);
        }
        try {
            reports.write(report, jobs.reportDir());
        } catch (RuntimeException e) {
            log.accept("could not write the report: " + e.getMessage());
        }
        history.add(job.name(), report);
        log.accept(report.result() + ": " + report.message());
        return report;
    }

    private RunReport attempt(Job job, RunListener listener, Consumer<String> log, Instant started) {
        Optional<Instant> closes = job.window().closesAt(started);
        if (closes.isEmpty()) {
            String next = job.window().nextOpen(started).map(Instant::toString).orElse("never");
            throw PromoterException.refused("Job " + job.name() + " is outside its window " + job.window()
                    + ": not started. The window next opens at " + next);
        }
        Instant closesAt = closes.get();
        Dialect dialect = dialects.detect(job.live());
        TrafficProbe probe = job.traffic().enabled() ? dialect.trafficProbe() : null;
        TrafficGate gate = new TrafficGate(clock, stop);
        TrafficGate.Verdict start = gate.await(job, probe, closesAt, log);
        if (!start.quiet()) {
            return synthetic(job, started, Outcome.REFUSED, "SKIPPED", "Job " + job.name() + " skipped: traffic on live "
                    + "stayed above its limits until the window closed at " + closesAt + " (" + String.join(", ",
                    start.exceeded()) + "). Last figures: " + start.figures() + "; " + start.samples() + " sample(s)");
        }
        Interruption interruption = stop.interruption();
        BeforeSwitch beforeSwitch = live -> {
            awaitResume(job, closesAt, log);
            if (!clock.instant().isBefore(closesAt)) {
                throw PromoterException.refused("Job " + job.name() + ": its window closed at " + closesAt
                        + " before the switch; live " + live + " is unchanged and staging is kept");
            }
            TrafficGate.Verdict again = gate.await(job, probe, closesAt, log);
            if (!again.quiet()) {
                throw PromoterException.refused("Job " + job.name() + ": traffic on live " + live + " stayed above its "
                        + "limits until the window closed (" + String.join(", ", again.exceeded()) + "; "
                        + again.figures() + "); not switched, live is unchanged");
            }
        };
        try {
            // the pipeline checks the interruption at each stage start and last, just before the switch
            return new Pipeline(dialects, clock, listener, beforeSwitch, interruption).run(options(job));
        } finally {
            stop.ended(interruption);
        }
    }

    private void awaitResume(Job job, Instant closesAt, Consumer<String> log) {
        boolean told = false;
        while (postponed.contains(job.name())) {
            if (!told) {
                log.accept("switch postponed (POST /api/jobs/" + job.name() + "/resume to go on)");
                told = true;
            }
            if (!clock.instant().isBefore(closesAt)) {
                throw PromoterException.refused("Job " + job.name() + ": the switch was postponed until its window closed"
                        + " at " + closesAt + "; live is unchanged");
            }
            if (stop.sleep(250)) {
                stop.check("while the switch was postponed");
            }
        }
    }

    private RunOptions options(Job job) {
        int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
        return new RunOptions(job.live(), Optional.empty(), job.sql(), job.product(), job.to(), Optional.empty(),
                jobs.backupDir(), job.verify(), job.noSwitch(), !job.allowWrites(), job.skipBackup(), workers,
                Duration.ofSeconds(300), Duration.ofSeconds(60), Optional.empty(), job.allowDrift(),
                dev.promoter.core.pipeline.SessionLimits.NONE, null, false);  // the job's own traffic gate has already sampled live
    }

    private RunReport synthetic(Job job, Instant started, Outcome outcome, String result, String message) {
        String runId = STAMP.format(started) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        return new RunReport(runId, "serve " + job.name(), job.product().orElse(null), null, job.liveKey(), null,
                job.to().map(Object::toString).orElse(null), started, clock.instant(), outcome, result, message,
                List.of(), List.of(), null, null, null, null, "none", Map.of());
    }
}
