package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one SELECT that reads a table's stored values, and how its rows are hashed: shared by the copy
 * ({@link MySqlTableCopier}) and the checksum ({@link MySqlChecksum}) so that both compute the same function
 * of the same bytes.
 *
 * <p>What is read: the columns that are not generated, in order, {@code bit} ones as {@code col + 0}. Generated
 * columns are computed from these, so they are neither copied nor part of the checksum. A value's bytes depend
 * on the session, so every session that reads a scan first runs {@link #SESSION}.
 *
 * <p>How a row is hashed: by the server, as MD5 over each value's stored bytes ({@code CAST(col AS BINARY)}),
 * selected next to the row.
 */
final class MySqlTableScan {
    /**
     * What every reading session runs: TIMESTAMPs sent in UTC, text in utf8mb4 (what the copy's LOAD DATA reads),
     * CHAR values unpadded (PAD_CHAR_TO_FULL_LENGTH, the one sql_mode that changes how a stored value is sent).
     */
    static final String SESSION = "SET SESSION time_zone = '+00:00', character_set_results = 'utf8mb4',"
            + " sql_mode = REPLACE(@@SESSION.sql_mode, 'PAD_CHAR_TO_FULL_LENGTH', '')";

    /** One stored column. */
    record Column(String name, String type) {
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
        for (String[] r : MySqlObjects.rows(c, "SELECT COLUMN_NAME, DATA_TYPE, EXTRA, GENERATION_EXPRESSION"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                table.name())) {
            boolean generated = (r[3] != null && !r[3].isEmpty())
                    || (r[2] != null && r[2].toUpperCase(Locale.ROOT).matches(".*(VIRTUAL|STORED|PERSISTENT).*"));
            if (!generated) {
                cols.add(new Column(r[0], r[1].toLowerCase(Locale.ROOT)));
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

    /** The rows' SELECT: the stored columns, then the row's hash as 16 hex digits. */
    String select() {
        return "SELECT " + columns.stream().map(Column::select).collect(Collectors.joining(", "))
                + ", " + serverRowHash() + " FROM " + MySqlDialect.quoteName(table.name());
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
        return new Hash(columns.size() + 1);
    }

    /** End each row ({@link #endRow}): it reads the row's hash column. */
    static final class Hash {
        private final int hashColumn;
        private long rows;
        private long low;
        private long high;

        Hash(int hashColumn) {
            this.hashColumn = hashColumn;
        }

        void endRow(ResultSet rs) throws SQLException {
            add(rs.getBytes(hashColumn));
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
            return rows;
        }

        TableChecksum checksum() {
            return TableChecksum.of(rows, new BigInteger(Long.toUnsignedString(high)).shiftLeft(64)
                    .add(new BigInteger(Long.toUnsignedString(low))));
        }
    }
}
