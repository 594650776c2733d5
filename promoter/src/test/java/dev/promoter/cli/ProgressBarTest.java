package dev.promoter.cli;

import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.core.pipeline.StageReport;
import dev.promoter.core.spi.TableRef;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy progress bar, and the plain lines a non-terminal (and --quiet) gets instead. */
class ProgressBarTest {
    @TempDir
    Path tmp;

    @Test
    void copyShowsABarWithRowsThroughputAndTheCurrentTable() throws Exception {
        List<String> frames = new CopyOnWriteArrayList<>();
        StringWriter lines = new StringWriter();
        ConsoleProgress p = new ConsoleProgress(new ConsoleListener(new PrintWriter(lines, true), true),
                new DelegatingProgressBarConsumer(frames::add, 120));
        TableRef a = new TableRef("PUBLIC", "audit_log");
        TableRef b = new TableRef("PUBLIC", "kv_pair");
        p.stageStarted(Stage.CLONE);
        p.tableStarted(a, 3000);
        p.tableStarted(b, 1000);
        p.rowsCopied(a, 1500, 150_000);
        Thread.sleep(400);
        p.tableFinished(a, 3000, 300_000);
        p.tableFinished(b, 1000, 50_000);
        Thread.sleep(400);
        p.stageFinished(new StageReport(Stage.CLONE, Instant.now(), Instant.now(), "OK", "2 table(s)"));

        String last = frames.get(frames.size() - 1);
        assertThat(last).contains("copy", "100%", "4000/4000", "rows/s");
        assertThat(frames).anyMatch(f -> f.contains("audit_log: 1,500 rows"));
        // per-table lines once the bar is done
        assertThat(lines.toString()).contains("==> clone", "copied PUBLIC.audit_log")
                .contains("3,000 rows", "1,000 rows");
    }

    @Test
    void withoutATerminalTheCliPrintsPlainStageLinesAndQuietPrintsOnlyTheResult() {
        assertThat(System.console()).isNull(); // tests run without a terminal: the fallback is what we see
        RunListener plain = ConsoleProgress.forTerminal(RunListener.NONE);
        assertThat(plain).isSameAs(RunListener.NONE);

        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun r = CliRun.run(live.runArgs("--verify", "--to", "1.1.0"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("==> clone", "copied ", "rows", "Result: PROMOTED").doesNotContain("\r");

        CliRun q = CliRun.run(live.runArgs("--verify", "--quiet", "--to", "1.2.0"));
        assertThat(q.exit()).as(q.all()).isZero();
        assertThat(q.out().strip()).startsWith("Result: PROMOTED").doesNotContain("==>");
    }
}
