package dev.promoter.core.tree;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field of a YAML file, by path ({@code checks[0].sql}), so that an error names the line
 * of the field it is about. Jackson's own location is where it stopped reading, which for records is the
 * end of the enclosing mapping (it buffers the mapping before binding it).
 */
final class YamlLines {
    private final Map<String, Integer> lines;

    private YamlLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** Reads what it can: a file that does not parse yields the lines up to the syntax error. */
    static YamlLines of(ObjectMapper yaml, Path file) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = yaml.createParser(file.toFile())) {
            if (p.nextToken() != null) {
                walk(p, "", lines);
            }
        } catch (IOException | RuntimeException e) {
            // keep the lines found so far
        }
        return new YamlLines(lines);
    }

    private static void walk(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                lines.putIfAbsent(child, p.currentTokenLocation().getLineNr());
                p.nextToken();
                walk(p, child, lines);
            }
        } else if (p.currentToken() == JsonToken.START_ARRAY) {
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String child = path + "[" + i + "]";
                lines.putIfAbsent(child, p.currentTokenLocation().getLineNr());
                walk(p, child, lines);
            }
        }
    }

    /** The line of {@code path}, or of its nearest enclosing field when it is missing; -1 when unknown. */
    int line(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer n = lines.get(p);
            if (n != null) {
                return n;
            }
            p = p.substring(0, Math.max(0, Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))));
        }
        return -1;
    }
}
