package dev.promoter.core.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Takes a backup through a dialect's {@link BackupTool}, writes and checks its manifest, restores it. */
public final class Backups {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final BackupTool tool;
    private final Clock clock;

    public Backups(BackupTool tool, Clock clock) {
        this.tool = tool;
        this.clock = clock;
    }

    /** Backs {@code source} up into the new folder {@code dir}; the result is checked against its manifest. */
    public BackupManifest backup(ConnectionSpec source, Path dir, String database, String dialect, String product,
                                 String version, ProgressListener progress) {
        BackupWriter writer = prepare(dir);
        Map<TableRef, Long> counts = tool.backup(source, dir, progress);
        return seal(writer, database, dialect, product, version, counts);
    }

    /**
     * The new, empty folder {@code dir} for a backup that another stage writes ({@link BackupWriter}); it is
     * a backup only once {@link #seal}ed.
     */
    public static BackupWriter prepare(Path dir) {
        try {
            if (Files.exists(dir) && !isEmpty(dir)) {
                throw PromoterException.badInput("Backup folder " + dir + " is not empty; choose a new --backup-dir");
            }
            Files.createDirectories(dir);
            return new BackupWriter(dir.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw PromoterException.failed("Unable to create backup folder " + dir + ": " + e.getMessage()
                    + ". Check that the folder is writable", e);
        }
    }

    /**
     * Writes the manifest of the files in {@code writer}'s folder with the row counts {@code counts} and checks
     * every file against it. Sizes and digests of files made through {@link BackupWriter#create} are the ones
     * taken as they were written; other files are hashed now.
     */
    public BackupManifest seal(BackupWriter writer, String database, String dialect, String product, String version,
                               Map<TableRef, Long> counts) {
        Path dir = writer.dir();
        try {
            Map<String, Long> tables = new TreeMap<>();
            counts.forEach((t, n) -> tables.put(t.display(), n));
            writer.awaitDurable();
            Map<String, BackupManifest.FileEntry> written = writer.written();
            BackupManifest m = new BackupManifest(BackupManifest.FORMAT, database, dialect, product, version,
                    clock.instant(), tables, files(dir, written));
            forceToDisk(dir, written);
            Path manifest = dir.resolve(BackupManifest.FILE_NAME);
            JSON.writeValue(manifest.toFile(), m);
            force(manifest);
            force(dir);
            return verify(dir, writer.readBack());
        } catch (IOException e) {
            throw PromoterException.failed("Unable to write backup into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a backup folder that was never sealed (the stage writing it failed), so that no half-written
     * backup is left to be mistaken for one. A sealed folder (with its manifest) is never touched.
     */
    public static void discard(BackupWriter writer) {
        writer.abandon();
        Path dir = writer.dir();
        if (Files.exists(dir.resolve(BackupManifest.FILE_NAME))) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // what is left has no manifest, so verify() and restore refuse it
        }
    }

    /** Reads the manifest and checks every file's size and sha-256; refuses a damaged backup. */
    public static BackupManifest verify(Path dir) {
        return verify(dir, Map.<String, BackupWriter.ReadBack>of());
    }

    /**
     * As {@link #verify(Path)}, but a file whose entry in {@code readBack} (its size and sha-256 read back from disk
     * after it was forced there) equals the manifest's, and which still has that size and modification time, is not
     * read again.
     */
    private static BackupManifest verify(Path dir, Map<String, BackupWriter.ReadBack> readBack) {
        Path mf = dir.resolve(BackupManifest.FILE_NAME);
        if (!Files.isRegularFile(mf)) {
            throw PromoterException.badInput("No " + BackupManifest.FILE_NAME + " in " + dir
                    + ": this is not a Promoter backup folder");
        }
        BackupManifest m;
        try {
            m = JSON.readValue(mf.toFile(), BackupManifest.class);
        } catch (IOException e) {
            throw PromoterException.badInput("Unreadable backup manifest " + mf + ": " + e.getMessage());
        }
        List<String> bad = new ArrayList<>();
        for (BackupManifest.FileEntry f : m.files()) {
            Path p = dir.resolve(f.path());
            try {
                if (!Files.isRegularFile(p)) {
                    bad.add(f.path() + " is missing");
                } else if (Files.size(p) != f.bytes() || !readBackEqual(f, readBack.get(f.path()), p)
                        && !sha256(p).equals(f.sha256())) {
                    bad.add(f.path() + " does not match its sha-256 in the manifest");
                }
            } catch (IOException e) {
                bad.add(f.path() + " is unreadable: " + e.getMessage());
            }
        }
        if (!bad.isEmpty()) {
            throw PromoterException.refused("Backup " + dir + " is damaged: " + String.join("; ", bad)
                    + ". Do not rely on it; take a new backup");
        }
        return m;
    }

    private static boolean readBackEqual(BackupManifest.FileEntry f, BackupWriter.ReadBack r, Path p) throws IOException {
        return r != null && r.entry().equals(f) && r.modified().equals(Files.getLastModifiedTime(p));
    }

    /** Restores a checked backup into the empty database {@code target}. */
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        verify(dir);
        tool.restore(dir, target, progress);
    }

    private static List<BackupManifest.FileEntry> files(Path dir, Map<String, BackupManifest.FileEntry> written)
            throws IOException {
        List<BackupManifest.FileEntry> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals(BackupManifest.FILE_NAME)) {
                    BackupManifest.FileEntry w = written.get(rel);
                    out.add(w != null ? w : new BackupManifest.FileEntry(rel, Files.size(p), sha256(p)));
                }
            }
        }
        return out;
    }

    /**
     * Forces every file of the backup to disk that was not forced as it was written (those other programs wrote,
     * such as pg_dump's or mysqldump's output), and every folder, so that the entries are durable too. The
     * manifest is written after this: a backup whose manifest survives a crash has all its files.
     */
    private static void forceToDisk(Path dir, Map<String, BackupManifest.FileEntry> written) throws IOException {
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p)) {
                    folders.add(p);
                } else if (Files.isRegularFile(p) && !written.containsKey(dir.relativize(p).toString().replace('\\', '/'))) {
                    force(p);
                }
            }
        }
        for (Path f : folders) {
            force(f);
        }
    }

    private static void force(Path p) throws IOException {
        boolean folder = Files.isDirectory(p);
        try (FileChannel c = FileChannel.open(p, folder ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            c.force(true);
        } catch (IOException e) {
            if (!folder) {
                throw e;
            }
            // a platform that cannot open or sync a folder: its files are forced all the same
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = BackupWriter.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20]; // large reads: the digest, not the read calls, should be the cost
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

}
