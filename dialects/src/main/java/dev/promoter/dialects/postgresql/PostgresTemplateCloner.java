package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.checkpoint.SplitChecksums;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;

import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.spi.ChecksumPart;
import org.jdbi.v3.core.Handle;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The template clone: the server copies live's files ({@code CREATE DATABASE staging TEMPLATE live STRATEGY
 * FILE_COPY}), close to the physical limit. PostgreSQL needs live to have no session while it copies, so
 * connections to live are refused ({@code ALLOW_CONNECTIONS false}) for exactly that long and allowed again
 * afterwards, even on failure. With the write freeze (the default) live is read-only from before the
 * watermark is read to the switch; without it, a write between the watermark and the hold-off makes the
 * switch refuse (the safe side). The snapshot's checksums are computed on the copy, which is live's state;
 * the run's backup is written from those same reads ({@link #checksumsAndBackup}).
 */
final class PostgresTemplateCloner {
    private static final Executor DUMPER = dev.promoter.core.DaemonThreads.named("promoter-pg-dump");

    private PostgresTemplateCloner() {
    }

    static Snapshot cloneByTemplate(CloneRequest request, PostgresClientTools tools, ProgressListener progress) {
        return cloneByTemplate(request, tools, progress, PostgresIntrospector.SPLIT_BLOCKS);
    }

    /** As above; tables of at least {@code splitBlocks} blocks per piece are read in pieces (tests use small ones). */
    static Snapshot cloneByTemplate(CloneRequest request, PostgresClientTools tools, ProgressListener progress,
                                    long splitBlocks) {
        PostgresServer server = new PostgresServer(request.live());
        String live = server.liveDatabase();
        String staging = PostgresUrl.parse(request.staging().url()).database();
        WriteFreeze freeze = WriteFreeze.NONE;
        try (Connection admin = server.admin()) {
            if (request.backup() != null) {
                try (Connection c = Connections.open(request.live())) {
                    PostgresCopyBackup.ensureRoom(request.backup(), c);
                }
            }
            if (request.freezeWrites()) {
                freeze = PostgresWriteFreeze.take(server, request.lockTimeout());
                progress.message("Writes frozen: " + freeze.describe());
            }
            String watermark;
            try (Connection c = Connections.open(request.live())) {
                watermark = PostgresWatermark.readNow(c).encode();
            }
            Instant takenAt = Instant.now();
            long blocked = copyFiles(server, admin, live, staging, request);
            progress.message("Copied \"" + live + "\" to \"" + staging + "\" by file copy; connections to live were "
                    + "refused for " + blocked + " ms");
            // CREATE DATABASE ... TEMPLATE copies the files, not the database's own settings and privileges
            PostgresCloner.carryDatabaseProperties(admin, live, staging, progress);
            Map<TableRef, TableChecksum> sums = request.backup() == null ? checksums(request, null, splitBlocks)
                    : checksumsAndBackup(request, tools, progress, splitBlocks, live);
            return Snapshot.of(takenAt, watermark, sums, freeze);
        } catch (SQLException | IOException | RuntimeException e) {
            freeze.release();
            if (e instanceof PromoterException p) {
                throw p;
            }
            throw PromoterException.failed("Unable to clone \"" + live + "\" into \"" + staging + "\" by template: "
                    + (e instanceof SQLException s ? Connections.describe(s) : e.toString())
                    + ". Production is untouched (connections are allowed again); retry, or use --clone-strategy online", e);
        }
    }

