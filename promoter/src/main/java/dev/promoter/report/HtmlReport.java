package dev.promoter.report;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.RunReport;

import javax.xml.stream.XMLStreamException;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page a DBA can read (no scripts, no external files): the run's
 * summary, a timeline of its stages ({@link HtmlTimeline}) and the checkpoints, failures first. Written
 * with the JDK's {@link javax.xml.stream.XMLStreamWriter}, which escapes every text and attribute value.
 */
public final class HtmlReport implements ReportFormat {
    private static final String CSS = String.join("\n",
            "body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }",
            "h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }",
            "table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 4px 8px;"
                    + " text-align: left; vertical-align: top; }",
            "th { background: #f3f3f3; } table.summary th { width: 11em; }",
            "td.v { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word;"
                    + " max-width: 28em; }",
            "td.num { text-align: right; font-family: ui-monospace, monospace; }",
            ".status { font-weight: bold; } tr.FAIL td { background: #fdecea; } tr.WARN td { background: #fff8e1; }",
            ".result { display: inline-block; padding: 2px 10px; border-radius: 3px; color: #fff; font-weight: bold; }",
            ".ok { background: #2e7d32; } .bad { background: #c62828; } .refused { background: #e65100; }",
            "svg.timeline text { font-size: 12px; } svg.timeline .tick { fill: #666; }",
            "svg.timeline .label.inside { fill: #fff; }");

    @Override
    public String fileName() {
        return "report.html";
    }

    @Override
    public void render(RunReport r, Writer out) throws IOException {
        try {
            write(r, Xml.on(out));
        } catch (XMLStreamException e) {
            throw new IOException("Unable to write report.html of run " + r.runId() + ": " + e.getMessage(), e);
        }
    }

    private static void write(RunReport r, Xml x) throws XMLStreamException {
        String title = "Promoter run " + r.runId() + ": " + r.result();
        x.raw().writeDTD("<!DOCTYPE html>\n");
        x.open("html").attr("lang", "en");
        x.open("head");
        x.empty("meta").attr("charset", "utf-8");
        x.element("title", title);
        x.element("style", CSS);
        x.close();
        x.open("body");
        x.element("h1", "Promoter run " + r.runId());
        summary(x, r);
        x.element("h2", "Timeline");
        HtmlTimeline.write(x, r);
        x.element("h2", "Checkpoints (" + r.checkpoints().size() + ": " + ReportText.count(r, CheckpointResult.Status.FAIL)
                + " failed, " + ReportText.count(r, CheckpointResult.Status.WARN) + " warnings), failures first");
        checkpoints(x, r);
        if (!r.tables().isEmpty()) {
            x.element("h2", "Tables at the snapshot (" + r.tables().size() + ")");
            tables(x, r.tables());
        }
        x.close().close();
        x.finish();
    }

    private static void summary(Xml x, RunReport r) throws XMLStreamException {
        x.open("table").attr("class", "summary").attr("id", "summary");
        row(x, "Product", r.product());
        row(x, "Live database", r.liveDatabase());
        row(x, "Versions", ReportText.versions(r));
        row(x, "Dialect", r.dialect());
        x.open("tr").element("th", "Result").open("td");
        x.open("span").attr("class", "result " + resultClass(r.result())).text(r.result()).close();
        x.close().close();
        row(x, "Message", r.message());
        row(x, "Command", r.command());
        row(x, "Started", ReportText.time(r.startedAt()));
        row(x, "Ended", ReportText.time(r.endedAt()));
        row(x, "Duration", ReportText.seconds(ReportText.runDuration(r)));
        row(x, "Backup", r.backupLocation());
        row(x, "Staging database", r.stagingDatabase());
        row(x, "Archive (old live)", r.archiveDatabase());
        row(x, "Switch window", r.switchWindowMillis() == null ? null
                : r.switchWindowMillis() + " ms (new connections refused)");
        row(x, "Write protection", r.writeProtection());
        x.close();
    }

    private static void checkpoints(Xml x, RunReport r) throws XMLStreamException {
        x.open("table").attr("class", "checkpoints").attr("id", "checkpoints");
        x.open("thead").open("tr");
        for (String h : new String[] {"Status", "Name", "Kind", "Expected", "Actual", "Detail", "ms"}) {
            x.element("th", h);
        }
        x.close().close();
        x.open("tbody");
        for (CheckpointResult c : ReportText.failuresFirst(r.checkpoints())) {
            x.open("tr").attr("class", c.status().name());
            x.open("td").attr("class", "status").text(c.status()).close();
            x.element("td", c.name()).element("td", c.kind());
            x.open("td").attr("class", "v").text(c.expected()).close();
            x.open("td").attr("class", "v").text(c.actual()).close();
            x.open("td").attr("class", "v").text(c.detail()).close();
            x.open("td").attr("class", "num").text(c.millis()).close();
            x.close();
        }
        if (r.checkpoints().isEmpty()) {
            x.open("tr").open("td").attr("colspan", 7).text("No checkpoints ran (the run ended before verify).")
                    .close().close();
        }
        x.close().close();
    }

    private static void tables(Xml x, Map<String, Long> tables) throws XMLStreamException {
        x.open("details").element("summary", "Row counts of every live table at the snapshot");
        x.open("table").attr("class", "tables").open("thead").open("tr").element("th", "Table").element("th", "Rows")
                .close().close().open("tbody");
        for (var e : new java.util.TreeMap<>(tables).entrySet()) {
            x.open("tr").element("td", e.getKey()).open("td").attr("class", "num").text(e.getValue()).close().close();
        }
        x.close().close().close();
    }

    private static void row(Xml x, String label, Object value) throws XMLStreamException {
        x.open("tr").element("th", label).element("td", ReportText.orDash(value)).close();
    }

    private static String resultClass(String result) {
        return switch (result == null ? "" : result.toUpperCase(Locale.ROOT)) {
            case "PROMOTED", "NOTHING_TO_DO", "STAGED", "INSTALLED" -> "ok";
            case "REFUSED" -> "refused";
            default -> "bad";
        };
    }
}
