package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Snapshot checksums computed beside the copies instead of after them: at most {@code size} connections to
 * live, each joined to the exported snapshot when first needed. The checksums run without parallel query
 * workers: the copies already keep the cores busy, and extra workers would only take CPU from them.
 * Closing ends the read-only transactions and closes the connections.
 */
final class PostgresSnapshotChecksums implements AutoCloseable {
    private final ConnectionSpec live;
    private final String snapshotId;
    private final ExecutorService pool;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final List<Connection> opened = new ArrayList<>();
    private boolean closed;

    PostgresSnapshotChecksums(ConnectionSpec live, String snapshotId, int size) {
        this.live = live;
        this.snapshotId = snapshotId;
        this.pool = Executors.newFixedThreadPool(size, r -> new Thread(r, "promoter-checksum"));
    }

    /** Starts the snapshot checksum of {@code table}; {@link #await} gives it. */
    Future<TableChecksum> start(TableRef table) {
        return pool.submit(() -> {
            Connection c = borrow();
            try {
                return PostgresIntrospector.checksum(c, table);
            } finally {
                idle.add(c);
            }
        });
    }

    /** Waits for a checksum that {@link #start} began. */
    static TableChecksum await(Future<TableChecksum> sum, TableRef table) {
        try {
            return sum.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PromoterException.failed("Interrupted while computing the checksum of table " + table, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : PromoterException.failed(
                    "Unable to compute the checksum of table " + table + ": " + e.getCause(), e.getCause());
        }
    }

    private Connection borrow() throws SQLException {
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        c = Connections.open(live);
        synchronized (opened) {
            if (closed) {
                c.close();
                throw new SQLException("the checksum connections are closed");
            }
            opened.add(c);
        }
        PostgresTableCopier.joinSnapshot(c, snapshotId);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL max_parallel_workers_per_gather = 0");
        }
        return c;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        synchronized (opened) {
            closed = true;
            for (Connection c : opened) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // a read-only transaction: nothing is lost
                }
            }
        }
    }
}
