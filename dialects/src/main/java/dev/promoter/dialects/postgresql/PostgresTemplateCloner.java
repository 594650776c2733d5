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

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The template clone: the server copies live's files ({@code CREATE DATABASE staging TEMPLATE live STRATEGY
 * FILE_COPY}), close to the physical limit. PostgreSQL needs live to have no session while it copies, so
 * connections to live are refused ({@code ALLOW_CONNECTIONS false}) for exactly that long and allowed again
 * afterwards, even on failure. With the write freeze (the default) live is read-only from before the
 * watermark is read to the switch; without it, a write between the watermark and the hold-off makes the
 * switch refuse (the safe side). The snapshot's checksums are computed on the copy, which is live's state.
 */
final class PostgresTemplateCloner {
    private PostgresTemplateCloner() {
    }

    static Snapshot cloneByTemplate(CloneRequest request, ProgressListener progress) {
        PostgresServer server = new PostgresServer(request.live());
        String live = server.liveDatabase();
        String staging = PostgresUrl.parse(request.staging().url()).database();
        WriteFreeze freeze = WriteFreeze.NONE;
        try (Connection admin = server.admin()) {
            if (request.freezeWrites()) {
                freeze = PostgresWriteFreeze.take(server, request.lockTimeout());
                progress.message("Writes frozen: " + freeze.describe());
            }
            String watermark;
            try (Connection c = Connections.open(request.live())) {
                watermark = PostgresWatermark.readNow(c).encode();
            }
            Instant takenAt = Instant.now();
            long blocked = copyFiles(admin, live, staging, request);
            progress.message("Copied \"" + live + "\" to \"" + staging + "\" by file copy; connections to live were "
                    + "refused for " + blocked + " ms");
            return Snapshot.of(takenAt, watermark, checksums(request), freeze);
        } catch (SQLException | RuntimeException e) {
            freeze.release();
            if (e instanceof PromoterException p) {
                throw p;
            }
            throw PromoterException.failed("Unable to clone \"" + live + "\" into \"" + staging + "\" by template: "
                    + (e instanceof SQLException s ? Connections.describe(s) : e.toString())
                    + ". Production is untouched (connections are allowed again); retry, or use --clone-strategy online", e);
        }
    }

    /** Holds connections to live off, copies the files, lets connections in again; returns the hold-off in ms. */
    private static long copyFiles(Connection admin, String live, String staging, CloneRequest request) throws SQLException {
        String q = PostgresDialect.quoteIdentifier(live);
        long t0 = System.nanoTime();
        try (Statement st = admin.createStatement()) {
            st.execute("ALTER DATABASE " + q + " WITH ALLOW_CONNECTIONS false");
            try {
                PostgresSessions.end(admin, live, List.of(), request.lockTimeout());
                st.execute("DROP DATABASE IF EXISTS " + PostgresDialect.quoteIdentifier(staging));
                st.execute("CREATE DATABASE " + PostgresDialect.quoteIdentifier(staging) + " TEMPLATE " + q
                        + " STRATEGY FILE_COPY");
            } finally {
                st.execute("ALTER DATABASE " + q + " WITH ALLOW_CONNECTIONS true");
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Every table's checksum on the copy, largest first, on {@code parallelism} sessions, large tables in pieces. */
    private static Map<TableRef, TableChecksum> checksums(CloneRequest request) throws SQLException {
        List<TableRef> tables;
        try (Connection c = Connections.open(request.staging())) {
            tables = PostgresCloner.largestFirst(c);
        }
        ExecutorService pool = Executors.newFixedThreadPool(request.parallelism(), r -> new Thread(r, "promoter-pg-checksum"));
        try {
            SplitChecksums split = new SplitChecksums(new PostgresIntrospector(), Connections.jdbi(request.staging()), pool,
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
}
