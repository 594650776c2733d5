package dev.promoter.report;

import dev.promoter.core.Outcome;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunReport;

import javax.xml.stream.XMLStreamException;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code junit.xml}: the run as one {@code <testsuite>} and each checkpoint as a {@code <testcase>}
 * (classname = kind, name = checkpoint name, time in seconds), in the JUnit XML that Jenkins and GitLab
 * read. A failed checkpoint has a {@code <failure>} whose message is "expected X, got Y" and whose text is
 * the detail; a warning passes with its detail in {@code <system-out>}. A run that failed or was refused
 * without any failed checkpoint (say, in preflight) gets one extra test case, classname {@code run}, with
 * an {@code <error>}, so that CI never shows a broken run as green.
 */
public final class JUnitReport implements ReportFormat {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @Override
    public String fileName() {
        return "junit.xml";
    }

    @Override
    public void render(RunReport r, Writer out) throws IOException {
        try {
            write(r, Xml.on(out));
        } catch (XMLStreamException e) {
            throw new IOException("Unable to write junit.xml of run " + r.runId() + ": " + e.getMessage(), e);
        }
    }

    private static void write(RunReport r, Xml x) throws XMLStreamException {
        long failures = ReportText.count(r, CheckpointResult.Status.FAIL);
        boolean runError = r.outcome() != Outcome.OK && failures == 0;
        int tests = r.checkpoints().size() + (runError ? 1 : 0);
        String time = secs(ReportText.runDuration(r) == null ? 0 : ReportText.runDuration(r).toMillis());
        x.raw().writeStartDocument("UTF-8", "1.0");
        x.open("testsuites").attr("name", "promoter").attr("tests", tests).attr("failures", failures)
                .attr("errors", runError ? 1 : 0).attr("time", time);
        x.open("testsuite").attr("name", suiteName(r)).attr("tests", tests).attr("failures", failures)
                .attr("errors", runError ? 1 : 0).attr("skipped", 0).attr("time", time)
                .attr("timestamp", TIMESTAMP.format(r.startedAt()));
        x.open("properties");
        property(x, "run.id", r.runId());
        property(x, "product", r.product());
        property(x, "dialect", r.dialect());
        property(x, "live.database", r.liveDatabase());
        property(x, "from.version", r.fromVersion());
        property(x, "to.version", r.toVersion());
        property(x, "result", r.result());
        x.close();
        for (CheckpointResult c : r.checkpoints()) {
            x.open("testcase").attr("classname", c.kind()).attr("name", c.name()).attr("time", secs(c.millis()));
            if (c.failed()) {
                x.open("failure").attr("message", "expected " + c.expected() + ", got " + c.actual())
                        .attr("type", c.kind()).text(c.detail()).close();
            } else if (c.status() == CheckpointResult.Status.WARN) {
                x.element("system-out", "WARN: expected " + c.expected() + ", got " + c.actual() + ". " + c.detail());
            }
            x.close();
        }
        if (runError) {
            x.open("testcase").attr("classname", "run").attr("name", "run " + r.runId()).attr("time", time);
            x.open("error").attr("message", r.result() + ": " + ReportText.orDash(r.message()))
                    .attr("type", r.result()).text(r.message()).close();
            x.close();
        }
        x.element("system-out", r.result() + ": " + ReportText.orDash(r.message()));
        x.close().close();
        x.finish();
    }

    private static void property(Xml x, String name, String value) throws XMLStreamException {
        x.empty("property").attr("name", name).attr("value", ReportText.orDash(value));
    }

    private static String suiteName(RunReport r) {
        return "promoter " + ReportText.orDash(r.product()) + " " + ReportText.versions(r) + " (" + r.runId() + ")";
    }

    private static String secs(long millis) {
        return String.format(Locale.ROOT, "%.3f", Duration.ofMillis(millis).toMillis() / 1000.0);
    }
}
