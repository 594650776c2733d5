package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.RowHashSum;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a table's rows travel as COPY data, and the content checksum taken from that data: the copy and the
 * checksum read the same {@code COPY ... TO STDOUT}, so the snapshot's checksum costs the clone no second
 * scan of live, and staging's checksum is the same stream read back.
 * <p>
 * The stored (non-generated) columns are listed in order, always quoted. The binary format is used unless a
 * column's type carries type OIDs in its binary form that differ between databases (arrays of user-defined
 * types, composite types, types from extensions); those tables go as text, like pg_dump. Binary data is
 * exact (numeric keeps its scale, timestamps are UTC microseconds, floats their bits); text depends on
 * session settings, so both the copy and the checksum pin {@link #SETTINGS}.
 * <p>
 * The checksum is a {@link RowHashSum} over the CopyData messages, which the server sends one per row; the
 * binary format's header (in front of the first row) and trailer are not part of any row.
 * <p>
 * {@code row_security} is off in every such session, as pg_dump sets it: a role that row-level security
 * policies would filter gets an error instead of a silently partial copy, checksum or backup.
 */
final class PostgresCopyRows {
    private static final String[] SETTINGS = {
        "TimeZone", "UTC", "DateStyle", "ISO, YMD", "IntervalStyle", "postgres", "extra_float_digits", "3",
        "bytea_output", "hex", "lc_monetary", "C", "row_security", "off"};

    /**
     * A row that did not fit in the tool's heap: the server sends each row as one COPY message, which the driver
     * holds whole (the allocation failed, so the heap itself is fine and the run can stop cleanly).
     */
    static PromoterException rowTooLarge(TableRef table, OutOfMemoryError e) {
        return PromoterException.failed("A row of table " + table + " does not fit in the tool's memory (Java heap of "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MB): PostgreSQL sends each row as one message, which is "
                + "held whole, so the heap must hold the largest row about twice. Give the tool more, for example "
                + "PROMOTER_JAVA_OPTS='-Xmx1g -XX:+UseSerialGC' for rows of up to 300 MB. Live is unchanged", e);
    }

    /** What to do when row-level security stopped a read (SQLSTATE 42501 naming it). */
    static String rowSecurityHint(SQLException e) {
        return "42501".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("row-level security")
                ? " Row-level security policies would hide rows from this role, so nothing is read through them: "
                + "run Promoter as a superuser or a role with BYPASSRLS (ALTER ROLE ... BYPASSRLS)"
                : "";
    }
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final int HEADER = SIGNATURE.length + 8;

    private final List<String> names;
    private final String format;

    private PostgresCopyRows(List<String> names, String format) {
        this.names = List.copyOf(names);
        this.format = format;
    }

    /**
     * The SQL both ways of reading a shape share (one table here, every table in {@link PostgresIntrospector#shapes}),
     * so that the clone and verify always agree on it: a column {@code a} of {@code pg_attribute} is copied when it is
     * stored ({@link #STORED}); {@code b}, its type or a domain's base type ({@link #BASE_TYPE}, joined to
     * {@code t}, the column's own type), decides the format: binary only when every column's is built in or an enum
     * ({@link #BINARY_SAFE}), whose binary form does not depend on an extension's version.
     */
    static final String STORED = "a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''";
    static final String BASE_TYPE = "b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END";
    static final String BINARY_SAFE = "(b.oid < 16384 OR b.typtype = 'e')";

    /** The copy shape of {@code table} as the connection's database defines it. */
    static PostgresCopyRows of(Connection c, TableRef table) throws SQLException {
        List<String> names = new ArrayList<>();
        boolean binary = true;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, " + BINARY_SAFE + " "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_type b ON " + BASE_TYPE + " "
                + "WHERE a.attrelid = ?::regclass AND " + STORED + " ORDER BY a.attnum")) {
            ps.setString(1, PostgresIntrospector.qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(PostgresDialect.quoteIdentifier(rs.getString(1)));
                    binary &= rs.getBoolean(2);
                }
            }
        }
        return new PostgresCopyRows(names, binary ? "binary" : "text");
    }

    /** The shape of stored columns {@code names} (quoted), binary when every column's type is built in or an enum. */
    static PostgresCopyRows of(List<String> names, boolean binary) {
        return new PostgresCopyRows(List.copyOf(names), binary ? "binary" : "text");
    }

    /** The stored columns, quoted, in order. */
    List<String> columns() {
        return names;
    }

    /** {@code binary} or {@code text}. */
    String format() {
        return format;
    }

    String copyOut(TableRef table) {
        return "COPY " + PostgresIntrospector.qualified(table) + columnList() + " TO STDOUT (FORMAT " + format + ")";
    }

    String copyIn(TableRef table) {
        return "COPY " + PostgresIntrospector.qualified(table) + columnList() + " FROM STDIN (FORMAT " + format + ", FREEZE)";
    }

    /**
     * The rows of {@code blocks} only, as {@link #copyOut} would send them: a query over a TID range (a TID Range
     * Scan from PostgreSQL 14 on, which reads just those pages).
     */
    String copyOut(TableRef table, BlockRange blocks) {
        return copyOut(table, "WHERE " + blocks.predicate());
    }

    /**
     * The rows an extension's configuration table dumps: those its {@code condition} selects (the extension's own
     * SQL text from {@code pg_extension.extcondition}, run as pg_dump runs it; empty for every row).
     */
    String copyOut(TableRef table, String condition) {
        return "COPY (SELECT " + String.join(", ", names) + " FROM ONLY " + PostgresIntrospector.qualified(table)
                + (condition.isBlank() ? "" : " " + condition) + ") TO STDOUT (FORMAT " + format + ")";
    }

    /** Appends to the rows already there (no FREEZE: the table was not created in this transaction). */
    String copyInAppend(TableRef table) {
        return "COPY " + PostgresIntrospector.qualified(table) + columnList() + " FROM STDIN (FORMAT " + format + ")";
    }

    private String columnList() {
        return names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
    }

    /** Heap blocks {@code [from, to)} of a table; {@code to} < 0 means to the end. */
    record BlockRange(long from, long to) {
        /**
         * A table of {@code blocks} heap blocks cut into up to {@code parts} ranges of at least {@code minBlocks}
         * (the last one open-ended, so pages added since are read too); a single null (the whole table) when it is
         * too small for two, or before PostgreSQL 14 ({@code version}), whose scans of a TID range read the whole
         * table.
         */
        static List<BlockRange> cut(long blocks, int parts, long minBlocks, int version) {
            int split = (int) Math.min(parts, blocks / Math.max(1, minBlocks));
            if (split < 2 || version < 140000) {
                return java.util.Collections.singletonList(null);
            }
            List<BlockRange> out = new java.util.ArrayList<>();
            for (int i = 0; i < split; i++) {
                out.add(new BlockRange(blocks * i / split, i == split - 1 ? -1 : blocks * (i + 1) / split));
            }
            return out;
        }

        String describe() {
            return "blocks " + from + " to " + (to < 0 ? "the end" : to);
        }

        String predicate() {
            String lower = "ctid >= '(" + from + ",0)'::tid";
            return to < 0 ? lower : lower + " AND ctid < '(" + to + ",0)'::tid";
        }
    }

    /**
     * Sets the row-text settings for the session ({@code local} false) or the current transaction. In a
     * SQL_ASCII database the client encoding is SQL_ASCII too: its text is bytes with no encoding, which the
     * server cannot convert to UTF-8 ('invalid byte sequence for encoding "UTF8": 0xff' stopped such a copy);
     * relayed and hashed as they are, both ends and every checksum see the same bytes. Other databases keep
     * UTF-8 ({@link PostgresSessionDefaults} lets the driver accept the change).
     */
    static void pinSettings(Connection c, boolean local) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SETTINGS.length; i += 2) {
            sb.append(local ? "SET LOCAL " : "SET ").append(SETTINGS[i]).append(" = '").append(SETTINGS[i + 1]).append("';");
        }
        sb.append("SELECT set_config('client_encoding', CASE current_setting('server_encoding') WHEN 'SQL_ASCII' "
                + "THEN 'SQL_ASCII' ELSE 'UTF8' END, ").append(local).append(");");
        try (Statement st = c.createStatement()) {
            st.execute(sb.toString());
        }
    }

    /** A checksum fed with the CopyData messages of one {@link #copyOut}, in the order they arrive. */
    Hash hash() {
        return new Hash(format.equals("binary"));
    }

    /**
     * The checksum of {@code table} read now through the connection (inside its transaction, or a transaction
     * of its own when in autocommit).
     */
    static TableChecksum checksum(Connection c, TableRef table) throws SQLException {
        return checksum(c, table, null);
    }

    /** As {@link #checksum(Connection, TableRef)}, of the rows in {@code blocks} only (all rows when null). */
    static TableChecksum checksum(Connection c, TableRef table, BlockRange blocks) throws SQLException {
        try {
            return checksum(c, table, blocks, null);
        } catch (IOException e) {
            throw new IllegalStateException("no file is written here", e);
        }
    }

    /**
     * As {@link #checksum(Connection, TableRef, BlockRange)}; when {@code copyTo} is not null, the COPY data is
     * also written there as the server sent it (header and trailer included: a file {@code COPY ... FROM} loads).
     */
    static TableChecksum checksum(Connection c, TableRef table, BlockRange blocks, OutputStream copyTo)
            throws SQLException, IOException {
        return checksum(c, table, blocks, copyTo, null);
    }

    /** As above, with the table's shape already read ({@code known}; null: read it in the checksum's transaction). */
    static TableChecksum checksum(Connection c, TableRef table, BlockRange blocks, OutputStream copyTo,
                                  PostgresCopyRows known) throws SQLException, IOException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            pinSettings(c, true);
            PostgresCopyRows rows = known != null ? known : of(c, table);
            return rows.read(c, blocks == null ? rows.copyOut(table) : rows.copyOut(table, blocks), table, copyTo);
        } finally {
            if (autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * The checksum of the rows the {@code COPY ... TO STDOUT} statement {@code sql} sends (one of this shape's), read
     * in the connection's current transaction; when {@code copyTo} is not null the data also goes there as sent.
     */
    TableChecksum read(Connection c, String sql, TableRef table, OutputStream copyTo) throws SQLException, IOException {
        Hash hash = hash();
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        try {
            byte[] message;
            while ((message = out.readFromCopy()) != null) {
                hash.accept(message);
                if (copyTo != null) {
                    copyTo.write(message);
                }
            }
            return hash.checksum(out.getHandledRowCount(), table);
        } catch (OutOfMemoryError e) {
            throw rowTooLarge(table, e);
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
        }
    }

    /** Row hashes of one COPY stream. */
    static final class Hash {
        private final boolean binary;
        private final RowHashSum sum = new RowHashSum();
        private boolean headerRead;

        private Hash(boolean binary) {
            this.binary = binary;
        }

        void accept(byte[] message) throws SQLException {
            int from = 0;
            if (binary) {
                if (!headerRead) {
                    from = header(message);
                    headerRead = true;
                }
                int left = message.length - from;
                if (left == 0 || left == 2 && message[from] == (byte) 0xFF && message[from + 1] == (byte) 0xFF) {
                    return;
                }
            }
            sum.addRow(message, from, message.length - from);
        }

        long rows() {
            return sum.rows();
        }

        /** The checksum, after checking that it took exactly the rows the server says it sent. */
        TableChecksum checksum(long rowsSent, TableRef table) throws SQLException {
            if (sum.rows() != rowsSent) {
                throw new SQLException("the checksum of table " + table + " read " + sum.rows() + " rows but the server sent "
                        + rowsSent + "; the COPY stream was not one message per row", "XX000");
            }
            return sum.checksum();
        }

        private static int header(byte[] m) throws SQLException {
            if (m.length < HEADER || !Arrays.equals(m, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
                throw new SQLException("binary COPY data does not start with the PGCOPY signature", "22P04");
            }
            int extension = ((m[15] & 0xFF) << 24) | ((m[16] & 0xFF) << 16) | ((m[17] & 0xFF) << 8) | (m[18] & 0xFF);
            if (extension < 0 || HEADER + extension > m.length) {
                throw new SQLException("binary COPY header extension of " + extension + " bytes does not fit its message", "22P04");
            }
            return HEADER + extension;
        }
    }
}
