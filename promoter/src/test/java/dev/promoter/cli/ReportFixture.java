package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Real H2 runs for the report tests, and readers for what they wrote. */
final class ReportFixture {
    /** A declared check that cannot pass; its name carries characters HTML, XML and Markdown must escape. */
    static final String BAD_CHECK = "impossible: <999> & \"workflows\" *here*";

    private ReportFixture() {
    }

    /** Live at 1.0.0 with sample rows, whose tree's 1.10.0 declares a check that fails. */
    static H2Live withFailingCheck(Path dir) throws IOException {
        H2Live live = new H2Live(dir).installAt("1.0.0");
        Path yaml = live.sql.resolve("storage-server/1.10.0/checkpoints.yaml");
        Files.writeString(yaml, Files.readString(yaml) + "  - name: '" + BAD_CHECK.replace("'", "''") + "'\n"
                + "    sql: SELECT count(*) FROM workflow_executions WHERE 1 = 0\n"
                + "    expect: 999\n");
        return live;
    }

    /** The one run folder under {@code reports}. */
    static Path onlyRun(Path reports) throws IOException {
        try (Stream<Path> s = Files.list(reports)) {
            List<Path> runs = s.filter(Files::isDirectory).toList();
            if (runs.size() != 1) {
                throw new AssertionError("expected one run folder in " + reports + ", found " + runs);
            }
            return runs.get(0);
        }
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    static Document xml(Path file) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(file + " is not well-formed XML: " + e.getMessage(), e);
        }
    }
}
