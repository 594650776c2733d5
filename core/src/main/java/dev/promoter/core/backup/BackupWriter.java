package dev.promoter.core.backup;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import dev.promoter.core.PromoterException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * The folder of a backup that a stage writes while it reads the data for its own purpose (a PostgreSQL
 * online clone writes the backup from the very rows it streams to staging, so live is read once). Each file
 * made with {@link #create} has its size and an XXH3-128 digest taken from the bytes as they are written; once
 * closed, it is forced to disk and read back from disk on a background thread while the stage goes on, which takes
 * its sha-256 (the manifest's) and its XXH3-128 again: equal digests prove the file on disk holds exactly what was
 * streamed ({@link #written}). The writer's thread thus pays for the cheap digest only (writing 570 MB took it
 * 645 ms of CPU with sha-256, 367 ms with XXH3-128), and the sha-256 is the one of the bytes on disk. The seal
 * checks every file against the manifest, re-reading only those not read back that way. Files written by other
 * programs (through {@link #path}) are hashed when the backup is sealed. Thread-safe: workers may write files at
 * once.
 */
public final class BackupWriter {
    private static final Hasher128 XXH3 = Hashing.xxh3_128();
    private static final int FORCERS = 2;

    private final Path dir;
    private final Map<String, Streamed> written = new ConcurrentHashMap<>();
    private final Map<String, ReadBack> readBack = new ConcurrentHashMap<>();
    /**
     * Each forcing thread's one buffer for reading files back: a new 1 MB array a file, with 5000 small files, raised
     * the tool's peak RSS from 241 to 389 MB.
     */
    private final ThreadLocal<byte[]> readBuffer = ThreadLocal.withInitial(() -> new byte[256 << 10]);

    /** A file as read back from disk after its fsync: its size and sha-256 then, its XXH3-128, its modification time. */
    record ReadBack(BackupManifest.FileEntry entry, String xxh3, java.nio.file.attribute.FileTime modified) {
    }

    /** A file as it was written through {@link #create}: the bytes streamed into it, and their XXH3-128. */
    private record Streamed(long bytes, String xxh3) {
    }
    /**
     * Forces closed files to disk and reads them back, off the writers' threads (see {@link #awaitDurable}), two at a
     * time: the pieces of a large table close together at the end of a copy, and their read-backs (sha-256 being most
     * of it) are then what the seal waits for.
     */
    private final ExecutorService forcer = Executors.newFixedThreadPool(FORCERS,
            dev.promoter.core.DaemonThreads.factory("promoter-backup-sync"));
    private final Queue<Future<?>> pending = new ConcurrentLinkedQueue<>();

    BackupWriter(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Refuses, before anything is written, when the folder's file system has less usable space than
     * {@code bytes} (an estimate of what the backup will take, described by {@code what}).
     */
    public void ensureRoom(long bytes, String what) {
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw PromoterException.failed("Unable to read the free space of backup folder " + dir + ": " + e, e);
        }
        if (free < bytes) {
            throw PromoterException.refused("The backup needs about " + mb(bytes) + " MB (" + what + ") but " + dir
                    + " has " + mb(free) + " MB free. Free some space, choose another --backup-dir, or use "
                    + "--backup-format dump (compressed). Nothing was copied");
        }
    }

    private static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** Where a file of the backup that another program writes goes ({@code relative} uses '/'). */
    public Path path(String relative) throws IOException {
        Path p = dir.resolve(relative).normalize();
        if (!p.startsWith(dir)) {
            throw new IllegalArgumentException("backup file " + relative + " is outside the backup folder");
        }
        Files.createDirectories(p.getParent());
        return p;
    }

    /**
     * Waits until every file closed so far is on disk; the first failure to force one is thrown. The seal calls it
     * before the manifest is written: a backup is called good only once its files are on disk. Until then the
     * forcing runs beside the writers (a 750 MB file took 0.35 s more with its fsync than without), so that the
     * clone goes on with its indexes meanwhile.
     */
    void awaitDurable() throws IOException {
        try {
            for (Future<?> f; (f = pending.poll()) != null; ) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while forcing the backup's files to disk");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            if (pending.isEmpty()) {
                forcer.shutdown();
            }
        }
    }

    /** Stops forcing files of a backup that is being discarded. */
    void abandon() {
        forcer.shutdownNow();
        pending.clear();
    }

    /**
     * A new file of the backup; when the stream is closed its size and XXH3-128 are recorded and it is forced to disk
     * in the background ({@link #awaitDurable}). Buffered (64 kB): a caller may write one small row at a time
     * without a system call and a digest update for each.
     */
    public OutputStream create(String relative) throws IOException {
        Path p = path(relative);
        FileChannel channel = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new BufferedOutputStream(new DigestingStream(relative, channel), 64 << 10);
    }

    /**
     * The manifest's entries of the files written through {@link #create} (complete once {@link #awaitDurable}
     * returned): each file's size and sha-256 as read back from disk, once the read proved the file holds the bytes
     * streamed into it (same size, same XXH3-128). A file not read back yet, or changed since (another size or
     * modification time), is read now. Refuses, naming the file, one whose content on disk is not what was written.
     */
    Map<String, BackupManifest.FileEntry> written() throws IOException {
        Map<String, BackupManifest.FileEntry> out = new java.util.TreeMap<>();
        for (var e : written.entrySet()) {
            String name = e.getKey();
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) {
                continue; // removed by its writer (an empty file it did not keep): the seal lists what is there
            }
            ReadBack r = readBack.get(name);
            if (r == null || r.entry().bytes() != Files.size(p) || !r.modified().equals(Files.getLastModifiedTime(p))) {
                r = read(name, new byte[256 << 10]);
                readBack.put(name, r);
            }
            Streamed s = e.getValue();
            if (r.entry().bytes() != s.bytes() || !r.xxh3().equals(s.xxh3())) {
                throw PromoterException.refused("Backup file " + p + " does not hold what was written to it ("
                        + s.bytes() + " bytes were streamed into it, " + r.entry().bytes() + " bytes with another "
                        + "digest are on disk): the disk or another program changed it. Do not rely on this backup; "
                        + "check the disk and take a new backup");
            }
            out.put(name, r.entry());
        }
        return out;
    }

    /**
     * The files read back from disk after their fsync, each with the size and sha-256 read (complete once
     * {@link #awaitDurable} returned). The seal takes one as checked when it equals the manifest's entry and the
     * file still has that size and modification time: the same read the check after the manifest would make, made
     * earlier.
     */
    Map<String, ReadBack> readBack() {
        return Map.copyOf(readBack);
    }

    private final class DigestingStream extends OutputStream {
        private final String name;
        private final FileChannel channel;
        private final OutputStream out;
        private final HashStream128 xxh3 = XXH3.hashStream();
        private long bytes;
        private boolean closed;

        DigestingStream(String name, FileChannel channel) {
            this.name = name;
            this.channel = channel;
            this.out = Channels.newOutputStream(channel);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            xxh3.putByte((byte) b);
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            xxh3.putBytes(b, off, len);
            bytes += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            written.put(name, new Streamed(bytes, hex(xxh3.get())));
            // only the channel: the stream keeps the last array written to it (the caller's 64 kB buffer), which
            // thousands of files waiting for their turn would otherwise hold (5000 tables: 275 -> 326-350 MB RSS)
            FileChannel file = channel;
            String named = name;
            try {
                pending.add(forcer.submit(() -> {
                    forceAndClose(file);
                    readBack(named);
                    return null;
                }));
            } catch (RejectedExecutionException e) { // sealed or discarded already: force here
                forceAndClose(file);
            }
        }
    }

    /**
     * Reads file {@code name} back from disk: its size and digests as they are there now. A file its writer removed
     * again (an empty one it did not keep) is not recorded; the seal lists what is there.
     */
    private void readBack(String name) throws IOException {
        try {
            readBack.put(name, read(name, readBuffer.get()));
        } catch (java.nio.file.NoSuchFileException removed) {
            readBack.remove(name);
        }
    }

    /** One read of file {@code name} through {@code buf}: its size, sha-256 and XXH3-128, and modification time. */
    private ReadBack read(String name, byte[] buf) throws IOException {
        Path p = dir.resolve(name);
        var modified = Files.getLastModifiedTime(p);
        MessageDigest sha = sha256();
        HashStream128 xxh3 = XXH3.hashStream();
        long size = 0;
        try (java.io.InputStream in = Files.newInputStream(p)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
                xxh3.putBytes(buf, 0, n);
                size += n;
            }
        }
        return new ReadBack(new BackupManifest.FileEntry(name, size, HexFormat.of().formatHex(sha.digest())),
                hex(xxh3.get()), modified);
    }

    private static String hex(HashValue128 h) {
        return HexFormat.of().toHexDigits(h.getMostSignificantBits()) + HexFormat.of().toHexDigits(h.getLeastSignificantBits());
    }

    private static void forceAndClose(FileChannel file) throws IOException {
        try (file) {
            file.force(true); // a backup is called good only once it is on disk
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
