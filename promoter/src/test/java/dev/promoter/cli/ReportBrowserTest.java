package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** report.html as a real browser (headless Chromium) renders it. */
class ReportBrowserTest {
    private static final Pattern BAR = Pattern.compile("<rect class=\"bar\" data-stage=\"([a-z]+)\"");

    @TempDir
    Path tmp;

    @Test
    void browserShowsTheFailingCheckFirstAndOneTimelineBarPerStage() throws Exception {
        Chromium chromium = Chromium.require();
        H2Live live = ReportFixture.withFailingCheck(tmp);
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        Path run = ReportFixture.onlyRun(tmp.resolve("reports"));
        JsonNode json = ReportFixture.json(run.resolve("report.json"));

        String dom = chromium.dumpDom(run.resolve("report.html"), Files.createDirectories(tmp.resolve("profile")));

        // the checkpoint table's first body row is the failing check (as the browser parsed it)
        int table = dom.indexOf("id=\"checkpoints\"");
        assertThat(table).as("checkpoint table in the rendered DOM").isPositive();
        String body = dom.substring(dom.indexOf("<tbody>", table));
        String firstRow = body.substring(0, body.indexOf("</tr>"));
        assertThat(firstRow).contains("<tr class=\"FAIL\">", ">FAIL<",
                "impossible: &lt;999&gt; &amp; \"workflows\" *here*", ">999<", ">declared<");
        assertThat(dom).doesNotContain("<999>");
        // one bar per stage, in the stages' order
        Matcher m = BAR.matcher(dom.substring(dom.indexOf("<svg")));
        StringBuilder bars = new StringBuilder();
        int count = 0;
        while (m.find()) {
            bars.append(m.group(1)).append(' ');
            count++;
        }
        assertThat(count).isEqualTo(json.get("stages").size());
        StringBuilder stages = new StringBuilder();
        json.get("stages").forEach(s -> stages.append(s.get("stage").asText().toLowerCase()).append(' '));
        assertThat(bars.toString()).isEqualTo(stages.toString());
        assertThat(dom).contains("REFUSED");
    }
}
