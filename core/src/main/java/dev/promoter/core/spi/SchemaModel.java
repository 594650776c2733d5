package dev.promoter.core.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A database's schema reduced to comparable lines per object: {@code "table kv_pair"} maps to lines such
 * as {@code "column scope varchar(64) not null default 'st2kv.system'"}. Dialects decide the wording;
 * two models of the same dialect compare equal when the schemas are the same.
 */
public record SchemaModel(SortedMap<String, List<String>> objects) {
    public SchemaModel {
        objects = new TreeMap<>(Objects.requireNonNull(objects));
        objects.replaceAll((k, v) -> List.copyOf(v.stream().sorted().toList()));
    }

    public static SchemaModel of(Map<String, List<String>> objects) {
        return new SchemaModel(new TreeMap<>(objects));
    }

    /** Every difference, worded for a DBA: missing objects, extra objects, and differing lines. */
    public List<String> differencesFrom(SchemaModel expected) {
        List<String> out = new ArrayList<>();
        for (var e : expected.objects.entrySet()) {
            List<String> mine = objects.get(e.getKey());
            if (mine == null) {
                out.add("missing " + e.getKey());
                continue;
            }
            for (String line : e.getValue()) {
                if (!mine.contains(line)) {
                    out.add(e.getKey() + ": expected " + line);
                }
            }
            for (String line : mine) {
                if (!e.getValue().contains(line)) {
                    out.add(e.getKey() + ": unexpected " + line);
                }
            }
        }
        for (String key : objects.keySet()) {
            if (!expected.objects.containsKey(key)) {
                out.add("unexpected " + key);
            }
        }
        return out;
    }
}
