package dev.promoter.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.io.Writer;

/**
 * {@code report.json}: the {@link RunReport} record as Jackson writes it (field names are the record's
 * component names and are kept stable; see the README, "Report files"). Times are ISO-8601 instants.
 */
public final class JsonReport implements ReportFormat {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String fileName() {
        return "report.json";
    }

    @Override
    public void render(RunReport report, Writer out) throws IOException {
        JSON.writeValue(out, report);
    }

    /** The report as one JSON string (for {@code --json}). */
    public static String json(RunReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unable to write run " + report.runId() + " as JSON: " + e.getMessage(), e);
        }
    }
}
