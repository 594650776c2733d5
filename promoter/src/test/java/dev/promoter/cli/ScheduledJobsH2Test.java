package dev.promoter.cli;

import dev.promoter.core.Outcome;
import dev.promoter.core.db.Connections;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.service.JobRunner;
import dev.promoter.service.JobsFile;
import dev.promoter.service.RunHistory;
import dev.promoter.service.Scheduler;
import dev.promoter.service.StopSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scheduler on real H2 files: inside the window and quiet it promotes; busy it skips; outside it never starts. */
class ScheduledJobsH2Test {
    private static final Instant SUNDAY_0230 = Instant.parse("2026-11-22T02:30:00Z");
    private static final Instant SUNDAY_0500 = Instant.parse("2026-11-22T05:00:00Z");
    private static final Instant MONDAY_0200 = Instant.parse("2026-11-23T02:00:30Z");

    @TempDir
    Path tmp;

    @Test
    void openWindowAndLowTrafficPromotesThroughTheScheduler() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();
        JobsFile jobs = JobsYaml.load(JobsYaml.write(live, "nightly", "0 2 * * SUN", "2h", JobsYaml.lowTraffic(), ""), Map.of());
        Clock clock = Clock.fixed(SUNDAY_0230, ZoneOffset.UTC);
        RunHistory history = new RunHistory(10);
        StopSignal stop = new StopSignal();
        JobRunner runner = new JobRunner(jobs, Dialects.load(), clock, stop, history, (r, d) -> new dev.promoter.report.ReportWriter(dev.promoter.report.ReportRedactor.of()).write(r, d));
        try (Scheduler scheduler = new Scheduler(jobs, runner, clock, stop, j -> RunListener.NONE)) {
            scheduler.tick();
            scheduler.tick(); // the same window never starts twice, and never two runs on one live
            assertThat(scheduler.awaitIdle(Duration.ofMinutes(3))).isTrue();
        }
        assertThat(history.all()).hasSize(1);
        RunReport r = history.all().get(0).report();
        assertThat(r.result()).as(r.message()).isEqualTo("PROMOTED");
        assertThat(r.toVersion()).isEqualTo("1.10.0");
        Map<String, TableChecksum> after = live.checksums();
        assertThat(after).containsKey("workflow_executions").doesNotContainKey("executions");
        assertThat(after.get("audit_log")).isEqualTo(before.get("audit_log"));
        assertThat(Files.isRegularFile(tmp.resolve("reports").resolve(r.runId()).resolve("report.json"))).isTrue();
    }

    @Test
    void neverStartsOutsideItsWindow() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();
        JobsFile jobs = JobsYaml.load(JobsYaml.write(live, "nightly", "0 2 * * SUN", "2h", JobsYaml.lowTraffic(), ""), Map.of());
        for (Instant outside : List.of(SUNDAY_0500, MONDAY_0200, Instant.parse("2026-11-22T01:59:59Z"))) {
            Clock clock = Clock.fixed(outside, ZoneOffset.UTC);
            String next = outside.isBefore(Instant.parse("2026-11-22T02:00:00Z")) ? "2026-11-22T02:00:00Z" : "2026-11-29T02:00:00Z";
            RunHistory history = new RunHistory(10);
            StopSignal stop = new StopSignal();
            JobRunner runner = new JobRunner(jobs, Dialects.load(), clock, stop, history, (r, d) -> { });
            try (Scheduler scheduler = new Scheduler(jobs, runner, clock, stop, j -> RunListener.NONE)) {
                scheduler.tick();
                assertThat(scheduler.running("nightly")).isFalse();
                assertThatThrownBy(() -> scheduler.runNow(jobs.job("nightly").orElseThrow()))
                        .hasMessageContaining("outside its window").hasMessageContaining(next);
            }
            assertThat(history.all()).isEmpty();
            // even asked directly, the runner refuses without touching anything
            RunReport r = runner.run(jobs.job("nightly").orElseThrow(), RunListener.NONE);
            assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
            assertThat(r.message()).contains("outside its window", "next opens at " + next);
        }
        assertThat(live.checksums()).isEqualTo(before);
        CliRun history = CliRun.run("history", "--url", live.url, "--user", "sa");
        // the ledger holds the install and no run
        assertThat(history.out().lines().skip(1)).as(history.out()).hasSize(1).allMatch(l -> l.contains(" install "));
    }

    @Test
    void busyLiveIsSkippedWhenTheWindowClosesWithTheFiguresRecorded() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        try (Connection c = Connections.open(live.dialect.server(live.spec).live())) {
            c.createStatement().execute("CREATE TABLE busy_load (id INT)");
        }
        Map<String, TableChecksum> before = live.checksums();
        JobsFile jobs = JobsYaml.load(JobsYaml.write(live, "busy", "* * * * *", "3s", JobsYaml.lowTraffic(), ""), Map.of());
        // a clock whose minute starts now: the window "* * * * *" within 3s opens at once and closes 3 s later
        Instant real = Instant.now();
        Instant minute = real.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
        Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(real, minute));
        List<Connection> busy = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Connection c = Connections.open(live.dialect.server(live.spec).live());
                c.setAutoCommit(false);
                c.createStatement().executeUpdate("INSERT INTO busy_load VALUES (" + i + ")");
                busy.add(c);
            }
            RunHistory history = new RunHistory(10);
            JobRunner runner = new JobRunner(jobs, Dialects.load(), clock, new StopSignal(), history,
                    (r, d) -> new dev.promoter.report.ReportWriter(dev.promoter.report.ReportRedactor.of()).write(r, d));
            long t0 = System.nanoTime();
            RunReport r = runner.run(jobs.job("busy").orElseThrow(), RunListener.NONE);
            long took = (System.nanoTime() - t0) / 1_000_000;

            assertThat(r.result()).as(r.message()).isEqualTo("SKIPPED");
            assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
            assertThat(r.message()).contains("3 active session(s)", "active sessions > 1", "window closed");
            assertThat(took).isBetween(2_000L, 20_000L);
            assertThat(history.last("busy")).isPresent();
            String json = Files.readString(tmp.resolve("reports").resolve(r.runId()).resolve("report.json"));
            assertThat(json).contains("SKIPPED", "3 active session(s)");
        } finally {
            for (Connection c : busy) {
                c.rollback();
                c.close();
            }
        }
        assertThat(live.checksums()).isEqualTo(before);
    }
}
