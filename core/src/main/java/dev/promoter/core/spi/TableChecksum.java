package dev.promoter.core.spi;

import java.math.BigInteger;
import java.util.Objects;

/**
 * An order-independent fingerprint of a table's content: the row count and a sum of a hash of every row
 * (how each dialect computes it is its own: {@link RowHashSum} in the tool for PostgreSQL and for most MySQL
 * tables, a 64-bit hash summed inside the database elsewhere). Unlike an XOR fold, duplicate rows do not cancel.
 * Only checksums computed the same way, by the same dialect, are compared.
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
