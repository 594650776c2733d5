package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backup with {@code mariadb-dump}/{@code mysqldump --single-transaction} (one consistent snapshot, no
 * locks on InnoDB tables) of the schema, data, routines, triggers and events into {@value #FILE}. Row counts
 * are read from the dump itself (rows of each table's INSERT statements) as the tool writes it: the dump's
 * output passes through Promoter on its way to the file, so they describe exactly what the file holds and
 * cost no second read. Restore pipes the file into the {@code mariadb}/{@code mysql} client on an empty database.
 * A run's online clone writes its backup itself ({@link MySqlCopyBackup}); restore tells the two apart.
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
        Map<TableRef, Long> counts = new TreeMap<>();
        tools.run(tools.dump(), spec, List.of("--single-transaction", "--routines", "--triggers", "--events",
                "--hex-blob", "--default-character-set=utf8mb4", "--no-tablespaces", "--skip-add-locks",
                "--skip-lock-tables", "--", db), stdout -> {
                    try (OutputStream out = Files.newOutputStream(file)) {
                        new RowCounter(counts, progress).feed(new Tee(stdout, out));
                    }
                }, "back up database " + db);
        return withoutLiquibase(counts);
    }

    /** What is read from {@code in} is also written to {@code copy}: the dump is counted as it is written. */
    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;

        Tee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                copy.write(c);
            }
            return c;
        }
    }

    @Override
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        if (MySqlCopyBackup.isIn(dir)) {
            MySqlCopyBackup.restore(dir, target, progress);
            return;
        }
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

    /**
     * Rows per table in the dump: the parenthesised tuples of each {@code INSERT INTO `t` VALUES} statement,
     * counted over bytes (no decoding: UTF-8 never puts these ASCII bytes inside a character). Only the head
     * of a line outside an INSERT is decoded, to read a table's name. Tuples never span lines (the dump writes
     * newlines in strings as \n), but one INSERT may span many lines (mariadb-dump 10.11).
     */
    static Map<TableRef, Long> countRows(Path file) {
        Map<TableRef, Long> counts = new TreeMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            new RowCounter(counts, ProgressListener.NONE).feed(in);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read backup file " + file + ": " + e.getMessage(), e);
        }
        return withoutLiquibase(counts);
    }

    private static Map<TableRef, Long> withoutLiquibase(Map<TableRef, Long> counts) {
        counts.keySet().removeIf(t -> MySqlIntrospector.LIQUIBASE_TABLES.contains(t.name().toUpperCase(java.util.Locale.ROOT)));
        return counts;
    }

    /** The state machine of {@link #countRows}: a line's head, then the tuples of an INSERT. */
    private static final class RowCounter {
        private static final int HEAD = 4096;
        private static final boolean[] SPECIAL = new boolean[256];

        static {
            for (char c : "\n'\\();".toCharArray()) {
                SPECIAL[c] = true;
            }
        }

        private final Map<TableRef, Long> counts;
        private final byte[] head = new byte[HEAD];
        private int headSize;
        private boolean skipLine;
        private TableRef inserting;
        private long tuples;
        private int depth;
        private boolean quoted;
        private boolean escaped;

        private final ProgressListener progress;
        /** The table whose data the dump is writing now (its CREATE TABLE came last), told to {@code progress}. */
        private TableRef current;

        RowCounter(Map<TableRef, Long> counts, ProgressListener progress) {
            this.counts = counts;
            this.progress = progress;
        }

        /** The dump has moved on to {@code next} (null: it ended): the table before it is done. */
        private void moveTo(TableRef next) {
            if (current != null) {
                progress.tableFinished(current, counts.getOrDefault(current, 0L), 0);
            }
            current = next;
            if (next != null) {
                progress.tableStarted(next, -1);
            }
        }

        void feed(InputStream in) throws IOException {
            byte[] buf = new byte[1 << 20];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                int i = 0;
                while (i < n) {
                    if (inserting != null) {
                        i = tuples(buf, i, n);
                    } else {
                        accept(buf[i++]);
                    }
                }
            }
            if (inserting == null && !skipLine && headSize > 0) {
                decide(false);
            }
            endLine();
            moveTo(null);
        }

        /**
         * The hot loop, over an INSERT's bytes in {@code buf[from, to)} with the state in locals; returns where it
         * stopped: at {@code to}, or just after the statement's closing ';'.
         */
        private int tuples(byte[] buf, int from, int to) {
            long n = tuples;
            int d = depth;
            boolean q = quoted;
            boolean e = escaped;
            int i = from;
            try {
                while (i < to) {
                    byte c = buf[i++];
                    if (!SPECIAL[c & 0xff]) {
                        e = false;
                    } else if (c == '\n') {
                        tuples = n;
                        endLine();
                        n = 0;
                        d = 0;
                        q = false;
                        e = false;
                    } else if (q) {
                        if (e) {
                            e = false;
                        } else if (c == '\\') {
                            e = true;
                        } else if (c == '\'') {
                            q = false;
                        }
                    } else if (c == '\'') {
                        q = true;
                    } else if (c == '(') {
                        if (d++ == 0) {
                            n++;
                        }
                    } else if (c == ')') {
                        d--;
                    } else if (c == ';' && d == 0) {
                        counts.merge(inserting, n, Long::sum);
                        n = 0;
                        inserting = null;
                        skipLine = true;
                        return i;
                    }
                }
                return i;
            } finally {
                tuples = n;
                depth = d;
                quoted = q;
                escaped = e;
            }
        }

        private void accept(byte c) {
            if (skipLine) {
                if (c == '\n') {
                    skipLine = false;
                }
            } else if (c == '\n') {
                decide(false);
                headSize = 0;
                endLine();
            } else {
                head[headSize++] = c;
                if (headSize == HEAD) {
                    decide(true);
                }
            }
        }

        /** The head of a line outside an INSERT is complete (or full): a CREATE TABLE, an INSERT, or neither. */
        private void decide(boolean lineGoesOn) {
            String line = new String(head, 0, headSize, StandardCharsets.UTF_8);
            int size = headSize;
            headSize = 0;
            skipLine = lineGoesOn;
            if (line.startsWith("CREATE TABLE `")) {
                TableRef t = new TableRef(null, name(line, "CREATE TABLE ".length()));
                counts.putIfAbsent(t, 0L);
                moveTo(t);
            } else if (line.startsWith("INSERT INTO `")) {
                int[] end = new int[1];
                inserting = new TableRef(null, name(line, "INSERT INTO ".length(), end));
                skipLine = false;
                int from = line.substring(0, Math.min(end[0], line.length())).getBytes(StandardCharsets.UTF_8).length;
                byte[] rest = java.util.Arrays.copyOfRange(head, from, size);
                tuples(rest, 0, rest.length);
                if (inserting == null) {
                    skipLine = lineGoesOn; // the statement ended inside the head: ignore the rest of this line only
                }
            }
        }

        /** Tuples never span lines: a line's end resets the tuple state and books what the line held. */
        private void endLine() {
            if (inserting != null) {
                counts.merge(inserting, tuples, Long::sum);
            }
            tuples = 0;
            depth = 0;
            quoted = false;
            escaped = false;
        }
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
}
