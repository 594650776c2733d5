package dev.promoter.report;

import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a run's reports into {@code <report-dir>/<run id>/}: report.json, report.html, junit.xml and
 * summary.md. Each file is written beside its final name and moved into place, so a reader never sees half
 * a report. Every text of the report first passes through {@link ReportRedactor}.
 */
public final class ReportWriter {
    private final ReportRedactor redactor;

    public ReportWriter(ReportRedactor redactor) {
        this.redactor = redactor;
    }

    public Path write(RunReport report, Path reportDir) {
        Path dir = reportDir.resolve(report.runId());
        RunReport safe = redactor.apply(report);
        for (ReportFormat f : formats(dir)) {
            Path target = dir.resolve(f.fileName());
            try {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "." + f.fileName(), ".tmp");
                try {
                    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                        f.render(safe, w);
                    }
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw PromoterException.failed("Unable to write the report " + target + ": " + e
                        + ". Check that --report-dir " + reportDir + " is writable", e);
            }
        }
        return dir;
    }

    static List<ReportFormat> formats(Path dir) {
        HtmlReport html = new HtmlReport();
        return List.of(new JsonReport(), html, new JUnitReport(), new MarkdownSummary(dir.resolve(html.fileName())));
    }
}
