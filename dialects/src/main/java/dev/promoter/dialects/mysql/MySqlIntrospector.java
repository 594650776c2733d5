package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.sql.SQLException;
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

    /**
     * The table's content checksum, the same function the clone computes for its snapshot ({@link MySqlChecksum}):
     * over the stored columns only, so generated columns are not part of it (they are computed from the others).
     */
    @Override
    public TableChecksum checksum(Handle handle, TableRef table) {
        try {
            return MySqlChecksum.of(handle.getConnection(), table);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to compute the content checksum of table " + MySqlDialect.quoteName(table.name())
                    + ": " + Connections.describe(e) + ". Check that the table exists and the user may read it", e);
        }
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
