package dev.promoter.core.tree;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.promoter.core.PromoterException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A version's {@code checkpoints.yaml}: the new tables it creates, tables whose row count it changes on
 * purpose, and queries with expected values. Every error names the file, the line and the field.
 */
public record CheckpointsFile(Path file, List<String> newTables, Map<String, String> rowCountChanges,
                              List<DeclaredCheck> checks) {
    public static final String FILE_NAME = "checkpoints.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern CHANGE = Pattern.compile("drop|any|[+-]?[0-9]+");

    /** The file's shape, bound strictly. */
    private record Body(@JsonProperty("new_tables") List<String> newTables,
                        @JsonProperty("row_count_changes") Map<String, String> rowCountChanges,
                        @JsonProperty("checks") List<DeclaredCheck> checks) {
    }

    public CheckpointsFile {
        newTables = List.copyOf(newTables);
        rowCountChanges = Map.copyOf(rowCountChanges);
        checks = List.copyOf(checks);
    }

    public static CheckpointsFile empty(Path file) {
        return new CheckpointsFile(file, List.of(), Map.of(), List.of());
    }

    public static CheckpointsFile read(Path file) {
        Body body;
        YamlLines lines = YamlLines.of(YAML, file);
        try (JsonParser p = YAML.createParser(file.toFile())) {
            body = p.nextToken() == null ? null : YAML.readValue(p, Body.class); // comments only: nothing declared
        } catch (UnrecognizedPropertyException e) {
            throw malformed(file, lines, e, "unknown field \"" + e.getPropertyName()
                    + "\"; the fields are new_tables, row_count_changes and checks (each check: name, sql, expect)");
        } catch (JacksonException e) {
            throw malformed(file, lines, e, e.getOriginalMessage());
        } catch (IOException e) {
            throw PromoterException.badInput("Unable to read " + file + ": " + e.getMessage());
        }
        if (body == null) {
            return empty(file);
        }
        Map<String, String> changes = new LinkedHashMap<>();
        if (body.rowCountChanges() != null) {
            body.rowCountChanges().forEach((table, change) -> {
                String c = change == null ? "" : change.strip().toLowerCase(Locale.ROOT);
                if (!CHANGE.matcher(c).matches()) {
                    throw PromoterException.badInput(at(file, lines, "row_count_changes." + table) + " is \""
                            + change + "\"; use drop (table removed), any (count may change) or a number "
                            + "(the exact change, such as -3 or +10)");
                }
                changes.put(table, c);
            });
        }
        List<DeclaredCheck> checks = body.checks() == null ? List.of() : body.checks();
        for (int i = 0; i < checks.size(); i++) {
            DeclaredCheck c = checks.get(i);
            if (c == null) {
                throw PromoterException.badInput(at(file, lines, "checks[" + i + "]") + " is empty; write name, sql and expect");
            }
            if (isBlank(c.name()) || isBlank(c.sql())) {
                String blank = isBlank(c.name()) ? "name" : "sql";
                throw PromoterException.badInput(at(file, lines, "checks[" + i + "]." + blank) + " is empty");
            }
            if (!(c.expect() instanceof String || c.expect() instanceof Number || c.expect() instanceof Boolean)) {
                throw PromoterException.badInput(at(file, lines, "checks[" + i + "].expect") + " (\"" + c.name()
                        + "\") must be a number or a string, was " + c.expect());
            }
        }
        return new CheckpointsFile(file, body.newTables() == null ? List.of() : body.newTables(), changes, checks);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static PromoterException malformed(Path file, YamlLines lines, JacksonException e, String why) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return PromoterException.badInput(at(file, lines, fieldPath(m)) + ": " + why);
        }
        JsonLocation loc = e.getLocation();
        String line = loc == null || loc.getLineNr() < 0 ? "" : " line " + loc.getLineNr();
        return PromoterException.badInput(file + line + ": " + why);
    }

    /** "{@code file} line N, field {@code path}": the line of the field, or of the mapping that lacks it. */
    private static String at(Path file, YamlLines lines, String path) {
        int line = lines.line(path);
        return file + (line < 0 ? "" : " line " + line) + ", field " + path;
    }

    private static String fieldPath(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** True when a query's result matches {@code expect}: numbers compare by value, anything else as text. */
    public static boolean matches(Object expect, Object actual) {
        if (actual == null) {
            return expect == null;
        }
        try {
            return new BigDecimal(String.valueOf(expect).strip()).compareTo(new BigDecimal(String.valueOf(actual).strip())) == 0;
        } catch (NumberFormatException notNumbers) {
            return String.valueOf(expect).equals(String.valueOf(actual));
        }
    }
}
