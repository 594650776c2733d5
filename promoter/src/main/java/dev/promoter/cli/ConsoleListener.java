package dev.promoter.cli;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.core.pipeline.StageReport;
import dev.promoter.core.spi.TableRef;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints a run for a person at a terminal: each stage with its duration, checkpoints, where the reports are. */
final class ConsoleListener implements RunListener {
    private final PrintWriter out;
    private final boolean enabled;

    ConsoleListener(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    @Override
    public void stageStarted(Stage stage) {
        print(String.format(Locale.ROOT, "==> %-9s ...", stage.id()));
    }

    @Override
    public void stageFinished(StageReport r) {
        print(String.format(Locale.ROOT, "    %-9s %-8s %7.2f s  %s", r.stage().id(), r.outcome(),
                r.duration().toMillis() / 1000.0, r.detail()));
    }

    @Override
    public void message(String text) {
        print("    " + text);
    }

    @Override
    public void tableFinished(TableRef table, long rows, long bytes) {
        print(String.format(Locale.ROOT, "    copied %-40s %,12d rows", table.display(), rows));
    }

    @Override
    public void checkpoints(List<CheckpointResult> results) {
        if (!enabled) {
            return;
        }
        out.println("    checkpoints:");
        results.stream().sorted((a, b) -> Boolean.compare(b.failed(), a.failed())).forEach(r ->
                out.printf(Locale.ROOT, "      [%s] %-50s expected %s, got %s%s%n", r.status(), r.name(), r.expected(),
                        r.actual(), r.detail().isBlank() || !r.failed() ? "" : " - " + r.detail()));
        out.flush();
    }

    void summary(RunReport r, Path reportFolder) {
        if (!enabled) {
            return;
        }
        out.println();
        out.println("Result: " + r.result() + " - " + r.message());
        if (r.fromVersion() != null) {
            out.println("Live " + r.liveDatabase() + ": " + r.fromVersion() + " -> "
                    + ("PROMOTED".equals(r.result()) ? r.toVersion() : r.fromVersion() + " (unchanged)"));
        }
        if (r.switchWindowMillis() != null) {
            out.println("Switch window: " + r.switchWindowMillis() + " ms; archive: " + r.archiveDatabase());
        }
        out.println("Reports: " + reportFolder.toAbsolutePath());
        out.flush();
    }

    private void print(String line) {
        if (enabled) {
            out.println(line);
            out.flush();
        }
    }
}
