package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.RowHashSum;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one SELECT that reads a table's stored values, and how its rows are hashed: shared by the copy
 * ({@link MySqlTableCopier}) and the checksum ({@link MySqlChecksum}) so that both compute the same function
 * of the same bytes.
 *
 * <p>What is read: the columns that are not generated, in order, {@code bit} ones as {@code col + 0}. Generated
 * columns are computed from these, so they are neither copied nor part of the checksum. A value's bytes in the
 * text protocol depend on the session, so every session that reads a scan first runs {@link #SESSION}.
 *
 * <p>Where a row is hashed: in the tool ({@link RowHashSum} over each column's bytes, no work for the server)
 * when every column's character set is one of {@link #LOSSLESS}; otherwise in the server, as MD5 over each
 * value's stored bytes ({@code CAST(col AS BINARY)}), selected next to the row. A lossy conversion to utf8mb4
 * (an unmappable byte sent as {@code ?}) would make the copy and a checksum over the converted bytes both
 * miss the loss; the stored bytes do not. The choice depends only on the table's definition, so live, staging
 * and a restored backup of an untouched table all make the same one.
 */
final class MySqlTableScan {
    /**
     * What every reading session runs: TIMESTAMPs sent in UTC, text in utf8mb4 (what the copy's LOAD DATA reads),
     * CHAR values unpadded (PAD_CHAR_TO_FULL_LENGTH, the one sql_mode that changes how a stored value is sent).
     */
    static final String SESSION = "SET SESSION time_zone = '+00:00', character_set_results = 'utf8mb4',"
            + " sql_mode = REPLACE(@@SESSION.sql_mode, 'PAD_CHAR_TO_FULL_LENGTH', '')";

    /**
     * Character sets whose every storable value converts to utf8mb4 and back unchanged, distinct values staying
     * distinct (MySqlTableScanTest copies every latin1 byte, every ucs2 code unit, and every BMP code point plus a
     * sample of the others in the Unicode sets). Not {@code ascii} (nor {@code swe7}, {@code geostd8}...): an
     * ascii column stores bytes 0x80-0xFF, which are sent as '?'.
     */
    static final Set<String> LOSSLESS = Set.of("utf8mb4", "utf8mb3", "utf8", "latin1", "ucs2", "utf16", "utf16le", "utf32",
            "binary");

    /** One stored column; {@code charset} is null for a column that is not text. */
    record Column(String name, String type, String charset) {
        boolean bit() {
            return type.equals("bit");
        }

        String select() {
            return bit() ? MySqlDialect.quoteName(name) + " + 0" : MySqlDialect.quoteName(name);
        }
    }

    private final TableRef table;
    private final List<Column> columns;

    private MySqlTableScan(TableRef table, List<Column> columns) {
        this.table = table;
        this.columns = columns;
    }

    /** The scan of {@code table} in the connection's current database. */
    static MySqlTableScan of(Connection c, TableRef table) throws SQLException {
        List<Column> cols = new ArrayList<>();
        for (String[] r : MySqlObjects.rows(c, "SELECT COLUMN_NAME, DATA_TYPE, EXTRA, GENERATION_EXPRESSION, CHARACTER_SET_NAME"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                table.name())) {
            boolean generated = (r[3] != null && !r[3].isEmpty())
                    || (r[2] != null && r[2].toUpperCase(Locale.ROOT).matches(".*(VIRTUAL|STORED|PERSISTENT).*"));
            if (!generated) {
                cols.add(new Column(r[0], r[1].toLowerCase(Locale.ROOT), r[4] == null ? null : r[4].toLowerCase(Locale.ROOT)));
            }
        }
        if (cols.isEmpty()) {
            throw new SQLException("Table " + MySqlDialect.quoteName(table.name()) + " has no stored column in database "
                    + MySqlObjects.rows(c, "SELECT DATABASE()").get(0)[0] + " (it does not exist?); check the table name", "42S02");
        }
        return new MySqlTableScan(table, List.copyOf(cols));
    }

    List<Column> columns() {
        return columns;
    }

    /** True when the tool hashes the rows; false when the server does (a column's charset is not {@link #LOSSLESS}). */
    boolean hashedInTool() {
        return columns.stream().allMatch(c -> c.charset() == null || LOSSLESS.contains(c.charset()));
    }

    /** The rows' SELECT: the stored columns, then (when the server hashes) the row's hash as 16 hex digits. */
    String select() {
        return "SELECT " + columns.stream().map(Column::select).collect(Collectors.joining(", "))
                + (hashedInTool() ? "" : ", " + serverRowHash()) + " FROM " + MySqlDialect.quoteName(table.name());
    }

    /** Count and exact sum of the server's row hashes in one aggregate: what {@link Hash} sums for the rows of {@link #select}. */
    String serverChecksumSql() {
        return "SELECT COUNT(*), SUM(CAST(CONV(" + serverRowHash() + ", 16, 10) AS UNSIGNED)) FROM "
                + MySqlDialect.quoteName(table.name());
    }

    /**
     * A row's 64-bit hash by the server: MD5 of each value's stored bytes in hex, NULL as {@code N} (never a hex
     * digit), joined with {@code |}, so NULL, '' and 'N' all differ and no value can shift into its neighbour.
     */
    private String serverRowHash() {
        return "SUBSTRING(MD5(CONCAT_WS('|'" + columns.stream()
                .map(c -> ", COALESCE(HEX(CAST(" + MySqlDialect.quoteName(c.name()) + " AS BINARY)), 'N')")
                .collect(Collectors.joining()) + ")), 1, 16)";
    }

    /** A running checksum for one pass over {@link #select}'s rows. */
    Hash hash() {
        return new Hash(hashedInTool(), columns.size() + 1);
    }

    /**
     * Feed every column's bytes ({@link #field}) and end each row ({@link #endRow}), or hand over a row already
     * encoded for LOAD DATA ({@link #endEncodedRow}); the server path reads its hash column instead. In the tool,
     * a row is hashed in one piece as its LOAD DATA encoding ({@link MySqlLoadDataBuffer}: values escaped,
     * joined by tabs, NULL as \N), which tells every split of the values and NULL from '' apart.
     */
    static final class Hash {
        private final RowHashSum tool;
        private final MySqlLoadDataBuffer row;
        private final int hashColumn;
        private int fields;
        private long rows;
        private long low;
        private long high;

        Hash(boolean inTool, int hashColumn) {
            this.tool = inTool ? new RowHashSum() : null;
            this.row = inTool ? new MySqlLoadDataBuffer(1024) : null;
            this.hashColumn = hashColumn;
        }

        void field(byte[] value) {
            if (tool != null) {
                if (fields++ > 0) {
                    row.put((byte) '\t');
                }
                row.value(value);
            }
        }

        void endRow(ResultSet rs) throws SQLException {
            if (tool != null) {
                tool.addRow(row.array(), 0, row.size());
                row.reset();
                fields = 0;
            } else {
                add(rs.getBytes(hashColumn));
            }
        }

        /** Ends a row whose fields were not fed but encoded by the caller into {@code encoded[from, to)}. */
        void endEncodedRow(byte[] encoded, int from, int to, ResultSet rs) throws SQLException {
            if (tool != null) {
                tool.addRow(encoded, from, to - from);
            } else {
                add(rs.getBytes(hashColumn));
            }
        }

        /** Adds one server row hash given as hex digits. */
        void add(byte[] hex) {
            long v = 0;
            for (byte b : hex) {
                v = (v << 4) | Character.digit(b, 16);
            }
            long before = low;
            low += v;
            if (Long.compareUnsigned(low, before) < 0) {
                high++;
            }
            rows++;
        }

        long rows() {
            return tool != null ? tool.rows() : rows;
        }

        TableChecksum checksum() {
            if (tool != null) {
                return tool.checksum();
            }
            return TableChecksum.of(rows, new BigInteger(Long.toUnsignedString(high)).shiftLeft(64)
                    .add(new BigInteger(Long.toUnsignedString(low))));
        }
    }
}
