package dev.promoter.report;

import dev.promoter.core.Outcome;
import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.core.pipeline.StageReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The renderers on hostile text: markup, entities, quotes, control characters, non-ASCII, passwords. */
class ReportRenderingTest {
    private static final String HOSTILE = "</td><script>alert('x')</script> & \"q\" \u0001 Größe ✓ `tick` | *b*\nline2";
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");

    @TempDir
    Path tmp;

    static RunReport report(String message) {
        List<StageReport> stages = List.of(
                new StageReport(Stage.PREFLIGHT, T0, T0.plusMillis(300), "OK", HOSTILE),
                new StageReport(Stage.BACKUP, T0.plusMillis(300), T0.plusMillis(300), "SKIPPED", "skipped"),
                new StageReport(Stage.CLONE, T0.plusMillis(300), T0.plusMillis(2300), "OK", "2 tables"),
                new StageReport(Stage.VERIFY, T0.plusMillis(2300), T0.plusMillis(2500), "REFUSED", "1 failed"));
        List<CheckpointResult> checks = List.of(
                CheckpointResult.pass("rows of \"a\" carried", "row-count", "3", "3", 4),
                new CheckpointResult("warned", "new-table", CheckpointResult.Status.WARN, "declared", "undeclared", "d", 0),
                CheckpointResult.fail(HOSTILE, "declared", "<1>", "&2", HOSTILE, 1500));
        return new RunReport("20250102030405-abcd", "run", "shop", "h2", "shop_db", "1.0.0", "1.1.0", T0,
                T0.plusMillis(2500), Outcome.REFUSED, "REFUSED", message, stages, checks, "/b", "shop_staging", null,
                null, "none", Map.of("t<1>", 5L));
    }

    static String render(ReportFormat f, RunReport r) throws Exception {
        StringWriter w = new StringWriter();
        f.render(r, w);
        return w.toString();
    }

    static Document xml(String text) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void htmlEscapesEverythingAndListsFailuresFirst() throws Exception {
        String html = render(new HtmlReport(), report(HOSTILE));
        assertThat(html).doesNotContain("<script", "</td><script").contains("&lt;script&gt;", "Größe ✓", "&amp;2");
        Document d = xml(html); // well-formed: XMLStreamWriter wrote it
        Element firstRow = (Element) ((Element) d.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr").item(0);
        assertThat(firstRow.getAttribute("class")).isEqualTo("FAIL");
        assertThat(firstRow.getTextContent()).contains("alert('x')", "\uFFFD");
        Element secondRow = (Element) ((Element) d.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr").item(1);
        assertThat(secondRow.getAttribute("class")).isEqualTo("WARN");
        assertThat(d.getElementsByTagName("rect").getLength()).isEqualTo(4);
        Element clone = (Element) d.getElementsByTagName("rect").item(2);
        assertThat(clone.getAttribute("data-stage")).isEqualTo("clone");
        // placed by start and duration: clone starts at 300/2500 of the plot, lasts 2000/2500 of it
        assertThat(Double.parseDouble(clone.getAttribute("x"))).isCloseTo(110 + 760 * 0.12, org.assertj.core.data.Offset.offset(0.2));
        assertThat(Double.parseDouble(clone.getAttribute("width"))).isCloseTo(760 * 0.8, org.assertj.core.data.Offset.offset(0.2));
        assertThat(clone.getAttribute("fill")).isEqualTo(HtmlTimeline.colour("OK"));
        assertThat(((Element) d.getElementsByTagName("rect").item(3)).getAttribute("fill")).isEqualTo(HtmlTimeline.colour("REFUSED"));
    }

    @Test
    void junitIsWellFormedWithOneFailure() throws Exception {
        Document d = xml(render(new JUnitReport(), report(HOSTILE)));
        assertThat(d.getElementsByTagName("testcase").getLength()).isEqualTo(3);
        assertThat(d.getElementsByTagName("failure").getLength()).isEqualTo(1);
        Element failure = (Element) d.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("expected <1>, got &2");
        assertThat(failure.getTextContent()).contains("<script>", "Größe");
        Element failed = (Element) failure.getParentNode();
        assertThat(failed.getAttribute("time")).isEqualTo("1.500");
        assertThat(failed.getAttribute("classname")).isEqualTo("declared");
        assertThat(d.getElementsByTagName("error").getLength()).isZero();
    }

    @Test
    void junitShowsARunThatFailedBeforeAnyCheckpointAsAnError() throws Exception {
        RunReport r = report("Cross-dialect run refused");
        RunReport early = new RunReport(r.runId(), "run", null, null, null, null, null, T0, T0.plusMillis(5),
                Outcome.REFUSED, "REFUSED", "Cross-dialect run refused", r.stages().subList(0, 1), List.of(), null,
                null, null, null, null, Map.of());
        Document d = xml(render(new JUnitReport(), early));
        assertThat(d.getElementsByTagName("testcase").getLength()).isEqualTo(1);
        assertThat(((Element) d.getElementsByTagName("error").item(0)).getAttribute("message"))
                .isEqualTo("REFUSED: Cross-dialect run refused");
        assertThat(render(new HtmlReport(), early)).contains("No checkpoints ran");
        assertThat(render(new MarkdownSummary(Path.of("report.html")), early)).contains("Versions: \\- \\-\\> \\-");
    }

    @Test
    void markdownIsOneLinePerValueAndEscaped() throws Exception {
        String md = render(new MarkdownSummary(tmp.resolve("report.html")), report("done"));
        assertThat(md).contains("**Result: REFUSED**", "#### Failed checkpoints",
                "\\<script\\>alert\\('x'\\)\\</script\\>", "\\`tick\\` \\| \\*b\\* line2", "expected \\<1\\>, got &2")
                .doesNotContain("<script>", "\nline2", "FAIL warned");
    }

    @Test
    void writerRedactsUrlPasswordsAndTheRunsSecret() throws Exception {
        String msg = "With S3cr3t-Env, unable to connect to jdbc:postgresql://u:Url-Pass-1@h/db?password=Url-Pass-2";
        ReportRedactor redactor = ReportRedactor.of(new ConnectionSpec("jdbc:h2:file:/x", "sa", Secret.of("S3cr3t-Env")));
        Path dir = new ReportWriter(redactor).write(report(msg), tmp);
        try (var files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(4);
            for (Path f : all) {
                assertThat(Files.readString(f)).as("%s", f).doesNotContain("Url-Pass-1", "Url-Pass-2", "S3cr3t-Env");
            }
        }
        assertThat(Files.readString(dir.resolve("report.json"))).contains("password=***", "u:***@", "With ********,");
        // a trivial password does not blank out ordinary words
        assertThat(ReportRedactor.of(Secret.of("sa")).text("sa and salt")).isEqualTo("sa and salt");
    }
}
