package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Catalog and content fingerprints of the handle's current database ({@code DATABASE()}). Liquibase's
 * own tables are left out: they describe how a database was built, not its content.
 */
final class MySqlIntrospector implements Introspector {
    static final Set<String> LIQUIBASE_TABLES = Set.of("DATABASECHANGELOG", "DATABASECHANGELOGLOCK");
    private static final Pattern AUTO_INCREMENT = Pattern.compile("\\)\\s*ENGINE=[^\\n]*?\\bAUTO_INCREMENT=(\\d+)");

    @Override
    public List<TableRef> tables(Handle handle) {
        return handle.createQuery("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
                .mapTo(String.class).stream()
                .filter(n -> !LIQUIBASE_TABLES.contains(n.toUpperCase(java.util.Locale.ROOT)))
                .map(n -> new TableRef(null, n)).sorted().toList();
    }

    @Override
    public long rowCount(Handle handle, TableRef table) {
        return handle.createQuery("SELECT COUNT(*) FROM " + MySqlDialect.quoteName(table.name())).mapTo(Long.class).one();
    }

    @Override
    public TableChecksum checksum(Handle handle, TableRef table) {
        return handle.createQuery(checksumSql(columns(handle, table.name()), table.name()))
                .map((rs, ctx) -> TableChecksum.of(rs.getLong(1), toBig(rs.getBigDecimal(2)))).one();
    }

    /** Column names of a table in the current database, in order. */
    static List<String> columns(Handle handle, String table) {
        List<String> cols = handle.createQuery("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION").bind(0, table).mapTo(String.class).list();
        if (cols.isEmpty()) {
            throw PromoterException.failed("Unable to checksum table " + table + ": it has no columns or does not exist"
                    + " in the current database", null);
        }
        return cols;
    }

    /**
     * Count and exact sum of a 64-bit hash per row. Each value is encoded as the hex of its bytes, a NULL as
     * {@code N} (never a hex digit), joined with {@code |}: so NULL, '' and 'N' all hash differently, and no
     * value can shift into its neighbour.
     */
    static String checksumSql(List<String> columns, String table) {
        return "SELECT COUNT(*), SUM(CAST(CONV(" + rowHashSql(columns) + ", 16, 10) AS UNSIGNED)) FROM "
                + MySqlDialect.quoteName(table);
    }

    /**
     * One row's 64-bit hash as 16 hex digits, the term {@link #checksumSql} sums: the copy selects it next to the
     * row, so the snapshot's checksum comes from the same scan as the copy ({@link RowHashSum}).
     */
    static String rowHashSql(List<String> columns) {
        StringBuilder row = new StringBuilder("CONCAT_WS('|'");
        for (String c : columns) {
            row.append(", COALESCE(HEX(CAST(").append(MySqlDialect.quoteName(c)).append(" AS BINARY)), 'N')");
        }
        row.append(')');
        return "SUBSTRING(MD5(" + row + "), 1, 16)";
    }

    /** Count and exact (128-bit) sum of row hashes read as {@link #rowHashSql} hex: what {@link #checksumSql} returns. */
    static final class RowHashSum {
        private long rows;
        private long low;
        private long high;

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
            BigInteger sum = new BigInteger(Long.toUnsignedString(high)).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low)));
            return TableChecksum.of(rows, sum);
        }
    }

    private static BigInteger toBig(BigDecimal d) {
        return d == null ? BigInteger.ZERO : d.toBigIntegerExact();
    }

    @Override
    public List<CounterState> counters(Handle handle) {
        List<CounterState> out = new ArrayList<>();
        var autoColumns = handle.createQuery("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS"
                        + " WHERE TABLE_SCHEMA = DATABASE() AND EXTRA LIKE '%auto_increment%' ORDER BY TABLE_NAME")
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        for (String[] tc : autoColumns) {
            TableRef t = new TableRef(null, tc[0]);
            Long max = handle.createQuery("SELECT MAX(" + MySqlDialect.quoteName(tc[1]) + ") FROM "
                    + MySqlDialect.quoteName(tc[0])).mapTo(Long.class).one();
            out.add(new CounterState(tc[0] + "." + tc[1], t, tc[1], nextAutoIncrement(handle, tc[0]), max));
        }
        return out;
    }

    /**
     * The table's next AUTO_INCREMENT value, read from {@code SHOW CREATE TABLE}: it asks the storage engine,
     * whereas {@code information_schema.TABLES.AUTO_INCREMENT} may be a cached statistic (MySQL 8's
     * {@code information_schema_stats_expiry}). No clause means the counter was never moved: 1.
     */
    static long nextAutoIncrement(Handle handle, String table) {
        String ddl = showCreateTable(handle, table);
        Matcher m = AUTO_INCREMENT.matcher(ddl);
        return m.find() ? Long.parseLong(m.group(1)) : 1L;
    }

    static String showCreateTable(Handle handle, String table) {
        return handle.createQuery("SHOW CREATE TABLE " + MySqlDialect.quoteName(table))
                .map((rs, ctx) -> rs.getString(2)).one();
    }

    @Override
    public SchemaModel schema(Handle handle) {
        return new MySqlSchemaReader(handle).read();
    }
}
