package dev.promoter.report;

import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.io.Writer;

/** One way of showing a run: renders a {@link RunReport} into one file of the run's report folder. */
public interface ReportFormat {
    /** The file this format writes, such as {@code report.html}. */
    String fileName();

    /** Writes the report; never closes {@code out}. */
    void render(RunReport report, Writer out) throws IOException;
}
