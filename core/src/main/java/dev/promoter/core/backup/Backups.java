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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        try {
            if (Files.exists(dir) && !isEmpty(dir)) {
                throw PromoterException.badInput("Backup folder " + dir + " is not empty; choose a new --backup-dir");
            }
            Files.createDirectories(dir);
            Map<TableRef, Long> counts = tool.backup(source, dir, progress);
            Map<String, Long> tables = new TreeMap<>();
            counts.forEach((t, n) -> tables.put(t.display(), n));
            BackupManifest m = new BackupManifest(BackupManifest.FORMAT, database, dialect, product, version,
                    clock.instant(), tables, files(dir));
            JSON.writeValue(dir.resolve(BackupManifest.FILE_NAME).toFile(), m);
            return verify(dir);
        } catch (IOException e) {
            throw PromoterException.failed("Unable to write backup into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads the manifest and checks every file's size and sha-256; refuses a damaged backup. */
    public static BackupManifest verify(Path dir) {
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
                } else if (Files.size(p) != f.bytes() || !sha256(p).equals(f.sha256())) {
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

    /** Restores a checked backup into the empty database {@code target}. */
    public void restore(Path dir, ConnectionSpec target, ProgressListener progress) {
        verify(dir);
        tool.restore(dir, target, progress);
    }

    private static List<BackupManifest.FileEntry> files(Path dir) throws IOException {
        List<BackupManifest.FileEntry> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals(BackupManifest.FILE_NAME)) {
                    out.add(new BackupManifest.FileEntry(rel, Files.size(p), sha256(p)));
                }
            }
        }
        return out;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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
