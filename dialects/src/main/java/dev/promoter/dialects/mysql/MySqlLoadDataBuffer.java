package dev.promoter.dialects.mysql;

import java.util.Arrays;

/**
 * Rows encoded for {@code LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'}:
 * backslash, tab, newline and NUL escaped, {@code \N} for NULL. Values are copied in runs between the bytes that
 * need escaping (most values have none), into a plain growable array: no per-byte call, no lock.
 */
final class MySqlLoadDataBuffer {
    /** For each byte, the letter that follows the backslash when it must be escaped, else 0. */
    private static final byte[] ESCAPE = new byte[256];

    static {
        ESCAPE['\\'] = '\\';
        ESCAPE['\t'] = 't';
        ESCAPE['\n'] = 'n';
        ESCAPE[0] = '0';
    }

    private byte[] bytes;
    private int size;

    MySqlLoadDataBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    /** Appends one value, escaped; {@code null} is SQL NULL. */
    void value(byte[] v) {
        if (v == null) {
            ensure(2);
            bytes[size++] = '\\';
            bytes[size++] = 'N';
            return;
        }
        int from = 0;
        for (int i = 0; i < v.length; i++) {
            byte escape = ESCAPE[v[i] & 0xFF];
            if (escape != 0) {
                append(v, from, i - from);
                ensure(2);
                bytes[size++] = '\\';
                bytes[size++] = escape;
                from = i + 1;
            }
        }
        append(v, from, v.length - from);
    }

    /** Appends a separator or terminator byte. */
    void put(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    int size() {
        return size;
    }

    /** The array behind the buffer: its first {@link #size} bytes are the content. */
    byte[] array() {
        return bytes;
    }

    void reset() {
        size = 0;
    }

    private void append(byte[] v, int from, int length) {
        if (length > 0) {
            ensure(length);
            System.arraycopy(v, from, bytes, size, length);
            size += length;
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
