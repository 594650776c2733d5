package dev.promoter.core.checkpoint;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.ChecksumPart;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The pieces of one table's checksum run at once, on sessions of a real (H2) database, and add up. */
class SplitChecksumsTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A cutter into the pieces {@code cut} gives for a table. */
    private static dev.promoter.core.spi.ChecksumCutter cutInto(java.util.function.Function<TableRef, List<ChecksumPart>> cut) {
        return (handle, table, parts) -> cut.apply(table);
    }

    /** Pieces that each wait until all of them have started. */
    private static dev.promoter.core.spi.ChecksumCutter meetingPieces(int pieces, CountDownLatch started) {
        return cutInto(table -> java.util.Collections.nCopies(pieces, h -> {
            started.countDown();
            boolean together;
            try {
                together = started.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            long one = h.createQuery("SELECT 1").mapTo(Long.class).one();
            return TableChecksum.of(together ? one : 0, BigInteger.valueOf(7));
        }));
    }

    private static Jdbi h2(Path dir) {
        return Connections.jdbi(new ConnectionSpec("jdbc:h2:file:" + dir + "/pieces", "sa", Secret.none()));
    }

    @Test
    void piecesRunAtOnceAndAddUp(@TempDir Path dir) throws Exception {
        CountDownLatch started = new CountDownLatch(3);
        SplitChecksums split = new SplitChecksums(meetingPieces(3, started), h2(dir), pool, 3);
        SplitChecksums.Timed t = split.start(new TableRef("PUBLIC", "T")).get(30, TimeUnit.SECONDS);
        assertThat(t.error()).isNull();
        assertThat(t.checksum().rows()).as("every piece saw the others start").isEqualTo(3);
        assertThat(t.checksum().hashSum()).isEqualTo(BigInteger.valueOf(21));
    }

    @Test
    void aFailingPieceIsTheResultsError(@TempDir Path dir) throws Exception {
        dev.promoter.core.spi.ChecksumCutter failing = cutInto(table -> List.of(h -> TableChecksum.of(1, BigInteger.ONE), h -> {
            throw new IllegalStateException("piece two of " + table.display() + " failed");
        }));
        SplitChecksums.Timed t = new SplitChecksums(failing, h2(dir), pool, 2).start(new TableRef("PUBLIC", "T"))
                .get(30, TimeUnit.SECONDS);
        assertThat(t.checksum()).isNull();
        assertThat(t.error()).hasMessageContaining("piece two of").hasMessageContaining("failed");
    }
}
