package dev.promoter.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a run's reports into {@code <report-dir>/<run id>/}. Rendering is kept apart from the data. */
public final class ReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public Path write(RunReport report, Path reportDir) {
        Path dir = reportDir.resolve(report.runId());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), json(report));
        } catch (IOException e) {
            throw PromoterException.failed("Unable to write the report into " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    static String json(RunReport report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }
}
