package dev.promoter.report;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code summary.md}: a few lines for a pull request or a chat: the result word, versions, duration, the
 * failed checkpoints and where the full HTML report is. Every value is Markdown-escaped, on one line.
 */
public final class MarkdownSummary implements ReportFormat {
    private static final Pattern SPECIAL = Pattern.compile("([\\\\`*_\\[\\]{}()<>#+!|~-])");
    private static final int MAX_LISTED = 20;

    private final Path htmlReport;

    /** {@code htmlReport}: where report.html is, shown as a path and linked relatively. */
    public MarkdownSummary(Path htmlReport) {
        this.htmlReport = htmlReport;
    }

    @Override
    public String fileName() {
        return "summary.md";
    }

    @Override
    public void render(RunReport r, Writer out) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("### Promoter run ").append(md(r.runId())).append(": ").append(md(r.result())).append("\n\n");
        b.append("**Result: ").append(md(r.result())).append("**. ").append(md(r.message())).append("\n\n");
        b.append("- Product: ").append(md(ReportText.orDash(r.product()))).append(" (")
                .append(md(ReportText.orDash(r.dialect()))).append("), live database ")
                .append(md(ReportText.orDash(r.liveDatabase()))).append('\n');
        b.append("- Versions: ").append(md(ReportText.versions(r))).append('\n');
        b.append("- Duration: ").append(md(ReportText.seconds(ReportText.runDuration(r)))).append(", started ")
                .append(md(ReportText.time(r.startedAt()))).append('\n');
        b.append("- Checkpoints: ").append(r.checkpoints().size()).append(", failed ")
                .append(ReportText.count(r, CheckpointResult.Status.FAIL)).append(", warnings ")
                .append(ReportText.count(r, CheckpointResult.Status.WARN)).append('\n');
        if (r.archiveDatabase() != null) {
            b.append("- Archive (old live): ").append(md(r.archiveDatabase())).append('\n');
        }
        if (r.backupLocation() != null) {
            b.append("- Backup: ").append(md(r.backupLocation())).append('\n');
        }
        List<CheckpointResult> failed = ReportText.failed(r);
        if (!failed.isEmpty()) {
            b.append("\n#### Failed checkpoints\n\n");
            for (CheckpointResult c : failed.subList(0, Math.min(MAX_LISTED, failed.size()))) {
                b.append("- FAIL ").append(md(c.name())).append(" (").append(md(c.kind())).append("): expected ")
                        .append(md(c.expected())).append(", got ").append(md(c.actual()));
                if (c.detail() != null && !c.detail().isBlank()) {
                    b.append(". ").append(md(c.detail()));
                }
                b.append('\n');
            }
            if (failed.size() > MAX_LISTED) {
                b.append("- and ").append(failed.size() - MAX_LISTED).append(" more in the full report\n");
            }
        }
        b.append("\nFull report: [report.html](").append(htmlReport.getFileName()).append(") at ")
                .append(md(htmlReport.toAbsolutePath().toString())).append('\n');
        out.write(b.toString());
    }

    /** One line, with Markdown's special characters backslash-escaped. */
    static String md(String s) {
        if (s == null || s.isBlank()) {
            return "-";
        }
        return SPECIAL.matcher(s.replaceAll("\\s+", " ").strip()).replaceAll("\\\\$1");
    }
}
