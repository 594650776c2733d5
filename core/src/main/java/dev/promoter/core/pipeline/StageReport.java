package dev.promoter.core.pipeline;

import java.time.Duration;
import java.time.Instant;

/** A stage as it ran: when, how it ended, and what it did. */
public record StageReport(Stage stage, Instant startedAt, Instant endedAt, String outcome, String detail) {
    public Duration duration() {
        return endedAt == null ? Duration.ZERO : Duration.between(startedAt, endedAt);
    }
}
