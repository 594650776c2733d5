package dev.promoter.core.ledger;

import java.time.Instant;

public record StageRecord(String runId, int seq, String stage, Instant startedAt, Instant endedAt, String outcome,
                          String detail) {
}
