package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backup with {@code mariadb-dump}/{@code mysqldump --single-transaction} (one consistent snapshot, no
 * locks on InnoDB tables) of the schema, data, routines, triggers and events into {@value #FILE}. Row counts
 * are read from the dump itself (rows of each table's INSERT statements), so they describe exactly what
 * the file holds. Restore pipes the file into the {@code mariadb}/{@code mysql} client on an empty database.
 */
final class MySqlBackupTool implements BackupTool {
    static final String FILE = "dump.sql";
    private final MySqlClientTools tools;

    MySqlBackupTool(MySqlClientTools tools) {
        this.tools = tools;
    }

    @Override
    public Map<TableRef, Long> backup(ConnectionSpec source, Path dir, ProgressListener progress) {
        ConnectionSpec spec = MySqlUrl.normalize(source);
        String db = MySqlUrl.parse(spec.url()).database();
        Path file = dir.resolve(FILE);
        progress.message("Dumping " + db + " to " + file);
        tools.run(tools.dump(), spec, List.of("--single-transaction", "--routines", "--triggers", "--events",
                "--hex-blob", "--default-character-set=utf8mb4", "--no-tablespaces", "--skip-add-locks",
                "--skip-lock-tables", "--result-file=" + file, "--", db), null, null, "back up database " + db);
        return countRows(file);
    }

    @Override
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        ConnectionSpec spec = MySqlUrl.normalize(target);
        String db = MySqlUrl.parse(spec.url()).database();
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw PromoterException.badInput("No MySQL backup in " + dir + ": " + FILE + " is missing");
        }
        progress.message("Restoring " + file + " into " + db);
        tools.run(tools.client(), spec, List.of("--default-character-set=utf8mb4", "--binary-mode", "--", db),
                file, null, "restore " + file + " into database " + db);
    }

    /** Rows per table in the dump: the parenthesised tuples of each {@code INSERT INTO `t` VALUES} line. */
    static Map<TableRef, Long> countRows(Path file) {
        Map<TableRef, Long> counts = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            TableRef inserting = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                int from = 0;
                if (inserting == null && line.startsWith("CREATE TABLE `")) {
                    counts.putIfAbsent(new TableRef(null, name(line, "CREATE TABLE ".length())), 0L);
                    continue;
                } else if (inserting == null && line.startsWith("INSERT INTO `")) {
                    int[] end = new int[1];
                    inserting = new TableRef(null, name(line, "INSERT INTO ".length(), end));
                    from = end[0];
                } else if (inserting == null) {
                    continue;
                }
                long[] t = tuples(line, from);
                counts.merge(inserting, t[0], Long::sum);
                if (t[1] == 1) {
                    inserting = null;
                }
            }
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read backup file " + file + ": " + e.getMessage(), e);
        }
        counts.keySet().removeIf(t -> MySqlIntrospector.LIQUIBASE_TABLES.contains(t.name().toUpperCase(java.util.Locale.ROOT)));
        return counts;
    }

    private static String name(String line, int start) {
        return name(line, start, new int[1]);
    }

    /** The backquoted name starting at {@code start} (doubled backquotes undone); end[0] = index after it. */
    private static String name(String line, int start, int[] end) {
        StringBuilder sb = new StringBuilder();
        int i = start + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '`') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '`') {
                    sb.append('`');
                    i += 2;
                    continue;
                }
                break;
            }
            sb.append(c);
            i++;
        }
        end[0] = i + 1;
        return sb.toString();
    }

    /**
     * Counts top-level '(' outside quoted strings (dump strings escape quotes with a backslash) and tells
     * whether the statement ends on this line: {count, 1 if ended}. Tuples never span lines (the dump
     * writes newlines in strings as \n), but one INSERT may span many lines (mariadb-dump 10.11).
     */
    private static long[] tuples(String line, int from) {
        long n = 0;
        int depth = 0;
        boolean quoted = false;
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    quoted = false;
                }
            } else if (c == '\'') {
                quoted = true;
            } else if (c == '(') {
                if (depth++ == 0) {
                    n++;
                }
            } else if (c == ')') {
                depth--;
            } else if (c == ';' && depth == 0) {
                return new long[] {n, 1};
            }
        }
        return new long[] {n, 0};
    }
}
