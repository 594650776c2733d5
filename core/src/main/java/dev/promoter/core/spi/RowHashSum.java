package dev.promoter.core.spi;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;

import java.math.BigInteger;

/**
 * A table's content fingerprint computed in the tool from the bytes a database sends for each row: the row
 * count and the sum, modulo 2<sup>128</sup>, of a 128-bit XXH3 hash of every row. The sum does not depend on
 * row order, and unlike an XOR fold duplicate rows do not cancel.
 * <p>
 * A dialect feeds whole encoded rows ({@link #addRow}: one PostgreSQL COPY message, one MySQL row as LOAD DATA
 * reads it). The encoding must tell every row apart (value boundaries, NULL from the empty value), and both
 * sides of a comparison must feed the same encoding. Not thread-safe: one instance per table scan.
 */
public final class RowHashSum {
    private static final Hasher128 XXH3 = Hashing.xxh3_128();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private long rows;
    private long low;
    private long high;

    /** Adds one row given as its encoded bytes. */
    public void addRow(byte[] bytes, int offset, int length) {
        add(XXH3.hashBytesTo128Bits(bytes, offset, length));
    }

    public long rows() {
        return rows;
    }

    public TableChecksum checksum() {
        return TableChecksum.of(rows, unsigned(high).multiply(TWO_64).add(unsigned(low)));
    }

    private void add(HashValue128 h) {
        long before = low;
        low += h.getLeastSignificantBits();
        high += h.getMostSignificantBits() + (Long.compareUnsigned(low, before) < 0 ? 1 : 0);
        rows++;
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
