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
    public synchronized void tableFinished(TableRef table, long rows, long bytes) {
        // the first tables copied are the largest (largest first); past a few hundred lines, every hundredth
        tablesCopied++;
        if (tablesCopied <= COPIED_LINES || tablesCopied % 100 == 0) {
            print(String.format(Locale.ROOT, "    copied %-40s %,12d rows%s", table.display(), rows,
                    tablesCopied > COPIED_LINES ? " (" + tablesCopied + " tables copied)" : ""));
        }
    }

    /** Copied tables are listed one by one up to this many, then every hundredth. */
    static final int COPIED_LINES = 200;
    private int tablesCopied;

    @Override
    public void checkpoints(List<CheckpointResult> results) {
        if (!enabled) {
            return;
        }
        out.println("    checkpoints:");
        // a database of thousands of tables has two passing checks per table: those are counted, not listed
        List<CheckpointResult> perTable = results.stream().filter(ConsoleListener::perTablePass).toList();
        boolean collapse = perTable.size() > PER_TABLE_LINES;
        results.stream().filter(r -> !collapse || !perTablePass(r))
                .sorted((a, b) -> Boolean.compare(b.failed(), a.failed())).forEach(r ->
                out.printf(Locale.ROOT, "      [%s] %-50s expected %s, got %s%s%n", r.status(), r.name(), r.expected(),
                        r.actual(), r.detail().isBlank() || !r.failed() ? "" : " - " + r.detail()));
        if (collapse) {
            long tables = perTable.stream().filter(r -> r.kind().equals("row-count")).count();
            out.printf(Locale.ROOT, "      [PASS] %,d per-table checks (rows carried for %,d tables, contents unchanged for "
                    + "%,d); each is listed in the reports%n", perTable.size(), tables, perTable.size() - tables);
        }
        out.flush();
    }

    /** Passing per-table checks are listed one by one up to this many, then counted. */
    static final int PER_TABLE_LINES = 40;

    private static boolean perTablePass(CheckpointResult r) {
        return r.status() == CheckpointResult.Status.PASS && (r.kind().equals("row-count") || r.kind().equals("checksum"));
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
