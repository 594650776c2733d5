package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The indexes and the primary key, unique and exclusion constraints of each large table, built as soon as that
 * table's rows are in staging, while the workers go on copying other tables; everything else of post-data
 * (foreign keys, triggers, rules, partitioned tables' indexes and their ATTACH entries, comments, materialized view
 * data, the small tables' indexes) stays in the one {@code pg_restore} run after the copy ({@link #rest}).
 * <p>
 * Which entries of the schema archive belong to which table is read from live's catalogue in the snapshot, by the
 * object ids {@code pg_restore --list} prints: an {@code INDEX} entry's is its index's {@code pg_class} row, a
 * {@code CONSTRAINT} entry's its {@code pg_constraint} row ({@code FK CONSTRAINT} and {@code INDEX ATTACH} entries
 * are told apart by their type and never taken early); the comments that follow such an entry go with it. An index
 * that calls a user's function waits for the whole copy ({@link #builtIn}). Only tables of {@code fromBytes} or more on live get an
 * early build, each by a {@code pg_restore --use-list} of their own entries: a process per table is about 40 ms,
 * nothing next to a large table's index build, and most of a copy of thousands of small tables.
 * Builds run one table at a time, on one session of one background thread (beside the copy's sessions, not in
 * place of one: a large index build is parallel on the server already); a failure fails the clone when
 * {@link #rest} is asked.
 */
final class PostgresEarlyPostData implements AutoCloseable {
    /** Tables from this size on live (the rows and their TOAST data) get their indexes built early. */
    static final long FROM_BYTES = PostgresIntrospector.SPLIT_BLOCKS * 8192;

    private static final Pattern INDEX = Pattern.compile("^(\\d+); 1259 (\\d+) INDEX ");
    private static final Pattern CONSTRAINT = Pattern.compile("^(\\d+); 2606 (\\d+) CONSTRAINT ");
    /**
     * An index's or constraint's comment (or security label): pg_dump writes it as its own entry right after its
     * object's (dumpIndex, dumpConstraint), and pg_restore skips it when its object is not in the same run, so it
     * goes with its object.
     */
    private static final Pattern ATTACHED = Pattern.compile("^\\d+; 0 0 (COMMENT|SECURITY LABEL) ");

    private final Path pgRestore;
    private final Path archive;
    private final ConnectionSpec staging;
    private final String stagingName;
    private final ProgressListener progress;
    private final Map<TableRef, List<String>> early;
    private final List<Entry> toc;
    private final java.util.Set<TableRef> started = ConcurrentHashMap.newKeySet();
    private final Path dir;
    private final ExecutorService builder;
    private final List<Future<?>> builds = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger submitted = new java.util.concurrent.atomic.AtomicInteger();

    private PostgresEarlyPostData(Path pgRestore, Path archive, ConnectionSpec staging, String stagingName,
                                  ProgressListener progress, Map<TableRef, List<String>> early, List<Entry> toc)
            throws IOException {
        this.pgRestore = pgRestore;
        this.archive = archive;
        this.staging = staging;
        this.stagingName = stagingName;
        this.progress = progress;
        this.early = early;
        this.toc = toc;
        this.dir = Files.createTempDirectory("promoter-post-data-");
        this.builder = early.isEmpty() ? null
                : Executors.newSingleThreadExecutor(dev.promoter.core.DaemonThreads.factory("promoter-post-data"));
    }

    /**
     * Plans the early builds: reads the post-data entries of {@code archive} and, on {@code live} (in the snapshot
     * the archive was dumped from), which table each index and constraint is on; tables of {@code sizes} with
     * {@code fromBytes} or more get theirs early.
     */
    static PostgresEarlyPostData plan(Connection live, Path pgRestore, Path archive, Map<TableRef, Long> sizes,
                                      long fromBytes, ConnectionSpec staging, String stagingName,
                                      ProgressListener progress) throws SQLException, IOException {
        Map<Long, TableRef> indexes = new HashMap<>();
        Map<Long, TableRef> constraints = new HashMap<>();
        if (sizes.values().stream().anyMatch(s -> s >= fromBytes)) {
            try (Statement st = live.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT 'i', i.indexrelid::int8, n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND " + builtIn("i.indexrelid")
                            + " UNION ALL SELECT 'c', k.oid::int8, n.nspname, c.relname FROM pg_constraint k "
                            + "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                            + "WHERE k.contype IN ('p', 'u', 'x') AND c.relkind = 'r' AND " + builtIn("k.conindid"))) {
                while (rs.next()) {
                    TableRef t = new TableRef(rs.getString(3), rs.getString(4));
                    Long size = sizes.get(t);
                    if (size != null && size >= fromBytes) {
                        (rs.getString(1).equals("i") ? indexes : constraints).put(rs.getLong(2), t);
                    }
                }
            }
        }
        Map<TableRef, List<String>> early = new LinkedHashMap<>();
        List<Entry> toc = new ArrayList<>();
        TableRef owner = null; // the table of the early entry just taken, whose comments follow it
        for (String line : PostgresClientTools.toc(pgRestore, archive).text().split("\n")) {
            TableRef t = tableOf(line, INDEX, indexes);
            if (t == null) {
                t = tableOf(line, CONSTRAINT, constraints);
            }
            if (t == null && owner != null && ATTACHED.matcher(line).find()) {
                t = owner;
            }
            if (t != null) {
                early.computeIfAbsent(t, k -> new ArrayList<>()).add(line);
            }
            toc.add(new Entry(line, t));
            owner = t;
        }
        return new PostgresEarlyPostData(pgRestore, archive, staging, stagingName, progress, early, toc);
    }

    /**
     * The index {@code index} calls no function or operator but the server's own (pg_depend records those its
     * expressions, predicate and exclusion operators use). A user's function in an index may read other tables
     * (declared IMMUTABLE or not), which an early build would find still empty or half copied: such an index waits
     * for the whole copy, as pg_restore orders it.
     */
    private static String builtIn(String index) {
        return "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = " + index
                + " AND d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass) AND d.refobjid >= 16384)";
    }

    private static TableRef tableOf(String line, Pattern entry, Map<Long, TableRef> tables) {
        Matcher m = entry.matcher(line);
        return m.find() ? tables.get(Long.parseLong(m.group(2))) : null;
    }

    /** {@code table}'s rows are all in staging: its early build, if it has one, starts (after any before it). */
    void tableCopied(TableRef table) {
        List<String> entries = early.get(table);
        if (entries == null || !started.add(table)) {
            return;
        }
        String name = "table-" + submitted.incrementAndGet() + ".list";
        synchronized (builds) {
            builds.add(builder.submit(() -> {
                long t0 = System.nanoTime();
                Path list = write(name, entries);
                PostgresClientTools.restoreSection(pgRestore, staging, stagingName, archive, "post-data",
                        1, list,
                        "build the indexes and constraints of table " + table + " in \"" + stagingName + "\"");
                progress.message(String.format(Locale.ROOT, "Indexes and constraints of table %s (%d) built in %.2f s, "
                        + "as soon as its rows were in", table, entries.size(), (System.nanoTime() - t0) / 1e9));
                return null;
            }));
        }
    }

    /**
     * Waits for every early build (the first failure is thrown), then returns the list of the other post-data
     * entries, in the archive's order, for the run after the copy: those of no early build, and those of a table
     * whose build never started (a table {@link #tableCopied} was not told of keeps its indexes).
     */
    Path rest() throws IOException {
        List<Future<?>> all;
        synchronized (builds) {
            all = List.copyOf(builds);
        }
        for (Future<?> f : all) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PromoterException.failed("Interrupted while the indexes of staging were built", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof PromoterException p) {
                    throw p;
                }
                throw PromoterException.failed("Unable to build the indexes of staging \"" + stagingName + "\": "
                        + e.getCause() + ". Production is untouched; drop staging and retry", e.getCause());
            }
        }
        return write("rest.list", toc.stream().filter(e -> e.table == null || !started.contains(e.table))
                .map(Entry::line).toList());
    }

    /** The tables whose early build ran. */
    int built() {
        return started.size();
    }

    /** A line of the archive's table of contents, and the table it is built early with (null: after the copy). */
    private record Entry(String line, TableRef table) {
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Cancels the builds not yet started (a failed clone) and waits for the running one, whose server session would
     * otherwise go on building into staging; interrupted while waiting, ends its pg_restore. Removes the list files.
     */
    @Override
    public void close() {
        if (builder != null) {
            synchronized (builds) {
                builds.forEach(f -> f.cancel(false));
            }
            builder.shutdown();
            try {
                builder.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS);
            } catch (InterruptedException e) {
                // the run is being stopped (Ctrl-C): end the running pg_restore; dropping staging ends its session
                builder.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover list file in the temp folder is harmless
        }
    }
}
