package dev.promoter.dialects.h2;

import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.SchemaModel;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * H2's catalog through {@code INFORMATION_SCHEMA}. The checksum of a table is its row count and the exact
 * (NUMERIC) sum of the first 8 bytes of {@code HASH('SHA-256', row text)} as a BIGINT, computed in SQL. The
 * row text is unambiguous and NULL-safe: each column becomes {@code N} (null) or {@code V<length>:<text>};
 * binary columns are written in hex and large objects by their own SHA-256, so any size hashes.
 */
final class H2Introspector implements Introspector {
    /** Liquibase's own tables: recorded by the migrator, not product data. */
    static final List<String> TOOL_TABLES = List.of("DATABASECHANGELOG", "DATABASECHANGELOGLOCK");
    static final String USER_SCHEMAS = "TABLE_SCHEMA <> 'INFORMATION_SCHEMA'"
            + " AND TABLE_NAME NOT IN ('DATABASECHANGELOG', 'DATABASECHANGELOGLOCK')";

    private final Dialect dialect;

    H2Introspector(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public List<TableRef> tables(Handle handle) {
        return handle.createQuery("SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                        + " WHERE TABLE_TYPE = 'BASE TABLE' AND " + USER_SCHEMAS + " ORDER BY 1, 2")
                .map((rs, ctx) -> new TableRef(rs.getString(1), rs.getString(2)))
                .list();
    }

    @Override
    public long rowCount(Handle handle, TableRef table) {
        return handle.createQuery("SELECT COUNT(*) FROM " + qualified(table)).mapTo(Long.class).one();
    }

    @Override
    public TableChecksum checksum(Handle handle, TableRef table) {
        String sql = checksumSql(handle, table);
        return handle.createQuery(sql)
                .map((rs, ctx) -> TableChecksum.of(rs.getLong(1),
                        rs.getBigDecimal(2) == null ? null : rs.getBigDecimal(2).toBigIntegerExact()))
                .one();
    }

    /** The checksum query for one table: {@code SELECT COUNT(*), SUM(<64-bit row hash>) FROM t}. */
    String checksumSql(Handle handle, TableRef table) {
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        handle.createQuery("SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                        + " WHERE TABLE_SCHEMA = :s AND TABLE_NAME = :t ORDER BY ORDINAL_POSITION")
                .bind("s", table.schema()).bind("t", table.name())
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> columns.put(e.getKey(), e.getValue()));
        String rowText = columns.isEmpty() ? "''" : columns.entrySet().stream()
                .map(e -> columnText(dialect.quote(e.getKey()), e.getValue()))
                .collect(Collectors.joining(" || "));
        return "SELECT COUNT(*), SUM(CAST(CAST(SUBSTRING(HASH('SHA-256', " + rowText + "), 1, 8) AS BIGINT)"
                + " AS NUMERIC(20))) FROM " + qualified(table);
    }

    private static String columnText(String column, String dataType) {
        String text = switch (dataType) {
            case "CHARACTER", "CHARACTER VARYING", "VARCHAR_IGNORECASE" -> column;
            case "BINARY", "BINARY VARYING", "JAVA_OBJECT" -> "RAWTOHEX(" + column + ")";
            case "CHARACTER LARGE OBJECT", "BINARY LARGE OBJECT" -> "RAWTOHEX(HASH('SHA-256', " + column + "))";
            default -> "CAST(" + column + " AS VARCHAR)";
        };
        return "CASE WHEN " + column + " IS NULL THEN 'N' ELSE 'V' || CHAR_LENGTH(" + text + ") || ':' || "
                + text + " END";
    }

    @Override
    public List<CounterState> counters(Handle handle) {
        List<CounterState> out = new ArrayList<>();
        handle.createQuery("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, IDENTITY_BASE FROM INFORMATION_SCHEMA.COLUMNS"
                        + " WHERE IS_IDENTITY = 'YES' AND " + USER_SCHEMAS + " ORDER BY 1, 2, 3")
                .map((rs, ctx) -> new Object[]{new TableRef(rs.getString(1), rs.getString(2)), rs.getString(3),
                        rs.getLong(4)})
                .list()
                .forEach(r -> {
                    TableRef t = (TableRef) r[0];
                    String col = (String) r[1];
                    out.add(new CounterState(t.display() + "." + col + " (identity)", t, col, (Long) r[2],
                            maxKey(handle, t, col)));
                });
        // Sequences used as column defaults: NEXT VALUE FOR "S"."SEQ".
        handle.createQuery("SELECT s.SEQUENCE_SCHEMA, s.SEQUENCE_NAME, s.BASE_VALUE, c.TABLE_SCHEMA, c.TABLE_NAME,"
                        + " c.COLUMN_NAME FROM INFORMATION_SCHEMA.SEQUENCES s JOIN INFORMATION_SCHEMA.COLUMNS c"
                        + " ON c.COLUMN_DEFAULT LIKE '%NEXT VALUE FOR %' AND c.TABLE_SCHEMA <> 'INFORMATION_SCHEMA'"
                        + " AND LOCATE('\"' || s.SEQUENCE_NAME || '\"', c.COLUMN_DEFAULT) > 0 ORDER BY 1, 2, 4, 5, 6")
                .map((rs, ctx) -> new Object[]{rs.getString(1) + "." + rs.getString(2), rs.getLong(3),
                        new TableRef(rs.getString(4), rs.getString(5)), rs.getString(6)})
                .list()
                .forEach(r -> out.add(new CounterState((String) r[0], (TableRef) r[2], (String) r[3], (Long) r[1],
                        maxKey(handle, (TableRef) r[2], (String) r[3]))));
        return out;
    }

    private Long maxKey(Handle handle, TableRef table, String column) {
        BigDecimal max = handle.createQuery("SELECT MAX(" + dialect.quote(column) + ") FROM " + qualified(table))
                .mapTo(BigDecimal.class).one();
        return max == null ? null : max.longValue();
    }

    @Override
    public SchemaModel schema(Handle handle) {
        return new H2SchemaReader(handle).read();
    }

    String qualified(TableRef table) {
        return table.schema() == null ? dialect.quote(table.name())
                : dialect.quote(table.schema()) + "." + dialect.quote(table.name());
    }
}
