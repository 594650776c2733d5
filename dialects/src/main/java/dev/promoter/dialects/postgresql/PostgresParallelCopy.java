package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.Workers;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.io.OutputStream;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data step of the online clone: every table's rows copied by {@code request.parallelism()} workers that all
 * joined the exported snapshot, largest table first ({@link PostgresTableCopier} for each table or piece).
 */
final class PostgresParallelCopy {
    private final CloneRequest request;
    private final String snapshotId;
    private final long splitBlocks;

    PostgresParallelCopy(CloneRequest request, String snapshotId, long splitBlocks) {
        this.request = request;
        this.snapshotId = snapshotId;
        this.splitBlocks = splitBlocks;
    }

    /**
     * Copies the tables on {@code request.parallelism()} workers, largest first, each in the COPY shape read for
     * all of them in the snapshot ({@code shapes}); with a backup, each table's COPY data also goes to its file,
     * listed in {@code files}. With {@link #SPLIT_FROM_SESSIONS} sessions or more, a table of two pieces of
     * {@code splitBlocks} blocks or more is copied in block ranges by several workers at once ({@link #pieces}).
     * {@code copied} is told of each table once all its rows are in staging (on the worker that copied the last).
     */
    Map<TableRef, TableChecksum> run(Map<TableRef, Long> sizes, Map<TableRef, PostgresIntrospector.Shape> shapes,
                                     Map<TableRef, PostgresCopyBackup.TableFile> files, ProgressListener progress,
                                     java.util.function.Consumer<TableRef> copied) {
        List<TableRef> tables = List.copyOf(sizes.keySet());
        BackupWriter backup = request.backup();
        ConcurrentLinkedQueue<Piece> queue = new ConcurrentLinkedQueue<>();
        Map<TableRef, Pieces> byTable = new ConcurrentHashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            List<PostgresCopyRows.BlockRange> ranges = pieces(shapes.get(t), request.parallelism());
            Pieces all = new Pieces(t, ranges.size());
            byTable.put(t, all);
            for (int k = 0; k < ranges.size(); k++) {
                queue.add(new Piece(all, ranges.get(k), PostgresCopyBackup.dataFile(i + 1, k, ranges.size())));
            }
        }
        int workers = Math.max(1, Math.min(request.parallelism(), queue.size()));
        Workers.run(workers, "promoter-copy", queue, () -> {
            try (Connection live = Connections.open(request.live());
                 Connection staging = Connections.open(request.staging())) {
                PostgresTableCopier.joinSnapshot(live, snapshotId);
                PostgresTableCopier copier = new PostgresTableCopier(live, staging);
                Piece p;
                while ((p = queue.poll()) != null) {
                    TableRef t = p.table.table;
                    if (p.table.started.compareAndSet(false, true)) {
                        progress.tableStarted(t, -1);
                    }
                    PostgresIntrospector.Shape shape = shapes.get(t);
                    PostgresCopyRows rows = shape == null ? null : shape.rows();
                    ProgressListener told = p.range == null ? progress : p.table.progress(progress);
                    PostgresTableCopier.Copied piece;
                    if (backup == null) {
                        piece = copier.copy(t, p.range, sizes.get(t), told, null, rows);
                    } else {
                        try (OutputStream out = backup.create(p.file)) {
                            piece = copier.copy(t, p.range, sizes.get(t), told, out, rows);
                        }
                    }
                    if (p.table.add(piece, p.file, p.range != null, progress)) {
                        copied.accept(t);
                    }
                }
                live.commit();
            }
            return null;
        }, cause -> PromoterException.failed("Unable to copy the data of live: " + cause, cause));
        Map<TableRef, TableChecksum> sums = new java.util.HashMap<>();
        byTable.forEach((t, all) -> {
            sums.put(t, all.sum);
            if (backup != null) {
                files.put(t, new PostgresCopyBackup.TableFile(t.schema(), t.name(), List.copyOf(all.files), all.shape.format(), all.shape.columns(), all.sum.rows()));
            }
        });
        return sums;
    }

    /**
     * Sessions from which a large table is split. On 2 cores, two sessions loading halves of pgbench_accounts at
     * scale 50 took as long as one (3.9-4.0 s either way, 3 runs each, 2026-12-03), the server's COPY FROM and
     * the relay already filling both cores, and the pieces, loaded without FREEZE, cost the first read after them
     * 0.2-0.3 s more (hint bits): below this, one FREEZE stream a table is the better use of the cores.
     */
    static final int SPLIT_FROM_SESSIONS = 3;

    /**
     * The block ranges table {@code shape} is copied in: at most one a session, each of at least
     * {@link #splitBlocks} blocks, from {@link #SPLIT_FROM_SESSIONS} sessions on and PostgreSQL 14 on (TID Range
     * Scan); otherwise the whole table at once (a single null).
     */
    private List<PostgresCopyRows.BlockRange> pieces(PostgresIntrospector.Shape shape, int sessions) {
        if (shape == null || sessions < SPLIT_FROM_SESSIONS) {
            return java.util.Collections.singletonList(null);
        }
        return PostgresCopyRows.BlockRange.cut(shape.blocks(), sessions, splitBlocks, shape.version());
    }

    /** One range of a table ({@code range} null: all of it) and the backup file its rows go to. */
    private record Piece(Pieces table, PostgresCopyRows.BlockRange range, String file) {
    }

    /** A table's pieces as they come in: their checksums summed, their files, the table finished with the last. */
    private static final class Pieces {
        final TableRef table;
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicLong bytesSoFar = new AtomicLong();
        final java.util.SortedSet<String> files = new java.util.TreeSet<>(); // written under add's lock
        private int left;
        private long bytes;
        TableChecksum sum;
        PostgresCopyRows shape;

        Pieces(TableRef table, int pieces) {
            this.table = table;
            this.left = pieces;
        }

        /** What a piece reports of its progress, as the bytes of the whole table so far. */
        ProgressListener progress(ProgressListener to) {
            return new ProgressListener() {
                private long mine;

                @Override
                public void rowsCopied(TableRef t, long rows, long bytes) {
                    long total = bytesSoFar.addAndGet(bytes - mine);
                    mine = bytes;
                    to.rowsCopied(t, -1, total);
                }
            };
        }

        /** Adds a piece; true when it was the table's last. */
        synchronized boolean add(PostgresTableCopier.Copied copied, String file, boolean piece, ProgressListener progress) {
            sum = sum == null ? copied.checksum() : sum.plus(copied.checksum());
            shape = copied.shape();
            bytes += copied.bytes();
            files.add(file);
            if (--left == 0 && piece) {
                progress.tableFinished(table, sum.rows(), bytes);
            }
            return left == 0;
        }
    }

}
