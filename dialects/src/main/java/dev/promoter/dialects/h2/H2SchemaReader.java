package dev.promoter.dialects.h2;

import org.jdbi.v3.core.Handle;

import dev.promoter.core.spi.SchemaModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads an H2 schema into comparable lines: {@code "table PUBLIC.KV_PAIR"} maps to lines such as
 * {@code "column NAME CHARACTER VARYING(255) not null"}, {@code "unique UQ_KV_PAIR_NAME (NAME)"},
 * {@code "index IDX_X (A ASC)"}. Names H2 generates ({@code CONSTRAINT_8}) and indexes that back constraints
 * are left out, as are identity counters' current values, so a migrated database and a fresh install compare
 * equal when their schemas are the same.
 */
final class H2SchemaReader {
    private static final Pattern GENERATED_NAME = Pattern.compile("CONSTRAINT_[0-9A-F]+");
    private static final String USER = "TABLE_SCHEMA <> 'INFORMATION_SCHEMA'"
            + " AND TABLE_NAME NOT IN ('DATABASECHANGELOG', 'DATABASECHANGELOGLOCK')";

    private final Handle handle;
    private final Map<String, List<String>> objects = new TreeMap<>();

    H2SchemaReader(Handle handle) {
        this.handle = handle;
    }

    SchemaModel read() {
        columns();
        Set<String> constraintIndexes = constraints();
        indexes(constraintIndexes);
        sequences();
        views();
        triggers();
        return SchemaModel.of(objects);
    }

    private List<Map<String, Object>> rows(String sql) {
        return handle.createQuery(sql).mapToMap().list();
    }

    private void add(String key, String line) {
        objects.computeIfAbsent(key, k -> new ArrayList<>()).add(line);
    }

    private static String s(Map<String, Object> row, String column) {
        Object v = row.get(column.toLowerCase(java.util.Locale.ROOT));
        return v == null ? null : v.toString();
    }

    private static String table(Map<String, Object> row) {
        return "table " + s(row, "TABLE_SCHEMA") + "." + s(row, "TABLE_NAME");
    }

    private void columns() {
        for (var r : rows("SELECT c.* FROM INFORMATION_SCHEMA.COLUMNS c JOIN INFORMATION_SCHEMA.TABLES t"
                + " ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'"
                + " WHERE c." + USER.replace("AND TABLE_NAME", "AND c.TABLE_NAME"))) {
            StringBuilder b = new StringBuilder("column ").append(s(r, "COLUMN_NAME")).append(' ').append(type(r));
            if ("NO".equals(s(r, "IS_NULLABLE"))) {
                b.append(" not null");
            }
            if (s(r, "COLUMN_DEFAULT") != null) {
                b.append(" default ").append(s(r, "COLUMN_DEFAULT"));
            }
            if ("YES".equals(s(r, "IS_IDENTITY"))) {
                b.append(" identity ").append(s(r, "IDENTITY_GENERATION"));
            }
            if (s(r, "GENERATION_EXPRESSION") != null) {
                b.append(" generated as (").append(s(r, "GENERATION_EXPRESSION")).append(')');
            }
            add(table(r), b.toString());
        }
    }

    private static String type(Map<String, Object> r) {
        String type = s(r, "DATA_TYPE");
        if (type.endsWith("LARGE OBJECT")) {
            return type;
        }
        if (s(r, "CHARACTER_MAXIMUM_LENGTH") != null) {
            return type + "(" + s(r, "CHARACTER_MAXIMUM_LENGTH") + ")";
        }
        if (type.equals("NUMERIC") || type.equals("DECIMAL")) {
            return type + "(" + s(r, "NUMERIC_PRECISION") + ", " + s(r, "NUMERIC_SCALE") + ")";
        }
        return type;
    }

