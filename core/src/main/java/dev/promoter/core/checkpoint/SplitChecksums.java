package dev.promoter.core.checkpoint;

import dev.promoter.core.spi.ChecksumCutter;
import dev.promoter.core.spi.ChecksumPart;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Content checksums computed on sessions of one database at once, a large table's in pieces
 * ({@link Introspector#checksumParts}) so that one big table does not leave the other sessions idle. Nothing
 * blocks a pool thread: the pieces are chained, and the caller waits for {@link #start}'s future.
 */
public final class SplitChecksums {
    private final ChecksumCutter cutter;
    private final Jdbi database;
    private final Executor pool;
    private final int parts;

    /** {@code parts}: the most pieces one table is cut into, normally the number of sessions. */
    public SplitChecksums(ChecksumCutter cutter, Jdbi database, Executor pool, int parts) {
        this.cutter = cutter;
        this.database = database;
        this.pool = pool;
        this.parts = Math.max(1, parts);
    }

    /** A checksum (or the failure computing it) and how long its longest piece took. */
    public record Timed(TableChecksum checksum, RuntimeException error, long millis) {
        static Timed of(ChecksumPart part, Handle handle) {
            long t0 = System.nanoTime();
            try {
                TableChecksum c = part.compute(handle);
                return new Timed(c, null, (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                return new Timed(null, e, (System.nanoTime() - t0) / 1_000_000);
            }
        }

        /** Two disjoint pieces of one table together; the first failure wins. */
        Timed plus(Timed other) {
            long ms = Math.max(millis, other.millis);
            if (error != null || other.error != null) {
                return new Timed(null, error != null ? error : other.error, ms);
            }
            return new Timed(checksum.plus(other.checksum), null, ms);
        }
    }

    /**
     * Starts the checksum of {@code table}: one session cuts it, queues the other pieces on the pool and computes
     * the first piece itself, so the pieces run at once. The future never completes exceptionally (see
     * {@link Timed#error}).
     */
    public CompletableFuture<Timed> start(TableRef table) {
        return CompletableFuture.supplyAsync(() -> database.withHandle(h -> {
                    List<ChecksumPart> pieces = cutter.cut(h, table, parts);
                    if (pieces.isEmpty()) {
                        throw new IllegalStateException("the dialect cut table " + table + " into no pieces");
                    }
                    List<CompletableFuture<Timed>> rest = pieces.subList(1, pieces.size()).stream()
                            .map(p -> CompletableFuture.supplyAsync(() -> database.withHandle(o -> Timed.of(p, o)), pool))
                            .toList();
                    return new Started(Timed.of(pieces.get(0), h), rest);
                }), pool)
                .thenCompose(Started::sum)
                .exceptionally(e -> new Timed(null, unwrap(e), 0));
    }

    /** The first piece, computed, and the others under way. */
    private record Started(Timed first, List<CompletableFuture<Timed>> rest) {
        CompletableFuture<Timed> sum() {
            CompletableFuture<Timed> sum = CompletableFuture.completedFuture(first);
            for (CompletableFuture<Timed> r : rest) {
                sum = sum.thenCombine(r, Timed::plus);
            }
            return sum;
        }
    }

    private static RuntimeException unwrap(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
}
