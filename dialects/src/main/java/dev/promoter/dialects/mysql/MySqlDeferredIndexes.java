package dev.promoter.dialects.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secondary indexes built after a table's rows are loaded instead of row by row during the load: InnoDB then
 * sorts each index once ({@code ALTER TABLE ... ADD KEY}), as {@code mysqldump}-style restores cannot.
 *
 * <p>Works on the {@code SHOW CREATE TABLE} text, one definition per line. Deferred: plain and unique
 * {@code KEY}s. Kept in the {@code CREATE}: the primary key; FULLTEXT and SPATIAL keys; a key whose leading
 * columns back a foreign key (else InnoDB adds an index of its own); a key led by the AUTO_INCREMENT column
 * (which must be indexed at creation); in a table without a primary key, every unique key (the first
 * NOT NULL one becomes the clustered index); and any key defined before a kept key of its kind, since the
 * server lists keys of a kind in creation order and staging's {@code SHOW CREATE TABLE} must equal live's.
 */
record MySqlDeferredIndexes(MySqlObjects.Ddl table, List<String> deferred) {
    private static final Pattern KEY = Pattern.compile("^(UNIQUE )?KEY `(?:[^`]|``)*` \\((.*)\\)[^)]*$");
    private static final Pattern FOREIGN = Pattern.compile("^CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY \\((.*?)\\) REFERENCES .*$");
    private static final Pattern AUTO = Pattern.compile("^(`(?:[^`]|``)*`) .* AUTO_INCREMENT.*$");

    /** Splits {@code create} (a table's SHOW CREATE TABLE); a statement it does not recognise is left whole. */
    /**
     * Every table of {@code tables} without its deferred keys, in order; each table's {@code ALTER TABLE} that adds
     * them is put in {@code alterAfter} by table name.
     */
    static List<MySqlObjects.Ddl> splitAll(List<MySqlObjects.Ddl> tables, java.util.Map<String, String> alterAfter) {
        List<MySqlObjects.Ddl> out = new java.util.ArrayList<>();
        for (MySqlObjects.Ddl t : tables) {
            MySqlDeferredIndexes split = split(t);
            out.add(split.table());
            if (split.alter() != null) {
                alterAfter.put(t.name(), split.alter());
            }
        }
        return out;
    }

    static MySqlDeferredIndexes split(MySqlObjects.Ddl create) {
        String[] lines = create.sql().split("\n", -1);
        int last = lines.length - 1;
        while (last > 0 && !lines[last].startsWith(")")) {
            last--;
        }
        if (lines.length < 3 || !lines[0].endsWith("(") || last < 2) {
            return new MySqlDeferredIndexes(create, List.of());
        }
        List<String> defs = new ArrayList<>();
        for (int i = 1; i < last; i++) {
            String d = lines[i].strip();
            defs.add(d.endsWith(",") ? d.substring(0, d.length() - 1) : d);
        }
        boolean hasPrimary = defs.stream().anyMatch(d -> d.startsWith("PRIMARY KEY "));
        List<String> foreignLeads = new ArrayList<>();
        String auto = null;
        for (String d : defs) {
            Matcher f = FOREIGN.matcher(d);
            if (f.matches()) {
                foreignLeads.add(f.group(1).replace(" ", ""));
            }
            Matcher a = AUTO.matcher(d);
            if (a.matches()) {
                auto = a.group(1);
            }
        }
        boolean[] deferrable = new boolean[defs.size()];
        int[] lastKept = {-1, -1}; // per kind, plain KEY and UNIQUE KEY: the server lists each kind in creation order
        for (int i = 0; i < defs.size(); i++) {
            Matcher k = KEY.matcher(defs.get(i));
            if (!k.matches()) {
                continue;
            }
            int kind = k.group(1) == null ? 0 : 1;
            boolean defer = hasPrimary || kind == 0;
            String cols = k.group(2).replaceAll("\\(\\d+\\)", "").replaceAll("\\s+(ASC|DESC)", "").replace(" ", "");
            for (String lead : foreignLeads) {
                if ((cols + ",").startsWith(lead + ",")) {
                    defer = false;
                }
            }
            if (cols.split(",")[0].equals(auto)) {
                defer = false;
            }
            deferrable[i] = defer;
            if (!defer) {
                lastKept[kind] = i;
            }
        }
        List<String> kept = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            Matcher k = KEY.matcher(defs.get(i));
            // only keys after the last kept key of their kind, so SHOW CREATE TABLE lists them in live's order
            boolean defer = deferrable[i] && i > lastKept[k.matches() && k.group(1) != null ? 1 : 0];
            (defer ? deferred : kept).add(defs.get(i));
        }
        if (deferred.isEmpty()) {
            return new MySqlDeferredIndexes(create, List.of());
        }
        StringBuilder sql = new StringBuilder(lines[0]).append('\n');
        for (int i = 0; i < kept.size(); i++) {
            sql.append("  ").append(kept.get(i)).append(i < kept.size() - 1 ? ",\n" : "\n");
        }
        for (int i = last; i < lines.length; i++) {
            sql.append(lines[i]).append(i < lines.length - 1 ? "\n" : "");
        }
        MySqlObjects.Ddl t = create;
        return new MySqlDeferredIndexes(new MySqlObjects.Ddl(t.kind(), t.name(), t.table(), sql.toString(), t.sqlMode(), t.timeZone()),
                List.copyOf(deferred));
    }

    /** The ALTER that builds the deferred keys, or null when none was deferred. */
    String alter() {
        if (deferred.isEmpty()) {
            return null;
        }
        return "ALTER TABLE " + MySqlDialect.quoteName(table.name()) + " ADD " + String.join(", ADD ", deferred);
    }
}
