package dev.promoter.core.ledger;

/** A checkpoint result as the ledger keeps it. */
public record LedgerCheckpoint(String runId, int seq, String name, String kind, String status, String expected,
                               String actual, String detail) {
}
