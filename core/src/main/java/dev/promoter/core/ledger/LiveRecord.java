package dev.promoter.core.ledger;

import dev.promoter.core.version.Version;

import java.time.Instant;

/** What the ledger says about a live database: its product, version and dialect. */
public record LiveRecord(String dbKey, String product, Version version, String dialect, Instant updatedAt,
                         String updatedBy) {
}
