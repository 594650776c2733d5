package dev.promoter.core.checkpoint;

import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.spi.ChecksumCutter;
import dev.promoter.core.spi.CounterState;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.tree.CheckpointsFile;
import dev.promoter.core.checkpoint.SplitChecksums.Timed;
import dev.promoter.core.tree.DeclaredCheck;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs the checkpoints of a run against the migrated staging database: new tables, carried row counts,
 * content checksums of untouched tables, key counters, and the path's declared checks.
 */
public final class CheckpointRunner {
    private final Introspector introspector;
    private final Dialect dialect;
    private Jdbi parallelStaging;
    private int workers = 1;

    public CheckpointRunner(Dialect dialect) {
        this.dialect = dialect;
        this.introspector = dialect.introspector();
    }

    /**
     * Computes the content checksums ({@code content of t unchanged}, a full read of each untouched table, the
     * slowest checks) on {@code workers} sessions of {@code staging} at once; results keep their order and each
     * reports its own duration. Without this, {@link #run} computes them one by one on its handle.
     */
    public CheckpointRunner parallel(Jdbi staging, int workers) {
        this.parallelStaging = staging;
        this.workers = Math.max(1, workers);
        return this;
    }

    public List<CheckpointResult> run(Handle staging, Snapshot snapshot, MigrationPlan plan) {
        ExecutorService pool = parallelStaging != null && workers > 1
                ? Executors.newFixedThreadPool(workers, r -> new Thread(r, "promoter-checksum")) : null;
        try {
            return run(staging, snapshot, plan, pool);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private List<CheckpointResult> run(Handle staging, Snapshot snapshot, MigrationPlan plan, ExecutorService pool) {
        List<CheckpointResult> out = new ArrayList<>();
        List<TableRef> stagingTables = introspector.tables(staging).stream()
                .filter(t -> !LiquibaseMigrator.isTrackingTable(t.name())).toList();
        Set<TableRef> inStaging = new HashSet<>(stagingTables);
        Set<TableRef> inLive = snapshot.tables().keySet().stream()
                .filter(t -> !LiquibaseMigrator.isTrackingTable(t.name())).collect(Collectors.toSet());
        List<TableRef> all = java.util.stream.Stream.concat(inLive.stream(), stagingTables.stream()).distinct().toList();
        TableNames names = new TableNames(all);
        // declared changes, per table they name, and per name as written (a new table the path also drops is in neither)
        Map<TableRef, String> changes = new HashMap<>();
        Map<String, String> declaredChanges = new HashMap<>();
        Map<String, String> declaredNew = new TreeMap<>();
        for (var v : plan.versions()) {
            CheckpointsFile cf = v.checkpoints();
            cf.newTables().forEach(t -> declaredNew.putIfAbsent(key(t), t));
            cf.rowCountChanges().forEach((t, c) -> {
                declaredChanges.merge(key(t), c, TableNames::combine);
                TableNames.resolve(t, all).forEach(table -> changes.merge(table, c, TableNames::combine));
            });
        }

        // new tables: declared ones exist; undeclared ones are reported
        for (var d : declaredNew.entrySet()) {
            String t = d.getKey();
            boolean dropped = "drop".equals(declaredChanges.get(t));
            boolean present = !TableNames.resolve(d.getValue(), stagingTables).isEmpty();
            out.add(timed("new table " + t + " exists", "new-table", () -> present || dropped
                    ? CheckpointResult.pass("new table " + t + " exists", "new-table", "present", "present", 0)
                    : CheckpointResult.fail("new table " + t + " exists", "new-table", "present", "missing",
                    "declared in new_tables of the path's checkpoints.yaml, but staging has no such table "
                            + "after the migration: a script forgot to create it", 0)));
        }
        for (TableRef st : stagingTables) {
            if (!inLive.contains(st) && declaredNew.values().stream()
                    .noneMatch(d -> TableNames.resolve(d, stagingTables).contains(st))) {
                out.add(new CheckpointResult("new table " + st.display() + " is declared", "new-table",
                        CheckpointResult.Status.WARN, "declared", "undeclared",
                        "staging has this table, live does not, and no checkpoints.yaml on the path lists it in "
                                + "new_tables: add it there", 0));
            }
        }

        // carried tables (the same schema and name in staging as in live): counts, checksums
        TouchedTables touched = new TouchedTables(plan);
        Map<TableRef, CompletableFuture<Timed>> sums = new HashMap<>();
        // the foreign-key check (anti-joins in the server) starts first on a session of its own and is reported
        // in its place below
        CompletableFuture<CheckpointResult> foreignKeys = pool == null ? null : CompletableFuture.supplyAsync(
                () -> timed("foreign keys valid", "foreign-key", () -> parallelStaging.withHandle(h ->
                        new ForeignKeyCheck(dialect).run(h, stagingTables))), pool);
        if (pool != null) {
            ChecksumCutter cutter = parallelStaging.withHandle(introspector::checksumCutter);
            SplitChecksums split = new SplitChecksums(cutter, parallelStaging, pool, workers);
            for (TableRef t : snapshot.tables().keySet()) {
                if (inLive.contains(t) && inStaging.contains(t) && changes.get(t) == null && !touched.touches(t)) {
                    sums.put(t, split.start(t));
                }
            }
        }
        for (var e : snapshot.tables().entrySet()) {
            TableRef liveTable = e.getKey();
            if (!inLive.contains(liveTable)) {
                continue; // a tracking table
            }
            TableChecksum before = e.getValue();
            String k = names.label(liveTable);
            String change = changes.get(liveTable);
            TableRef st = inStaging.contains(liveTable) ? liveTable : null;
            if ("drop".equals(change)) {
                out.add(st == null
                        ? CheckpointResult.pass("table " + k + " dropped", "row-count", "absent", "absent", 0)
                        : CheckpointResult.fail("table " + k + " dropped", "row-count", "absent", "present",
                        "checkpoints.yaml says this version drops the table, but staging still has it", 0));
                continue;
            }
            if (st == null) {
                out.add(CheckpointResult.fail("rows of " + k + " carried", "row-count", before.rows() + " rows",
                        "table missing", "the table was in live at the snapshot and is gone from staging; declare "
                                + k + ": drop in row_count_changes if the path removes it on purpose", 0));
                continue;
            }
            if (change == null && !touched.touches(liveTable)) {
                // the checksum counts the rows too: no separate COUNT(*) scan for an untouched table
                CompletableFuture<Timed> pending = sums.get(liveTable);
                Timed sum = pending != null ? await(pending) : Timed.of(h -> introspector.checksum(h, st), staging);
                out.add(sum.error() == null
                        ? rowCount(k, before, null, sum.checksum().rows(), 0)
                        : timed("rows of " + k + " carried", "row-count", () -> rowCount(k, before, null, introspector.rowCount(staging, st), 0)));
                out.add(content(k, before, sum));
            } else {
                out.add(timed("rows of " + k + " carried", "row-count",
                        () -> rowCount(k, before, change, introspector.rowCount(staging, st), 0)));
            }
        }

        // counters
        out.add(timed("key counters ahead of max keys", "counter", () -> {
            List<CounterState> behind = introspector.counters(staging).stream().filter(CounterState::isBehind).toList();
            return behind.isEmpty()
                    ? CheckpointResult.pass("key counters ahead of max keys", "counter", "next > max key", "all ahead", 0)
                    : CheckpointResult.fail("key counters ahead of max keys", "counter", "next > max key",
                    behind.stream().map(c -> c.name() + " next " + c.nextValue() + " <= max " + c.maxKey()).toList().toString(),
                    "the next insert would collide with an existing key: restart the counter above the max key "
                            + "in the script that moved the rows", 0);
        }));

        // foreign keys
        out.add(foreignKeys != null ? foreignKeys.join()
                : timed("foreign keys valid", "foreign-key", () -> new ForeignKeyCheck(dialect).run(staging, stagingTables)));

        // declared checks
        for (var v : plan.versions()) {
            for (DeclaredCheck c : v.checkpoints().checks()) {
                out.add(timed(c.name(), "declared", () -> declared(staging, c, v.version().toString())));
            }
        }
        return out;
    }

    private static CheckpointResult content(String k, TableChecksum before, Timed sum) {
        String name = "content of " + k + " unchanged";
        if (sum.error() != null) {
            return CheckpointResult.fail(name, "checksum", before.text(), "error", rootMessage(sum.error()), sum.millis());
        }
        TableChecksum after = sum.checksum();
        return after.equals(before)
                ? CheckpointResult.pass(name, "checksum", before.text(), after.text(), sum.millis())
                : CheckpointResult.fail(name, "checksum", before.text(), after.text(),
                "no script on the path mentions this table, yet its content checksum differs from "
                        + "live's at the snapshot: a value was changed or lost", sum.millis());
    }

    private static Timed await(CompletableFuture<Timed> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Timed(null, new IllegalStateException("interrupted", e), 0);
        } catch (ExecutionException e) {
            return new Timed(null, new IllegalStateException(e.getCause()), 0);
        }
    }

    private static CheckpointResult rowCount(String k, TableChecksum before, String change, long after, long millis) {
        String name = "rows of " + k + " carried";
        if ("any".equals(change)) {
            return CheckpointResult.pass(name, "row-count", "any (declared)", String.valueOf(after), millis);
        }
        long expected = before.rows() + (change == null ? 0 : Long.parseLong(change.replace("+", "")));
        return after == expected
                ? CheckpointResult.pass(name, "row-count", String.valueOf(expected), String.valueOf(after), millis)
                : CheckpointResult.fail(name, "row-count", String.valueOf(expected), String.valueOf(after),
                "live had " + before.rows() + " rows at the snapshot" + (change == null ? "" : " and the path declares "
                        + change) + "; staging has " + after + ". If the path changes this count on purpose, declare it "
                        + "in row_count_changes", millis);
    }

    private static CheckpointResult declared(Handle staging, DeclaredCheck c, String version) {
        Optional<Object> v;
        try {
            v = staging.createQuery(c.sql()).mapToMap().findFirst().map(m -> m.values().iterator().next());
        } catch (RuntimeException e) {
            return CheckpointResult.fail(c.name(), "declared", String.valueOf(c.expect()), "error",
                    "the query of version " + version + " failed: " + rootMessage(e), 0);
        }
        String actual = v.map(String::valueOf).orElse("(no row)");
        return CheckpointsFile.matches(c.expect(), v.orElse(null))
                ? CheckpointResult.pass(c.name(), "declared", String.valueOf(c.expect()), actual, 0)
                : CheckpointResult.fail(c.name(), "declared", String.valueOf(c.expect()), actual,
                "version " + version + " checkpoints.yaml: " + c.sql(), 0);
    }

    private static CheckpointResult timed(String name, String kind, Supplier<CheckpointResult> check) {
        long t0 = System.nanoTime();
        CheckpointResult r;
        try {
            r = check.get();
        } catch (RuntimeException e) {
            r = CheckpointResult.fail(name, kind, "", "error", rootMessage(e), 0);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new CheckpointResult(r.name(), r.kind(), r.status(), r.expected(), r.actual(), r.detail(), ms);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
