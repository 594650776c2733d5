package dev.promoter.core.backup;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupsTest {
    @TempDir
    Path tmp;
    final MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
    ConnectionSpec live;
    Path dir;
    Backups backups;

    @BeforeEach
    void setUp() throws SQLException {
        live = new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("live/app"), "sa", Secret.none());
        sql(live, "CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(50))",
                "INSERT INTO account VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                "CREATE TABLE \"Order Lines\" (id INT PRIMARY KEY)");
        dir = tmp.resolve("backups/run-1");
        backups = new Backups(new H2ScriptBackupTool(), clock);
    }

    private static void sql(ConnectionSpec spec, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(spec.url(), spec.user(), ""); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long count(ConnectionSpec spec, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(spec.url(), spec.user(), "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String sha256(Path f) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    private BackupManifest takeBackup() {
        return backups.backup(live, dir, "app", "h2", "storage-server", "1.1.0", ProgressListener.NONE);
    }

    @Test
    void aBackupHasAManifestThatVerifies() throws Exception {
        BackupManifest m = takeBackup();

        assertThat(dir.resolve(BackupManifest.FILE_NAME)).isRegularFile();
        assertThat(m.format()).isEqualTo(BackupManifest.FORMAT);
        assertThat(m.database()).isEqualTo("app");
        assertThat(m.version()).isEqualTo("1.1.0");
        assertThat(m.takenAt()).isEqualTo(Instant.parse("2026-03-04T05:06:07Z"));
        assertThat(m.tables()).containsEntry("PUBLIC.ACCOUNT", 3L).containsEntry("PUBLIC.Order Lines", 0L).hasSize(2);
        assertThat(m.files()).extracting(BackupManifest.FileEntry::path)
                .containsExactly(H2ScriptBackupTool.SCRIPT, "tables.txt");
        for (BackupManifest.FileEntry f : m.files()) {
            Path p = dir.resolve(f.path());
            assertThat(f.sha256()).isEqualTo(sha256(p));
            assertThat(f.bytes()).isEqualTo(Files.size(p));
        }
        assertThat(Backups.verify(dir)).isEqualTo(m);
    }

    @Test
    void aVerifiedBackupRestores() throws SQLException {
        takeBackup();
        ConnectionSpec target = new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("restored/app"), "sa", Secret.none());

        backups.restore(dir, target, ProgressListener.NONE);

        assertThat(count(target, "account")).isEqualTo(3);
        assertThat(count(target, "\"Order Lines\"")).isZero();
    }

    @Test
    void aTamperedFileIsRefusedNamingTheFile() throws Exception {
        takeBackup();
        Path script = dir.resolve(H2ScriptBackupTool.SCRIPT);
        String text = Files.readString(script, StandardCharsets.UTF_8);
        Files.writeString(script, text.replace("'a'", "'z'"), StandardCharsets.UTF_8); // same size, other bytes
        ConnectionSpec target = new ConnectionSpec("jdbc:h2:file:" + tmp.resolve("restored/app"), "sa", Secret.none());

        assertThatThrownBy(() -> Backups.verify(dir))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining(H2ScriptBackupTool.SCRIPT + " does not match its sha-256")
                .hasMessageNotContaining("tables.txt");
        assertThatThrownBy(() -> backups.restore(dir, target, ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining(H2ScriptBackupTool.SCRIPT);
        assertThat(tmp.resolve("restored")).doesNotExist();
    }

    @Test
    void aMissingFileIsRefusedNamingTheFile() throws IOException {
        takeBackup();
        Files.delete(dir.resolve("tables.txt"));

        assertThatThrownBy(() -> Backups.verify(dir))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("tables.txt is missing")
                .hasMessageContaining(dir.toString());
    }

    @Test
    void refusesAFolderWithoutAManifestAndANonEmptyTarget() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("something.sql"), "SELECT 1;");

        assertThatThrownBy(() -> Backups.verify(dir))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("No manifest.json in " + dir);
        assertThatThrownBy(this::takeBackup)
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining(dir + " is not empty");
    }

    @Test
    void sha256IsTheStandardDigest() throws IOException {
        Path f = Files.writeString(tmp.resolve("abc.txt"), "abc");

        assertThat(Backups.sha256(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void aBackupWrittenByAnotherStageIsSealedWithTheDigestsTakenAsItWasWritten() throws Exception {
        BackupWriter w = Backups.prepare(tmp.resolve("fused"));
        w.ensureRoom(1, "a test");
        assertThatThrownBy(() -> w.ensureRoom(Long.MAX_VALUE / 2, "the size of live's tables"))
                .isInstanceOf(PromoterException.class).hasMessageContaining(w.dir().toString())
                .hasMessageContaining("the size of live's tables").hasMessageContaining("--backup-format dump")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        try (var out = w.create("data/0001.copy")) {
            for (int i = 0; i < 1000; i++) {
                out.write(("row " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.writeString(w.path("schema.dump"), "written by another program");
        BackupManifest m = backups.seal(w, "app", "h2", "demo", "1.0.0", java.util.Map.of());
        byte[] data = Files.readAllBytes(w.dir().resolve("data/0001.copy"));
        assertThat(m.files()).containsExactly(
                new BackupManifest.FileEntry("data/0001.copy", data.length, sha(data)),
                new BackupManifest.FileEntry("schema.dump", 26, sha("written by another program".getBytes(StandardCharsets.UTF_8))));
        assertThat(Backups.verify(w.dir())).isEqualTo(m);
        Backups.discard(w);
        assertThat(w.dir().resolve("data/0001.copy")).as("a sealed backup is never discarded").exists();

        BackupWriter half = Backups.prepare(tmp.resolve("half"));
        try (var out = half.create("data/0001.copy")) {
            out.write(1);
        }
        Backups.discard(half);
        assertThat(half.dir()).doesNotExist();
        assertThatThrownBy(() -> Backups.prepare(w.dir())).hasMessageContaining("is not empty");
    }

    /**
     * The seal takes a file read back after its fsync as checked; a change to it afterwards (same size, so only its
     * bytes and modification time differ) is still found: the file is read again and its digest is not the one of
     * the bytes streamed into it.
     */
    @Test
    void aFileChangedAfterItWasReadBackIsRefusedBySeal() throws Exception {
        BackupWriter w = Backups.prepare(tmp.resolve("changed"));
        try (var out = w.create("data/0001.copy")) {
            out.write("the rows as streamed".getBytes(StandardCharsets.UTF_8));
        }
        w.awaitDurable();
        assertThat(w.readBack()).containsOnlyKeys("data/0001.copy");
        assertThat(w.readBack().get("data/0001.copy").entry()).isEqualTo(w.written().get("data/0001.copy"));
        Path file = w.dir().resolve("data/0001.copy");
        var readAt = Files.getLastModifiedTime(file);
        Files.write(file, "the rows as STREAMED".getBytes(StandardCharsets.UTF_8)); // same size as written
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(readAt.toMillis() + 5000));

        assertThatThrownBy(() -> backups.seal(w, "app", "h2", "demo", "1.0.0", java.util.Map.of()))
                .isInstanceOf(PromoterException.class).hasMessageContaining("data/0001.copy does not hold what was written")
                .hasMessageContaining("20 bytes were streamed").hasMessageContaining("take a new backup")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(w.dir().resolve(BackupManifest.FILE_NAME)).as("no manifest for a backup that is not what was written")
                .doesNotExist();
    }

    /**
     * The manifest's sha-256 is taken from the file as read back from disk; what proves that file holds the bytes
     * streamed into it is the digest taken as they were written. A file changed on disk while it was being written
     * (here through another channel, as a faulty disk or another program would) is refused by the seal, before any
     * manifest exists, although its read-back sha-256 alone would look consistent.
     */
    @Test
    void aFileThatDoesNotHoldTheBytesStreamedIntoItIsRefusedBeforeTheManifest() throws Exception {
        BackupWriter w = Backups.prepare(tmp.resolve("garbled"));
        Path file = w.dir().resolve("data/0001.copy");
        try (var out = w.create("data/0001.copy")) {
            out.write("the rows as streamed".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try (var other = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                other.write(java.nio.ByteBuffer.wrap("THE".getBytes(StandardCharsets.UTF_8)), 0);
            }
        }
        w.awaitDurable();

        assertThatThrownBy(() -> backups.seal(w, "app", "h2", "demo", "1.0.0", java.util.Map.of()))
                .isInstanceOf(PromoterException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("does not hold what was written to it")
                .extracting(e -> ((PromoterException) e).outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(w.dir().resolve(BackupManifest.FILE_NAME)).doesNotExist();
        assertThatThrownBy(() -> Backups.verify(w.dir())).hasMessageContaining("not a Promoter backup folder");
    }

    private static String sha(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
