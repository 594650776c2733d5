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
    private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);

    public TableChecksum {
        Objects.requireNonNull(hashSum, "hashSum");
    }

    public static TableChecksum of(long rows, BigInteger sum) {
        return new TableChecksum(rows, sum == null ? BigInteger.ZERO : sum);
    }

    /**
     * The checksum of two disjoint parts of one table taken together. The sum is kept modulo 2<sup>128</sup>,
     * as {@link RowHashSum} keeps it; checksums whose sums are exact and below that bound add exactly.
     */
    public TableChecksum plus(TableChecksum other) {
        return new TableChecksum(rows + other.rows, hashSum.add(other.hashSum).mod(TWO_128));
    }

    /** A compact text form for reports and the ledger: {@code rows:hex-of-sum}. */
    public String text() {
        return rows + ":" + hashSum.toString(16);
    }
}