    /** Adds constraint lines; returns the names of the indexes that back constraints. */
    private Set<String> constraints() {
        Map<String, List<String>> keyColumns = new HashMap<>();
        for (var r : rows("SELECT CONSTRAINT_SCHEMA, CONSTRAINT_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE"
                + " ORDER BY CONSTRAINT_SCHEMA, CONSTRAINT_NAME, ORDINAL_POSITION")) {
            keyColumns.computeIfAbsent(s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "CONSTRAINT_NAME"),
                    k -> new ArrayList<>()).add(s(r, "COLUMN_NAME"));
        }
        Map<String, Map<String, Object>> refs = new HashMap<>();
        rows("SELECT * FROM INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS")
                .forEach(r -> refs.put(s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "CONSTRAINT_NAME"), r));
        Map<String, String> checks = new HashMap<>();
        rows("SELECT * FROM INFORMATION_SCHEMA.CHECK_CONSTRAINTS")
                .forEach(r -> checks.put(s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "CONSTRAINT_NAME"), s(r, "CHECK_CLAUSE")));
        Map<String, String> tableOf = new HashMap<>();
        List<Map<String, Object>> all = rows("SELECT * FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE " + USER);
        all.forEach(r -> tableOf.put(s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "CONSTRAINT_NAME"),
                s(r, "TABLE_SCHEMA") + "." + s(r, "TABLE_NAME")));
        Set<String> indexes = new HashSet<>();
        for (var r : all) {
            String key = s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "CONSTRAINT_NAME");
            String name = GENERATED_NAME.matcher(s(r, "CONSTRAINT_NAME")).matches() ? "" : s(r, "CONSTRAINT_NAME") + " ";
            String cols = "(" + String.join(", ", keyColumns.getOrDefault(key, List.of())) + ")";
            if (s(r, "INDEX_NAME") != null) {
                indexes.add(s(r, "CONSTRAINT_SCHEMA") + "." + s(r, "INDEX_NAME"));
            }
            String line = switch (Objects.requireNonNull(s(r, "CONSTRAINT_TYPE"))) {
                case "PRIMARY KEY" -> "primary key " + cols;
                case "UNIQUE" -> "unique " + name + cols;
                case "CHECK" -> "check " + name + checks.get(key);
                case "FOREIGN KEY" -> {
                    var ref = refs.get(key);
                    String target = s(ref, "UNIQUE_CONSTRAINT_SCHEMA") + "." + s(ref, "UNIQUE_CONSTRAINT_NAME");
                    yield "foreign key " + name + cols + " references " + tableOf.get(target) + " ("
                            + String.join(", ", keyColumns.getOrDefault(target, List.of())) + ") on update "
                            + s(ref, "UPDATE_RULE") + " on delete " + s(ref, "DELETE_RULE");
                }
                default -> s(r, "CONSTRAINT_TYPE").toLowerCase(java.util.Locale.ROOT) + " " + name + cols;
            };
            add(table(r), line);
        }
        return indexes;
    }

    private void indexes(Set<String> constraintIndexes) {
        Map<String, List<String>> columns = new HashMap<>();
        for (var r : rows("SELECT INDEX_SCHEMA, INDEX_NAME, COLUMN_NAME, ORDERING_SPECIFICATION"
                + " FROM INFORMATION_SCHEMA.INDEX_COLUMNS ORDER BY INDEX_SCHEMA, INDEX_NAME, ORDINAL_POSITION")) {
            columns.computeIfAbsent(s(r, "INDEX_SCHEMA") + "." + s(r, "INDEX_NAME"), k -> new ArrayList<>())
                    .add(s(r, "COLUMN_NAME") + " " + ordering(s(r, "ORDERING_SPECIFICATION")));
        }
        for (var r : rows("SELECT * FROM INFORMATION_SCHEMA.INDEXES WHERE " + USER)) {
            String key = s(r, "INDEX_SCHEMA") + "." + s(r, "INDEX_NAME");
            // an index that backs a constraint is skipped only when H2 named it: a named index the constraint reuses
            // (as after SCRIPT/RUNSCRIPT, where CREATE INDEX comes before ADD CONSTRAINT) is part of the schema
            if (!constraintIndexes.contains(key) || !generatedIndexName(s(r, "INDEX_NAME"))) {
                String unique = s(r, "INDEX_TYPE_NAME").startsWith("UNIQUE") ? "unique " : "";
                add(table(r), "index " + s(r, "INDEX_NAME") + " " + unique + "("
                        + String.join(", ", columns.getOrDefault(key, List.of())) + ")");
            }
        }
    }

    /** Names H2 gives the indexes it creates for constraints: PRIMARY_KEY_x, CONSTRAINT_INDEX_x, NAME_INDEX_x. */
    static boolean generatedIndexName(String name) {
        return name.startsWith("PRIMARY_KEY_") || name.startsWith("CONSTRAINT_INDEX_") || name.matches(".*_INDEX_[0-9A-F]+");
    }

    /**
     * The order of an index column with H2's default null ordering (LOW: ASC puts NULLs first, DESC last) written
     * out or left implicit alike: SCRIPT writes {@code NULLS FIRST} for an index created as plain ASC.
     */
    static String ordering(String spec) {
        String o = spec == null ? "ASC" : spec.strip().toUpperCase(java.util.Locale.ROOT);
        return switch (o) {
            case "", "NULLS FIRST", "ASC NULLS FIRST" -> "ASC";
            case "DESC NULLS LAST" -> "DESC";
            case "NULLS LAST" -> "ASC NULLS LAST";
            default -> o;
        };
    }

    private void sequences() {
        for (var r : rows("SELECT * FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_SCHEMA <> 'INFORMATION_SCHEMA'")) {
            add("sequence " + s(r, "SEQUENCE_SCHEMA") + "." + s(r, "SEQUENCE_NAME"), "sequence " + s(r, "DATA_TYPE")
                    + " start " + s(r, "START_VALUE") + " increment " + s(r, "INCREMENT") + " min "
                    + s(r, "MINIMUM_VALUE") + " max " + s(r, "MAXIMUM_VALUE") + " cycle " + s(r, "CYCLE_OPTION"));
        }
    }

    private void views() {
        for (var r : rows("SELECT * FROM INFORMATION_SCHEMA.VIEWS WHERE " + USER)) {
            add("view " + s(r, "TABLE_SCHEMA") + "." + s(r, "TABLE_NAME"), "definition " + s(r, "VIEW_DEFINITION"));
        }
    }

    private void triggers() {
        for (var r : rows("SELECT * FROM INFORMATION_SCHEMA.TRIGGERS WHERE TRIGGER_SCHEMA <> 'INFORMATION_SCHEMA'")) {
            add("trigger " + s(r, "TRIGGER_SCHEMA") + "." + s(r, "TRIGGER_NAME"), "on " + s(r, "EVENT_OBJECT_SCHEMA")
                    + "." + s(r, "EVENT_OBJECT_TABLE") + " " + s(r, "ACTION_TIMING") + " "
                    + s(r, "EVENT_MANIPULATION") + " " + Objects.toString(s(r, "JAVA_CLASS"), ""));
        }
    }
}
