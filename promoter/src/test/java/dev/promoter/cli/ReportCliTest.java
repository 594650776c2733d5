package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The four reports of real H2 runs through the CLI, and `promote report` rebuilding them from the ledger. */
class ReportCliTest {
    @TempDir
    Path tmp;

    @Test
    void promotionWritesAllFourReportsThatParse() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isZero();

        Path run = ReportFixture.onlyRun(tmp.resolve("reports"));
        assertThat(run.resolve("report.json")).isRegularFile();
        assertThat(run.resolve("report.html")).isRegularFile();
        assertThat(run.resolve("junit.xml")).isRegularFile();
        assertThat(run.resolve("summary.md")).isRegularFile();
        try (var files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "report.json", "report.html", "junit.xml", "summary.md");
        }

        JsonNode j = ReportFixture.json(run.resolve("report.json"));
        assertThat(j.get("runId").asText()).isEqualTo(run.getFileName().toString());
        assertThat(j.get("result").asText()).isEqualTo("PROMOTED");
        assertThat(j.get("fromVersion").asText()).isEqualTo("1.0.0");
        assertThat(j.get("toVersion").asText()).isEqualTo("1.10.0");
        assertThat(j.get("stages").findValuesAsText("stage"))
                .containsExactly("PREFLIGHT", "BACKUP", "CLONE", "MIGRATE", "STAGE", "VERIFY", "PROMOTE");
        int checkpoints = j.get("checkpoints").size();
        assertThat(checkpoints).isGreaterThan(5);
        assertThat(j.get("checkpoints").findValuesAsText("status")).doesNotContain("FAIL");
        assertThat(j.get("tables").size()).isGreaterThan(3);

        Document junit = ReportFixture.xml(run.resolve("junit.xml"));
        Element suite = (Element) junit.getElementsByTagName("testsuite").item(0);
        assertThat(junit.getElementsByTagName("testsuite").getLength()).isEqualTo(1);
        assertThat(junit.getElementsByTagName("testcase").getLength()).isEqualTo(checkpoints);
        assertThat(suite.getAttribute("tests")).isEqualTo(String.valueOf(checkpoints));
        assertThat(suite.getAttribute("failures")).isEqualTo("0");
        assertThat(junit.getElementsByTagName("failure").getLength()).isZero();
        Element first = (Element) junit.getElementsByTagName("testcase").item(0);
        assertThat(first.getAttribute("classname")).isEqualTo(j.at("/checkpoints/0/kind").asText());
        assertThat(first.getAttribute("name")).isEqualTo(j.at("/checkpoints/0/name").asText());
        assertThat(Double.parseDouble(first.getAttribute("time"))).isGreaterThanOrEqualTo(0);

        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("PROMOTED", "1.0.0 -&gt; 1.10.0", "<svg")
                .doesNotContain("<script", "src=\"http", "href=\"http", "<link");
        assertThat(html.split("<rect class=\"bar\"", -1)).hasSize(7 + 1);

        String md = Files.readString(run.resolve("summary.md"));
        assertThat(md).contains("**Result: PROMOTED**", "1.0.0 \\-\\> 1.10.0", "[report.html](report.html)",
                run.resolve("report.html").toAbsolutePath().toString().replace("-", "\\-").replace("_", "\\_"))
                .doesNotContain("Failed checkpoints");
    }

    @Test
    void failingCheckpointIsRefusedAndShownFirstInEveryReport() throws Exception {
        H2Live live = ReportFixture.withFailingCheck(tmp);
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isEqualTo(3);

        Path run = ReportFixture.onlyRun(tmp.resolve("reports"));
        assertFailingCheckReported(run, true);
        JsonNode j = ReportFixture.json(run.resolve("report.json"));
        assertThat(j.get("result").asText()).isEqualTo("REFUSED");
        assertThat(j.get("outcome").asText()).isEqualTo("REFUSED");
    }

    @Test
    void reportCommandRebuildsAPastRunFromTheLedger() throws Exception {
        H2Live live = ReportFixture.withFailingCheck(tmp);
        assertThat(CliRun.run(live.runArgs("--verify")).exit()).isEqualTo(3);
        Path original = ReportFixture.onlyRun(tmp.resolve("reports"));
        String runId = original.getFileName().toString();
        JsonNode before = ReportFixture.json(original.resolve("report.json"));

        Path rebuilt = tmp.resolve("rebuilt");
        CliRun r = CliRun.run("report", runId, "--url", live.url, "--user", "sa", "--report-dir", rebuilt.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains(runId, "REFUSED");

        Path run = rebuilt.resolve(runId);
        assertFailingCheckReported(run, false);
        JsonNode after = ReportFixture.json(run.resolve("report.json"));
        for (String field : List.of("runId", "command", "product", "dialect", "liveDatabase", "fromVersion",
                "toVersion", "result", "outcome", "message", "backupLocation", "stagingDatabase")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
        }
        assertThat(after.get("stages").findValuesAsText("stage")).isEqualTo(before.get("stages").findValuesAsText("stage"));
        assertThat(after.get("stages").findValuesAsText("outcome")).isEqualTo(before.get("stages").findValuesAsText("outcome"));
        assertThat(after.get("checkpoints").findValuesAsText("name")).isEqualTo(before.get("checkpoints").findValuesAsText("name"));
        assertThat(after.get("checkpoints").findValuesAsText("status")).isEqualTo(before.get("checkpoints").findValuesAsText("status"));
        assertThat(after.get("tables").size()).isZero();
        assertThat(after.get("switchWindowMillis").isNull()).isTrue();

        CliRun missing = CliRun.run("report", "no-such-run", "--url", live.url, "--user", "sa", "--report-dir",
                rebuilt.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no-such-run", "promote history");
    }

    /** The bad check is a failure in JSON and JUnit, the first checkpoint row of the HTML, and named in summary.md. */
    static void assertFailingCheckReported(Path run, boolean withTables) throws Exception {
        JsonNode j = ReportFixture.json(run.resolve("report.json"));
        int checkpoints = j.get("checkpoints").size();
        List<String> failed = new ArrayList<>();
        j.get("checkpoints").forEach(c -> {
            if (c.get("status").asText().equals("FAIL")) {
                failed.add(c.get("name").asText());
            }
        });
        assertThat(failed).containsExactly(ReportFixture.BAD_CHECK);
        assertThat(j.get("tables").size() > 0).isEqualTo(withTables);

        Document junit = ReportFixture.xml(run.resolve("junit.xml"));
        assertThat(junit.getElementsByTagName("testcase").getLength()).isEqualTo(checkpoints);
        Element suite = (Element) junit.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        NodeList failures = junit.getElementsByTagName("failure");
        assertThat(failures.getLength()).isEqualTo(1);
        Element failure = (Element) failures.item(0);
        Element testcase = (Element) failure.getParentNode();
        assertThat(testcase.getAttribute("name")).isEqualTo(ReportFixture.BAD_CHECK);
        assertThat(testcase.getAttribute("classname")).isEqualTo("declared");
        assertThat(failure.getAttribute("message")).isEqualTo("expected 999, got 0");

        String html = Files.readString(run.resolve("report.html"));
        String tbody = html.substring(html.indexOf("<tbody>", html.indexOf("id=\"checkpoints\"")));
        String firstRow = tbody.substring(0, tbody.indexOf("</tr>"));
        assertThat(firstRow).contains("class=\"FAIL\"", "impossible: &lt;999&gt; &amp; \"workflows\" *here*", "999");
        assertThat(html).doesNotContain("<999>");

        String md = Files.readString(run.resolve("summary.md"));
        assertThat(md).contains("**Result: REFUSED**", "Failed checkpoints",
                "- FAIL impossible: \\<999\\> & \"workflows\" \\*here\\* (declared): expected 999, got 0");
    }
}
