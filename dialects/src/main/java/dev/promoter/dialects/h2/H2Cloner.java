package dev.promoter.dialects.h2;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Clones live with H2's online {@code BACKUP TO}: it copies the store file as of one committed version
 * (uncommitted transactions are rolled back when the copy is opened), while live keeps serving. The copy is
 * byte-for-byte, so identity counters, sequences, views, triggers, users and settings come along; there is
 * no per-row work, which is why it is faster and safer than {@code SCRIPT} + {@code RUNSCRIPT}. The snapshot's
 * checksums are computed on the fresh copy before any migration: the copy IS the snapshot. The watermark is
 * a digest of those checksums, which the switch recomputes on live under exclusive mode.
 */
final class H2Cloner implements Cloner {
    private final H2Introspector introspector;
    private final Clock clock;

    H2Cloner(H2Introspector introspector, Clock clock) {
        this.introspector = introspector;
        this.clock = clock;
    }

    @Override
    public Snapshot cloneDatabase(CloneRequest request, ProgressListener progress) {
        if (request.strategy() != dev.promoter.core.spi.CloneStrategy.ONLINE) {
            throw request.strategy().unsupportedBy(dev.promoter.core.spi.DialectName.H2);
        }
        H2Url live = H2Url.parse(request.live().url());
        H2Url staging = H2Url.parse(request.staging().url());
        if (live.base().equals(staging.base())) {
            throw PromoterException.badInput("Staging and live are the same H2 file " + live.dataFile());
        }
        requireEmpty(request.staging(), staging);
        H2Files.shutdown(request.staging(), staging);
        Instant takenAt = clock.instant();
        Path zip = staging.folder().resolve("." + staging.name() + ".clone-" + takenAt.toEpochMilli() + ".zip");
        try {
            progress.message("Backing up " + live.dataFile() + " online (H2 BACKUP TO)");
            backup(request.live(), live, zip);
            H2Files.delete(staging);
            unzipDataFile(zip, staging.dataFile());
            progress.message("Copied " + live.dataFile() + " to " + staging.dataFile());
        } finally {
            deleteQuietly(zip);
        }
        Map<TableRef, TableChecksum> tables = checksums(request.staging(), progress);
        return Snapshot.of(takenAt, watermark(tables), tables, WriteFreeze.NONE);
    }

    /** A digest of every table's checksum: equal watermarks mean equal content. */
    static String watermark(Map<TableRef, TableChecksum> tables) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            new java.util.TreeMap<>(tables).forEach((t, c) -> md.update((t.display() + "=" + c.text() + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            return "h2-checksums:sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void requireEmpty(ConnectionSpec spec, H2Url staging) {
        if (!Files.exists(staging.dataFile())) {
            return;
        }
        var tables = Jdbi.create(() -> Connections.open(spec)).withHandle(introspector::tables);
        if (!tables.isEmpty()) {
            throw PromoterException.refused("Staging H2 database " + staging.dataFile() + " is not empty (it has "
                    + tables + "); drop it or choose another staging name");
        }
    }

    private static void backup(ConnectionSpec liveSpec, H2Url live, Path zip) {
        try (Connection c = Connections.open(liveSpec.withUrl(live.url(true))); PreparedStatement ps = c.prepareStatement("BACKUP TO ?")) {
            ps.setString(1, zip.toString());
            ps.execute();
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to back up live H2 database " + live.dataFile() + " to " + zip
                    + ": " + Connections.describe(e) + ". Check the disk space and that the folder is writable", e);
        }
    }

    /** Extracts the one {@code .mv.db} entry of the backup to {@code target} (through a temp file + rename). */
    private static void unzipDataFile(Path zip, Path target) {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry entry = z.stream().filter(e -> e.getName().endsWith(H2Url.DATA_SUFFIX)).findFirst()
                    .orElseThrow(() -> PromoterException.failed("H2 backup " + zip + " holds no " + H2Url.DATA_SUFFIX
                            + " file", null));
            try (InputStream in = z.getInputStream(entry)) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new UncheckedIOException("Unable to unpack H2 backup " + zip + " to " + target + ": " + e, e);
        }
    }

    private Map<TableRef, TableChecksum> checksums(ConnectionSpec staging, ProgressListener progress) {
        Map<TableRef, TableChecksum> out = new LinkedHashMap<>();
        try (Handle h = Jdbi.create(() -> Connections.open(staging)).open()) {
            for (TableRef t : introspector.tables(h)) {
                progress.tableStarted(t, -1);
                TableChecksum c = introspector.checksum(h, t);
                out.put(t, c);
                progress.tableFinished(t, c.rows(), 0);
            }
        }
        return out;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file is harmless; its name says what it was
        }
    }
}
