package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.backup.BackupWriter;
import dev.promoter.core.backup.Backups;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.CloneStrategy;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresBackupToolTest {
    private final PostgresTestDatabases dbs = new PostgresTestDatabases();
    private final PostgresDialect dialect = new PostgresDialect();

    @AfterEach
    void dropDatabases() {
        dbs.dropAll();
    }

    /** Each table's row count, as a backup's manifest lists them. */
    private static Map<TableRef, Long> rowCounts(Map<TableRef, TableChecksum> sums) {
        Map<TableRef, Long> rows = new TreeMap<>();
        sums.forEach((t, c) -> rows.put(t, c.rows()));
        return rows;
    }

    @Test
    void backupThenRestoreGivesEqualChecksums(@TempDir Path dir) throws Exception {
        String live = dbs.create("pg_bak_live");
        dbs.exec(live, PostgresZoo.SCHEMA);
        dbs.exec(live, PostgresZoo.DATA);
        java.util.List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        Map<TableRef, Long> counts = dialect.backupTool().backup(dbs.spec(live), dir.resolve("b"), listener);
        assertThat(Files.size(dir.resolve("b").resolve(PostgresBackupTool.ARCHIVE))).isPositive();
        // pg_dump's progress, a line for the first table (then at most one every few seconds)
        assertThat(messages).anyMatch(m -> m.matches("pg_dump: dumping table 1 of " + counts.size() + ": \".+\""));

        String target = dbs.create("pg_bak_restored");
        dialect.backupTool().restore(dir.resolve("b"), dbs.spec(target), listener);
        assertThat(messages).anyMatch(m -> m.matches("pg_restore: loading table 1 of \\d+: \".+\""));

        Introspector in = dialect.introspector();
        try (Handle l = Jdbi.open(dbs.open(live)); Handle r = Jdbi.open(dbs.open(target))) {
            Map<TableRef, TableChecksum> liveSums = PostgresClonerTest.checksums(in, l);
            assertThat(PostgresClonerTest.checksums(in, r)).isEqualTo(liveSums);
            Map<TableRef, Long> rows = rowCounts(liveSums);
            assertThat(counts).isEqualTo(rows);
            assertThat(in.schema(r).differencesFrom(in.schema(l))).isEmpty();
            assertThat(in.counters(r)).isEqualTo(in.counters(l));
        }
    }

    @Test
    void restoreRefusesAFolderWithoutABackup(@TempDir Path dir) {
        String target = dbs.create("pg_bak_restored");
        assertThatThrownBy(() -> dialect.backupTool().restore(dir, dbs.spec(target), ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("holds neither database.dump nor tables.json");
    }

    @Test
    void theOnlineCloneWritesARestorableBackupOfItsSnapshot(@TempDir Path dir) throws Exception {
        String live = dbs.createZoo("pg_bak_live", "CREATE TABLE docs (id int PRIMARY KEY, body oid); INSERT INTO docs VALUES "
                + "(1, lo_from_bytea(0, decode(repeat('0123456789abcdef', 200000), 'hex'))), (2, lo_create(0))");
        String lobs = "SELECT string_agg(d.id || ':' || md5(lo_get(d.body)), ',' ORDER BY d.id) FROM docs d";
        Introspector in = dialect.introspector();
        String lobsAtSnapshot = dbs.queryString(live, lobs);
        Map<TableRef, TableChecksum> atSnapshot = PostgresClonerTest.checksums(dbs, in, live);
        String staging = dbs.create("pg_bak_stg");
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());
        BackupWriter writer = Backups.prepare(dir.resolve("b"));
        AtomicBoolean written = new AtomicBoolean();
        ProgressListener writer2 = new ProgressListener() {
            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                if (written.compareAndSet(false, true)) {
                    try { // after the snapshot: in neither staging nor the backup
                        dbs.exec(live, "INSERT INTO nopk VALUES (100, 'late'); SELECT lo_put(body, 0, 'x'::bytea) FROM docs");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        assertThat(dialect.cloner().writesBackup(CloneStrategy.ONLINE)).isTrue();
        assertThat(dialect.cloner().writesBackup(CloneStrategy.TEMPLATE)).isTrue();
        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5), CloneStrategy.ONLINE, writer), writer2);
        assertThat(written).isTrue();
        Map<TableRef, Long> rows = rowCounts(snap.tables());
        BackupManifest m = backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rows);
        assertThat(m.files()).extracting(BackupManifest.FileEntry::path).contains(PostgresCopyBackup.SCHEMA,
                PostgresCopyBackup.LAYOUT, PostgresCopyBackup.LARGE_OBJECTS, PostgresCopyBackup.dataFile(1));
        assertThat(m.tables()).containsEntry("public.nopk", 3L);

        String target = dbs.create("pg_bak_restored");
        backups.restore(dir.resolve("b"), dbs.spec(target), ProgressListener.NONE);

        try (Handle l = Jdbi.open(dbs.open(live)); Handle r = Jdbi.open(dbs.open(target))) {
            assertThat(PostgresClonerTest.checksums(in, r)).isEqualTo(atSnapshot).isEqualTo(snap.tables());
            assertThat(dbs.queryString(target, lobs)).isEqualTo(lobsAtSnapshot).isNotEqualTo(dbs.queryString(live, lobs));
            assertThat(in.schema(r).differencesFrom(in.schema(l))).isEmpty();
            assertThat(in.counters(r)).isEqualTo(in.counters(l));
        }

        // one flipped byte in a table file: the backup is refused before anything is restored
        Path file = dir.resolve("b").resolve(PostgresCopyBackup.dataFile(1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        String second = dbs.create("pg_bak_restored");
        assertThatThrownBy(() -> backups.restore(dir.resolve("b"), dbs.spec(second), ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining(PostgresCopyBackup.dataFile(1))
                .hasMessageContaining("does not match its sha-256");
        assertThat(dbs.queryString(second, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                .isEqualTo("0");

        // binary COPY data goes only into the major version that wrote it
        Path layout = dir.resolve("b").resolve(PostgresCopyBackup.LAYOUT);
        String json = Files.readString(layout);
        int major = Integer.parseInt(json.replaceAll("(?s).*\"serverMajor\" : (\\d+).*", "$1"));
        Files.writeString(layout, json.replace("\"serverMajor\" : " + major, "\"serverMajor\" : " + (major - 1)));
        Path pgRestore = new PostgresClientTools().find("pg_restore", major);
        assertThatThrownBy(() -> PostgresCopyBackup.restore(dir.resolve("b"), dbs.spec(second), major, pgRestore, ProgressListener.NONE))
                .isInstanceOf(PromoterException.class)
                .hasMessageContaining("written by PostgreSQL " + (major - 1) + "; the target runs PostgreSQL " + major)
                .hasMessageContaining("Nothing was restored");
        assertThat(dbs.queryString(second, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
                .isEqualTo("0");
    }

    @Test
    void theTemplateCloneWritesTheBackupFromItsChecksumReadsInPieces(@TempDir Path dir) throws Exception {
        String live = dbs.createZoo("pg_bak_live", "CREATE TABLE wide (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text); "
                + "INSERT INTO wide (note) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 5000) g; "
                + "CREATE TABLE docs (id int, body oid); INSERT INTO docs VALUES (1, lo_from_bytea(0, 'lob'::bytea))");
        Introspector in = dialect.introspector();
        Map<TableRef, TableChecksum> atSnapshot = PostgresClonerTest.checksums(dbs, in, live);
        String staging = dbs.track(dbs.create("pg_bak_stg"));
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());
        BackupWriter writer = Backups.prepare(dir.resolve("b"));
        // pieces of at least one block: the largest table is read (and backed up) as 2 pieces
        Snapshot snap = PostgresTemplateCloner.cloneByTemplate(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2,
                false, Duration.ofSeconds(5), CloneStrategy.TEMPLATE, writer), new PostgresClientTools(),
                ProgressListener.NONE, 1);
        assertThat(snap.tables()).isEqualTo(atSnapshot);
        Map<TableRef, Long> rows = rowCounts(snap.tables());
        BackupManifest m = backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rows);
        assertThat(m.files()).extracting(BackupManifest.FileEntry::path).contains(PostgresCopyBackup.SCHEMA,
                PostgresCopyBackup.LAYOUT, PostgresCopyBackup.LARGE_OBJECTS, "data/0001.1.copy", "data/0001.2.copy")
                .doesNotContain(PostgresBackupTool.ARCHIVE);
        assertThat(Files.readString(dir.resolve("b").resolve(PostgresCopyBackup.LAYOUT)))
                .contains("\"name\" : \"wide\"", "data/0001.2.copy");

        String target = dbs.create("pg_bak_restored");
        backups.restore(dir.resolve("b"), dbs.spec(target), ProgressListener.NONE);
        try (Handle l = Jdbi.open(dbs.open(live)); Handle r = Jdbi.open(dbs.open(target))) {
            assertThat(PostgresClonerTest.checksums(in, r)).isEqualTo(atSnapshot);
            assertThat(in.schema(r).differencesFrom(in.schema(l))).isEmpty();
            assertThat(in.counters(r)).isEqualTo(in.counters(l));
        }
        assertThat(dbs.queryString(target, "SELECT convert_from(lo_get(body), 'UTF8') FROM docs")).isEqualTo("lob");
    }

    /**
     * With 3 sessions the online clone copies a large table in block ranges on several sessions at once (here
     * pieces of one block, so the largest table goes in 3): staging and the backup hold exactly the snapshot's rows,
     * rows written to live after the snapshot in none of them, the table reported started and finished once with
     * all its rows, and the pieces' backup files restore to the same checksums.
     */
    @Test
    void theOnlineCloneCopiesALargeTableInBlockRangesOnSeveralSessions(@TempDir Path dir) throws Exception {
        String live = dbs.createZoo("pg_bak_live", "CREATE TABLE wide (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text); "
                + "INSERT INTO wide (note) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 20000) g; "
                + "UPDATE wide SET note = 'moved' WHERE id % 7 = 0"); // rows in the middle moved to later pages
        Introspector in = dialect.introspector();
        Map<TableRef, TableChecksum> atSnapshot = PostgresClonerTest.checksums(dbs, in, live);
        String staging = dbs.track(dbs.create("pg_bak_stg"));
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());
        BackupWriter writer = Backups.prepare(dir.resolve("b"));
        java.util.concurrent.atomic.AtomicBoolean written = new java.util.concurrent.atomic.AtomicBoolean();
        Map<TableRef, Long> finished = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.List<TableRef> started = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ProgressListener watch = new ProgressListener() {
            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                started.add(table);
                if (written.compareAndSet(false, true)) {
                    try { // after the snapshot: in no piece
                        dbs.exec(live, "INSERT INTO wide (note) SELECT 'after' FROM generate_series(1, 3000); "
                                + "DELETE FROM wide WHERE id < 100");
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }

            @Override
            public void tableFinished(TableRef table, long rows, long bytes) {
                assertThat(finished.put(table, rows)).as("finished once: " + table).isNull();
            }
        };
        CloneRequest request = new CloneRequest(dbs.spec(live), dbs.spec(staging), 3, false, Duration.ofSeconds(5),
                CloneStrategy.ONLINE, writer);
        Snapshot snap = new PostgresCloner(new PostgresClientTools(), 1, PostgresEarlyPostData.FROM_BYTES).cloneDatabase(request, watch);

        assertThat(written).isTrue();
        assertThat(snap.tables()).isEqualTo(atSnapshot);
        TableRef wide = new TableRef("public", "wide");
        assertThat(atSnapshot.get(wide).rows()).isEqualTo(20000);
        assertThat(finished.get(wide)).isEqualTo(20000);
        assertThat(started).doesNotHaveDuplicates().containsAll(atSnapshot.keySet());
        assertThat(finished.keySet()).isEqualTo(atSnapshot.keySet());
        try (Handle l = Jdbi.open(dbs.open(live)); Handle s = Jdbi.open(dbs.open(staging))) {
            assertThat(PostgresClonerTest.checksums(in, s)).isEqualTo(atSnapshot);
            assertThat(PostgresClonerTest.checksums(in, l).get(wide)).isNotEqualTo(atSnapshot.get(wide));
        }
        BackupManifest m = backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rowCounts(snap.tables()));
        assertThat(m.files()).extracting(BackupManifest.FileEntry::path)
                .contains("data/0001.1.copy", "data/0001.2.copy", "data/0001.3.copy").doesNotContain("data/0001.copy");
        String target = dbs.create("pg_bak_restored");
        backups.restore(dir.resolve("b"), dbs.spec(target), ProgressListener.NONE);
        try (Handle r = Jdbi.open(dbs.open(target))) {
            assertThat(PostgresClonerTest.checksums(in, r)).isEqualTo(atSnapshot);
        }
    }

    @Test
    void bothBackupLayoutsCarryTheUsersRowsOfExtensionConfigurationTables(@TempDir Path dir) throws Exception {
        String live = dbs.create("pg_bak_live");
        PostgresClonerTest.withExtensionRows(dbs, live);
        String expected = dbs.queryString(live, PostgresClonerTest.EXTENSION_ROWS);
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());
        for (CloneStrategy strategy : CloneStrategy.values()) {
            Path folder = dir.resolve(strategy.name());
            String staging = dbs.track(dbs.create("pg_bak_stg"));
            BackupWriter writer = Backups.prepare(folder);
            CloneRequest request = new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false, Duration.ofSeconds(5),
                    strategy, writer);
            Snapshot snap = strategy == CloneStrategy.TEMPLATE
                    ? PostgresTemplateCloner.cloneByTemplate(request, new PostgresClientTools(), ProgressListener.NONE, 1)
                    : dialect.cloner().cloneDatabase(request, ProgressListener.NONE);
            assertThat(dbs.queryString(staging, PostgresClonerTest.EXTENSION_ROWS)).as(strategy.name()).isEqualTo(expected);
            Map<TableRef, Long> rows = rowCounts(snap.tables());
            BackupManifest m = backups.seal(writer, live, "postgresql", "fixture", "1.0.0", rows);
            assertThat(m.files()).extracting(BackupManifest.FileEntry::path).as(strategy.name())
                    .contains(PostgresCopyBackup.LAYOUT, PostgresCopyBackup.extensionFile(1), PostgresCopyBackup.extensionFile(2))
                    .doesNotContain(PostgresBackupTool.ARCHIVE);

            String target = dbs.create("pg_bak_restored");
            backups.restore(folder, dbs.spec(target), ProgressListener.NONE);
            assertThat(dbs.queryString(target, PostgresClonerTest.EXTENSION_ROWS)).as(strategy.name()).isEqualTo(expected);
            assertThat(dbs.queryString(target, "SELECT count(*) FROM app")).isEqualTo("1");
        }
    }

    @Test
    void moreLargeObjectsThanOneTransactionCanLockAreClonedBackedUpAndRestored(@TempDir Path dir) throws Exception {
        // with the server's default lock table, pg_restore --single-transaction of these runs "out of shared memory"
        int n = 25_000;
        String live = dbs.create("pg_bak_live");
        dbs.exec(live, "CREATE TABLE docs (id int PRIMARY KEY, body oid); INSERT INTO docs SELECT i, "
                + "lo_from_bytea(0, convert_to('doc ' || i, 'UTF8')) FROM generate_series(1, " + n + ") i");
        String lobs = "SELECT count(*) || ':' || md5(string_agg(d.id || '=' || encode(lo_get(d.body), 'escape'), ',' "
                + "ORDER BY d.id)) FROM docs d";
        String expected = dbs.queryString(live, lobs);
        assertThat(expected).startsWith(n + ":");
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());

        String staging = dbs.track(dbs.create("pg_bak_stg"));
        BackupWriter writer = Backups.prepare(dir.resolve("copy"));
        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2, false,
                Duration.ofSeconds(5), CloneStrategy.ONLINE, writer), ProgressListener.NONE);
        assertThat(dbs.queryString(staging, lobs)).isEqualTo(expected);
        Map<TableRef, Long> rows = rowCounts(snap.tables());
        backups.seal(writer, live, "postgresql", "docs", "1.0.0", rows);
        String fromCopy = dbs.create("pg_bak_restored");
        backups.restore(dir.resolve("copy"), dbs.spec(fromCopy), ProgressListener.NONE);
        assertThat(dbs.queryString(fromCopy, lobs)).isEqualTo(expected);

        dialect.backupTool().backup(dbs.spec(live), dir.resolve("dump"), ProgressListener.NONE);
        int major = Integer.parseInt(dbs.queryString(live, "SELECT current_setting('server_version_num')::int / 10000"));
        assertThat(PostgresClientTools.toc(new PostgresClientTools().find("pg_restore", major),
                dir.resolve("dump").resolve(PostgresBackupTool.ARCHIVE)).objects()).isGreaterThan(n);
        String fromDump = dbs.create("pg_bak_restored");
        dialect.backupTool().restore(dir.resolve("dump"), dbs.spec(fromDump), ProgressListener.NONE);
        assertThat(dbs.queryString(fromDump, lobs)).isEqualTo(expected);
    }

    @Test
    void everyBackupLayoutCarriesTheDatabasesOwnPropertiesToARestore(@TempDir Path dir) throws Exception {
        String role = dev.promoter.testing.TestServers.uniqueName("promoter_app");
        String gone = dev.promoter.testing.TestServers.uniqueName("promoter_gone");
        String live = dbs.create("pg_bak_live");
        String q = PostgresDialect.quoteIdentifier(live);
        dbs.exec(live, "CREATE ROLE " + role + " LOGIN; CREATE ROLE " + gone + " LOGIN; "
                + "CREATE SCHEMA app; CREATE TABLE app.t (id int); INSERT INTO app.t VALUES (1); "
                + "ALTER DATABASE " + q + " SET search_path = \"$user\", app, public; "
                + "ALTER DATABASE " + q + " SET statement_timeout = '5s'; "
                + "ALTER ROLE " + role + " IN DATABASE " + q + " SET work_mem = '8MB'; "
                + "ALTER ROLE " + gone + " IN DATABASE " + q + " SET work_mem = '16MB'; "
                + "REVOKE ALL ON DATABASE " + q + " FROM PUBLIC; "
                + "GRANT CONNECT ON DATABASE " + q + " TO " + role + " WITH GRANT OPTION; "
                + "GRANT TEMPORARY ON DATABASE " + q + " TO " + gone + "; "
                + "COMMENT ON DATABASE " + q + " IS 'the shop''s'; ALTER DATABASE " + q + " CONNECTION LIMIT 50");
        Backups backups = new Backups(dialect.backupTool(), Clock.systemUTC());
        try {
            // the three ways a backup is written: pg_dump (promote backup), the online clone, the template clone
            backups.backup(dbs.spec(live), dir.resolve("dump"), live, "postgresql", "zoo", "1.0.0", ProgressListener.NONE);
            for (CloneStrategy strategy : CloneStrategy.values()) {
                String staging = dbs.create("pg_bak_stg");
                BackupWriter writer = Backups.prepare(dir.resolve(strategy.name()));
                Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(dbs.spec(live), dbs.spec(staging), 2,
                        false, Duration.ofSeconds(5), strategy, writer), ProgressListener.NONE);
                backups.seal(writer, live, "postgresql", "zoo", "1.0.0", rowCounts(snap.tables()));
                dbs.exec("postgres", "DROP DATABASE " + PostgresDialect.quoteIdentifier(staging)); // it holds gone's grant
            }
            // a role the restoring server lacks: its setting and grant are reported, everything else applied
            dbs.exec(live, "REVOKE ALL ON DATABASE " + q + " FROM " + gone + "; ALTER ROLE " + gone + " IN DATABASE "
                    + q + " RESET ALL; DROP ROLE " + gone);
            String expected = PostgresClonerTest.databaseProperties(dbs, live);
            assertThat(expected).contains("search_path", role + ":work_mem=8MB", role + "=CONNECT/true", " # 50 # the shop's")
                    .doesNotContain("PUBLIC=", gone);
            for (String layout : java.util.List.of("dump", "ONLINE", "TEMPLATE")) {
                assertThat(dir.resolve(layout).resolve(PostgresDatabaseProperties.FILE)).as(layout).isRegularFile();
                assertThat(Backups.verify(dir.resolve(layout)).files()).extracting(BackupManifest.FileEntry::path)
                        .as("checked against the manifest").contains(PostgresDatabaseProperties.FILE);
                String target = dbs.create("pg_bak_restored");
                java.util.List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
                backups.restore(dir.resolve(layout), dbs.spec(target), new ProgressListener() {
                    @Override
                    public void message(String text) {
                        messages.add(text);
                    }
                });
                assertThat(PostgresClonerTest.databaseProperties(dbs, target)).as(layout).isEqualTo(expected);
                assertThat(dbs.queryString(target, "SELECT count(*) FROM t")).isEqualTo("1");
                assertThat(messages).as(layout).anyMatch(m -> m.startsWith("WARNING") && m.contains("role \"" + gone
                        + "\" does not exist") && m.contains("ALTER ROLE \"" + gone + "\" IN DATABASE"));
                assertThat(messages).as(layout).anyMatch(m -> m.startsWith("WARNING") && m.contains("GRANT TEMPORARY ON DATABASE"));
            }
        } finally {
            dbs.dropAll();
            dbs.exec("postgres", "DROP ROLE IF EXISTS " + gone);
            dbs.exec("postgres", "DROP ROLE " + role);
        }
    }
}
