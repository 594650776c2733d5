package dev.promoter.cli;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.core.pipeline.StageReport;
import dev.promoter.core.spi.TableRef;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stage lines as {@link ConsoleListener} prints them plus, during the copy, a progress bar (rows of all
 * tables, throughput and ETA; the current table's rows and bytes as its message). Calls come from copy
 * workers on any thread. Used only on a terminal; elsewhere the plain lines are printed alone.
 */
final class ConsoleProgress implements RunListener {
    private final RunListener lines;
    private final ProgressBarConsumer consumer;
    private final Map<TableRef, long[]> tables = new ConcurrentHashMap<>();
    private final AtomicLong estimated = new AtomicLong();
    private ProgressBar bar;

    ConsoleProgress(RunListener lines, ProgressBarConsumer consumer) {
        this.lines = lines;
        this.consumer = consumer;
    }

    /** A bar on the terminal when there is one (standard error of an interactive session); plain lines otherwise. */
    static RunListener forTerminal(RunListener lines) {
        return System.console() == null ? lines : new ConsoleProgress(lines, new ConsoleProgressBarConsumer(System.err));
    }

    @Override
    public void stageStarted(Stage stage) {
        lines.stageStarted(stage);
        if (stage == Stage.CLONE) {
            synchronized (this) {
                bar = new ProgressBarBuilder().setTaskName("copy").setInitialMax(-1).setUnit(" rows", 1).showSpeed()
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setConsumer(consumer)
                        .continuousUpdate().build();
            }
        }
    }

    @Override
    public void stageFinished(StageReport report) {
        if (report.stage() == Stage.CLONE) {
            closeBar();
        }
        lines.stageFinished(report);
    }

    @Override
    public synchronized void tableStarted(TableRef table, long estimatedRows) {
        tables.put(table, new long[2]);
        if (bar != null && estimatedRows > 0) {
            bar.maxHint(estimated.addAndGet(estimatedRows));
        }
    }

    @Override
    public synchronized void rowsCopied(TableRef table, long rows, long bytes) {
        long[] t = tables.computeIfAbsent(table, k -> new long[2]);
        long delta = rows - t[0];
        t[0] = rows;
        t[1] = bytes;
        if (bar != null) {
            bar.stepBy(Math.max(0, delta));
            bar.setExtraMessage(String.format(Locale.ROOT, " %s: %,d rows, %s", table.display(), rows, mib(bytes)));
        }
    }

    @Override
    public synchronized void tableFinished(TableRef table, long rows, long bytes) {
        rowsCopied(table, rows, bytes);
        if (bar == null) {
            lines.tableFinished(table, rows, bytes);
        }
    }

    @Override
    public void message(String text) {
        lines.message(text);
    }

    @Override
    public void checkpoints(List<CheckpointResult> results) {
        lines.checkpoints(results);
    }

    private synchronized void closeBar() {
        if (bar != null) {
            bar.maxHint(bar.getCurrent());
            bar.close();
            bar = null;
            tables.forEach((t, v) -> lines.tableFinished(t, v[0], v[1]));
        }
    }

    static String mib(long bytes) {
        return bytes < 0 ? "? bytes" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
