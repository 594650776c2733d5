package dev.promoter.core.spi;

import java.math.BigInteger;
import java.util.Objects;

/**
 * An order-independent fingerprint of a table's content computed inside the database: the row count
 * and the exact sum of a 64-bit hash of every row. Unlike an XOR fold, duplicate rows do not cancel.
 */
public record TableChecksum(long rows, BigInteger hashSum) {
    public TableChecksum {
        Objects.requireNonNull(hashSum, "hashSum");
    }

    public static TableChecksum of(long rows, BigInteger sum) {
        return new TableChecksum(rows, sum == null ? BigInteger.ZERO : sum);
    }

    /** A compact text form for reports and the ledger: {@code rows:hex-of-sum}. */
    public String text() {
        return rows + ":" + hashSum.toString(16);
    }
}
