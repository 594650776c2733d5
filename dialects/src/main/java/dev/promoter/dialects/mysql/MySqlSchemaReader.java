package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.SchemaModel;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the current database's schema from information_schema into {@link SchemaModel} lines: tables
 * (options, columns, indexes, constraints), views, triggers and routines. References to the database's
 * own name are removed, so two databases with the same schema compare equal whatever their names.
 */
final class MySqlSchemaReader {
    private final Handle h;
    private final Map<String, List<String>> objects = new TreeMap<>();
    private String db;

    MySqlSchemaReader(Handle handle) {
        this.h = handle;
    }

    SchemaModel read() {
        db = h.createQuery("SELECT DATABASE()").mapTo(String.class).one();
        tables();
        columns();
        indexes();
        constraints();
        views();
        triggers();
        routines();
        return SchemaModel.of(objects);
    }

    private void add(String key, String line) {
        objects.computeIfAbsent(key, k -> new ArrayList<>()).add(line);
    }

    private static boolean skipped(String table) {
        return MySqlIntrospector.LIQUIBASE_TABLES.contains(table.toUpperCase(Locale.ROOT));
    }

    private String local(String text) {
        return text == null ? null : text.replace(MySqlDialect.quoteName(db) + ".", "");
    }

    private void tables() {
        h.createQuery("SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'").bind(0, db)
                .map((rs, ctx) -> {
                    if (!skipped(rs.getString(1))) {
                        add("table " + rs.getString(1), "options engine=" + rs.getString(2) + " collation=" + rs.getString(3)
                                + " " + rs.getString(4) + " comment='" + rs.getString(5) + "'");
                    }
                    return 0;
                }).list();
    }

    private void columns() {
        h.createQuery("SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT, c.CHARACTER_SET_NAME,"
                        + " c.COLLATION_NAME, c.EXTRA, c.GENERATION_EXPRESSION, c.ORDINAL_POSITION, c.COLUMN_COMMENT"
                        + " FROM information_schema.COLUMNS c JOIN information_schema.TABLES t"
                        + " ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME"
                        + " WHERE c.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE'").bind(0, db)
                .map((rs, ctx) -> {
                    if (skipped(rs.getString(1))) {
                        return 0;
                    }
                    StringBuilder l = new StringBuilder("column ").append(rs.getString(2)).append(' ').append(rs.getString(3));
                    l.append("NO".equals(rs.getString(4)) ? " not null" : " null");
                    if (rs.getString(5) != null) {
                        l.append(" default ").append(rs.getString(5));
                    }
                    if (rs.getString(6) != null) {
                        l.append(" charset ").append(rs.getString(6)).append(" collate ").append(rs.getString(7));
                    }
                    String extra = rs.getString(8);
                    if (extra != null && !extra.isBlank()) {
                        l.append(" extra ").append(extra.toLowerCase(Locale.ROOT));
                    }
                    String gen = rs.getString(9);
                    if (gen != null && !gen.isBlank()) {
                        l.append(" as (").append(local(gen)).append(')');
                    }
                    l.append(" position ").append(rs.getInt(10));
                    if (!rs.getString(11).isEmpty()) {
                        l.append(" comment '").append(rs.getString(11)).append('\'');
                    }
                    add("table " + rs.getString(1), l.toString());
                    return 0;
                }).list();
    }

    private void indexes() {
        Map<String, StringBuilder> byIndex = new TreeMap<>();
        Map<String, String> tableOf = new TreeMap<>();
        h.createQuery("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COLUMN_NAME, SUB_PART, COLLATION, SEQ_IN_INDEX"
                        + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")
                .bind(0, db)
                .map((rs, ctx) -> {
                    String key = rs.getString(1) + "\u0000" + rs.getString(2);
                    tableOf.put(key, rs.getString(1));
                    String head = "index " + rs.getString(2) + (rs.getInt(3) == 0 ? " unique " : " ")
                            + rs.getString(4).toLowerCase(Locale.ROOT) + " (";
                    StringBuilder b = byIndex.computeIfAbsent(key, k -> new StringBuilder(head));
                    b.append(rs.getInt(8) > 1 ? ", " : "").append(rs.getString(5));
                    if (rs.getString(6) != null) {
                        b.append('(').append(rs.getString(6)).append(')');
                    }
                    b.append("D".equals(rs.getString(7)) ? " desc" : "");
                    return 0;
                }).list();
        byIndex.forEach((k, b) -> {
            if (!skipped(tableOf.get(k))) {
                add("table " + tableOf.get(k), b.append(')').toString());
            }
        });
    }

    private void constraints() {
        h.createQuery("SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE,"
                        + " rc.DELETE_RULE, (SELECT GROUP_CONCAT(k.COLUMN_NAME, '->', COALESCE(k.REFERENCED_COLUMN_NAME, '')"
                        + " ORDER BY k.ORDINAL_POSITION) FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = tc.TABLE_SCHEMA"
                        + " AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME)"
                        + " FROM information_schema.TABLE_CONSTRAINTS tc LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc"
                        + " ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
                        + " AND rc.TABLE_NAME = tc.TABLE_NAME WHERE tc.TABLE_SCHEMA = ?").bind(0, db)
                .map((rs, ctx) -> {
                    if (!skipped(rs.getString(1))) {
                        String fk = rs.getString(4) == null ? "" : " references " + rs.getString(4) + " on update "
                                + rs.getString(5) + " on delete " + rs.getString(6);
                        add("table " + rs.getString(1), "constraint " + rs.getString(2) + " "
                                + rs.getString(3).toLowerCase(Locale.ROOT) + (rs.getString(7) == null ? "" : " (" + rs.getString(7) + ")") + fk);
                    }
                    return 0;
                }).list();
        h.createQuery("SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc"
                        + " JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA"
                        + " AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA = ?")
                .bind(0, db)
                .map((rs, ctx) -> {
                    add("table " + rs.getString(1), "check " + rs.getString(2) + " " + local(rs.getString(3)));
                    return 0;
                }).list();
    }

    private void views() {
        h.createQuery("SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, DEFINER FROM information_schema.VIEWS"
                        + " WHERE TABLE_SCHEMA = ?").bind(0, db)
                .map((rs, ctx) -> {
                    String k = "view " + rs.getString(1);
                    add(k, "definition " + local(rs.getString(2)));
                    add(k, "check option " + rs.getString(3) + " security " + rs.getString(4) + " definer " + rs.getString(5));
                    return 0;
                }).list();
    }

    private void triggers() {
        h.createQuery("SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT"
                        + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?").bind(0, db)
                .map((rs, ctx) -> {
                    add("trigger " + rs.getString(1), rs.getString(2) + " " + rs.getString(3) + " on " + rs.getString(4)
                            + " order " + rs.getInt(5));
                    add("trigger " + rs.getString(1), "body " + local(rs.getString(6)));
                    return 0;
                }).list();
    }

    private void routines() {
        h.createQuery("SELECT ROUTINE_TYPE, ROUTINE_NAME, DTD_IDENTIFIER, ROUTINE_DEFINITION, SECURITY_TYPE, IS_DETERMINISTIC"
                        + " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?").bind(0, db)
                .map((rs, ctx) -> {
                    String k = rs.getString(1).toLowerCase(Locale.ROOT) + " " + rs.getString(2);
                    add(k, "returns " + rs.getString(3) + " security " + rs.getString(5) + " deterministic " + rs.getString(6));
                    add(k, "body " + local(rs.getString(4)));
                    return 0;
                }).list();
    }
}
