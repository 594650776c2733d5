package dev.promoter.core.spi;

/**
 * A key generator (sequence, identity, AUTO_INCREMENT) and where it stands against its table.
 * {@code nextValue} is the value the next insert would get; {@code maxKey} is the table's max key or null.
 */
public record CounterState(String name, TableRef table, String column, long nextValue, Long maxKey) {
    public boolean isBehind() {
        return maxKey != null && nextValue <= maxKey;
    }
}
