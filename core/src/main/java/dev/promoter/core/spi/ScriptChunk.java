package dev.promoter.core.spi;

/** Part of a script whose statements end with {@code delimiter}. */
public record ScriptChunk(String sql, String delimiter) {
}
