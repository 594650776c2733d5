package dev.promoter.core.ledger;

import java.time.Instant;

/** One run as the ledger holds it. Nullable fields are not known (yet). */
public record RunRecord(String runId, String dbKey, String command, String product, String dialect,
                        String fromVersion, String toVersion, Instant startedAt, Instant endedAt, String outcome,
                        String message, String backupLocation, String stagingName, String archiveName,
                        String reportDir, String watermark) {
}