    /**
     * Holds connections to live off ({@link PostgresHoldOff}: a run that dies here leaves them for the next run to
     * let in), copies the files, lets connections in again, also when the copy failed or was cut off; returns the
     * hold-off in ms. The copy waits at most the lock timeout for a lock on live (a session elsewhere that holds
     * one, for a {@code COMMENT ON DATABASE} say, would otherwise keep live closed for as long).
     */
    private static long copyFiles(PostgresServer server, Connection admin, String live, String staging,
                                  CloneRequest request) throws SQLException {
        String q = PostgresDialect.quoteIdentifier(live);
        long t0 = System.nanoTime();
        PostgresHoldOff hold = PostgresHoldOff.take(server, admin, live);
        try (Statement st = admin.createStatement()) {
            PostgresSessions.end(admin, live, List.of(), request.lockTimeout());
            st.execute("DROP DATABASE IF EXISTS " + PostgresDialect.quoteIdentifier(staging));
            st.execute("SET lock_timeout = " + Math.max(1, request.lockTimeout().toMillis()));
            try {
                st.execute("CREATE DATABASE " + PostgresDialect.quoteIdentifier(staging) + " TEMPLATE " + q
                        + " STRATEGY FILE_COPY");
            } catch (SQLException e) {
                if (PostgresSessions.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw PromoterException.failed("Unable to copy \"" + live + "\": another session held a lock on the "
                            + "database for longer than " + request.lockTimeout().toMillis() + " ms (" + Connections.describe(e)
                            + "; see pg_locks WHERE locktype = 'object' AND classid = 'pg_database'::regclass). "
                            + "Connections to live are allowed again; retry when it is done", e);
                }
                throw e;
            }
            st.execute("RESET lock_timeout");
        } catch (SQLException | RuntimeException e) {
            try {
                hold.release(admin);
            } catch (RuntimeException r) {
                r.addSuppressed(e);
                throw r; // connections still refused: that is what the user must act on
            }
            throw e;
        }
        hold.release(admin);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * The checksums, and the run's backup written from the same reads of the copy (which is live's state): the
     * copy layout of {@link PostgresCopyBackup}, with the schema dumped from the copy beside the reads, and the
     * users' rows of extension configuration tables read from the copy ({@link PostgresExtensionRows}), and
     * live's database properties ({@link PostgresDatabaseProperties}).
     */
    private static Map<TableRef, TableChecksum> checksumsAndBackup(CloneRequest request, PostgresClientTools tools,
                                                                   ProgressListener progress, long splitBlocks,
                                                                   String live) throws SQLException, IOException {
        BackupWriter backup = request.backup();
        String staging = PostgresUrl.parse(request.staging().url()).database();
        Path pgDump;
        try (Connection c = Connections.open(request.staging())) {
            pgDump = tools.find("pg_dump", c.getMetaData().getDatabaseMajorVersion());
        }
        List<String> dumpArgs = List.of(pgDump.toString(), "--format=custom", "--section=pre-data",
                "--section=post-data", "--no-sync", "--file=" + backup.path(PostgresCopyBackup.SCHEMA));
        CompletableFuture<Void> dump = CompletableFuture.runAsync(() -> PostgresClientTools.run("dump \"" + staging
                + "\" (the copy of live) into the backup", PostgresClientTools.builder(request.staging(), dumpArgs)), DUMPER);
        try {
            Map<TableRef, PostgresCopyBackup.TableFile> files = new ConcurrentHashMap<>();
            Map<TableRef, TableChecksum> sums = checksums(request, files, splitBlocks);
            try (Connection c = Connections.open(request.staging())) {
                List<PostgresExtensionRows.Copied> extensionRows = PostgresExtensionRows.copy(c, null, backup);
                PostgresLargeObjects.Copied objects = PostgresCopyBackup.writeLargeObjects(backup,
                        f -> PostgresLargeObjects.export(c, f));
                PostgresCopyBackup.writeLayout(backup, PostgresCopyBackup.Layout.of(c,
                        new TreeMap<>(files).values().stream().toList(), extensionRows, PostgresCloner.readSequences(c),
                        objects.objects() > 0 ? PostgresCopyBackup.LARGE_OBJECTS : null));
                // live's, as the copy (which has them from carryDatabaseProperties) was made
                PostgresDatabaseProperties.keep(backup, c, live);
            }
            return sums;
        } finally {
            try {
                dump.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
    }

    /**
     * Every table's checksum on the copy, largest first, on {@code parallelism} sessions, large tables in pieces;
     * with {@code files}, each piece's COPY data also goes to a backup file, listed there per table.
     */
    private static Map<TableRef, TableChecksum> checksums(CloneRequest request,
                                                          Map<TableRef, PostgresCopyBackup.TableFile> files,
                                                          long splitBlocks) throws SQLException {
        List<TableRef> tables;
        Map<TableRef, PostgresIntrospector.Shape> shapes;
        try (Connection c = Connections.open(request.staging())) {
            tables = PostgresCloner.largestFirst(c);
            shapes = PostgresIntrospector.shapes(c); // one query, not two a table
        }
        ExecutorService pool = Executors.newFixedThreadPool(request.parallelism(), r -> new Thread(r, "promoter-pg-checksum"));
        try (com.zaxxer.hikari.HikariDataSource sessions = Connections.pool(request.staging(), "template-checksum",
                request.parallelism())) {
            BackupReader reader = new BackupReader(request, tables, files, splitBlocks, shapes);
            SplitChecksums split = new SplitChecksums(reader::checksumParts, org.jdbi.v3.core.Jdbi.create(sessions), pool,
                    request.parallelism());
            Map<TableRef, CompletableFuture<SplitChecksums.Timed>> pending = new LinkedHashMap<>();
            tables.forEach(t -> pending.put(t, split.start(t)));
            Map<TableRef, TableChecksum> sums = new TreeMap<>();
            for (var e : pending.entrySet()) {
                SplitChecksums.Timed sum = e.getValue().get();
                if (sum.error() != null) {
                    throw PromoterException.failed("Unable to compute the snapshot's checksum of table " + e.getKey()
                            + " on the copy: " + sum.error().getMessage(), sum.error());
                }
                sums.put(e.getKey(), sum.checksum());
            }
            if (files != null) {
                reader.finish(sums);
            }
            return sums;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.failed("Interrupted while computing the snapshot's checksums", e);
        } catch (ExecutionException e) {
            throw PromoterException.failed("Unable to compute the snapshot's checksums on the copy: "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * How the template's checksums cut tables: tables of {@code splitBlocks} blocks per piece are
     * cut into pieces, and when a backup is written ({@code files} not null) each piece also writes its COPY
     * data to the table's backup files, whose names and shape are gathered for tables.json.
     */
    private static final class BackupReader {
        private final BackupWriter backup;
        private final Map<TableRef, Integer> index = new java.util.HashMap<>();
        private final Map<TableRef, java.util.Set<String>> names = new ConcurrentHashMap<>();
        private final Map<TableRef, PostgresCopyRows> shapes = new ConcurrentHashMap<>();
        private final Map<TableRef, PostgresCopyBackup.TableFile> files;

        private final long splitBlocks;
        private final Map<TableRef, PostgresIntrospector.Shape> known;

        BackupReader(CloneRequest request, List<TableRef> tables, Map<TableRef, PostgresCopyBackup.TableFile> files,
                     long splitBlocks, Map<TableRef, PostgresIntrospector.Shape> known) {
            this.backup = request.backup();
            this.files = files;
            this.splitBlocks = splitBlocks;
            this.known = known;
            for (int i = 0; i < tables.size(); i++) {
                index.put(tables.get(i), i + 1);
            }
        }

        List<ChecksumPart> checksumParts(Handle handle, TableRef table, int parts) {
            PostgresIntrospector.Shape shape = known.get(table);
            if (files == null) {
                return PostgresIntrospector.checksumParts(handle.getConnection(), table, parts, splitBlocks, null, shape);
            }
            try {
                shapes.put(table, shape != null ? shape.rows() : PostgresCopyRows.of(handle.getConnection(), table));
            } catch (SQLException e) {
                throw PromoterException.failed("Unable to read the columns of table " + table + ": "
                        + Connections.describe(e), e);
            }
            java.util.Set<String> tableFiles = new java.util.concurrent.ConcurrentSkipListSet<>();
            names.put(table, tableFiles);
            return PostgresIntrospector.checksumParts(handle.getConnection(), table, parts, splitBlocks,
                    (piece, pieces) -> {
                        String name = PostgresCopyBackup.dataFile(index.get(table), piece, pieces);
                        tableFiles.add(name);
                        return backup.create(name);
                    }, shape);
        }

        void finish(Map<TableRef, TableChecksum> sums) {
            sums.forEach((t, sum) -> files.put(t, new PostgresCopyBackup.TableFile(t.schema(), t.name(),
                    List.copyOf(names.get(t)), shapes.get(t).format(), shapes.get(t).columns(), sum.rows())));
        }
    }
}
