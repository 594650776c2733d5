package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.BackupTool;
import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlBackupToolTest {
    private final MySqlScratch scratch = new MySqlScratch();
    private final Introspector introspector = new MySqlIntrospector();

    @AfterEach
    void drop() {
        scratch.close();
    }

    @Test
    void backupThenRestoreGivesEqualContent(@TempDir Path dir) {
        String live = scratch.create("live");
        String target = scratch.create("restored");
        MySqlFixture.create(scratch, live);
        BackupTool tool = new MySqlDialect().backupTool();
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Map<TableRef, Long> finished = new java.util.concurrent.ConcurrentHashMap<>();
        Map<TableRef, Long> counts = tool.backup(scratch.spec(live), dir, new ProgressListener() {
            @Override
            public void tableStarted(TableRef table, long estimatedRows) {
                events.add("start " + table.name());
            }

            @Override
            public void tableFinished(TableRef table, long rows, long bytes) {
                events.add("end " + table.name());
                finished.put(table, rows);
            }
        });
        assertThat(counts).containsEntry(new TableRef(null, "line"), 1001L).containsEntry(new TableRef(null, "order"), 3L)
                .containsEntry(new TableRef(null, "données"), 2L).containsEntry(new TableRef(null, "audit"), 5L);
        // per-table progress as the dump goes: each table started, then finished with its rows, one at a time
        assertThat(finished).containsAllEntriesOf(counts);
        for (int i = 0; i < events.size(); i += 2) {
            assertThat(events.get(i)).startsWith("start ");
            assertThat(events.get(i + 1)).isEqualTo("end " + events.get(i).substring("start ".length()));
        }
        tool.restore(dir, scratch.spec(target), ProgressListener.NONE);
        scratch.jdbi(target).useHandle(r -> scratch.jdbi(live).useHandle(l -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(introspector.checksum(r, t)).as(t.name()).isEqualTo(introspector.checksum(l, t));
            }
            assertThat(MySqlFixture.showCreate(r)).containsExactlyElementsOf(MySqlFixture.showCreate(l));
        }));
    }

    /**
     * The backup the online clone writes from the rows it copies (live read once), through either copy path
     * (LOAD DATA, or INSERT when the server refuses local files): restored into an empty database it equals live,
     * every value, object and AUTO_INCREMENT counter.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(MySqlTableCopier.Path.class)
    void theBackupTheCloneWritesRestoresToEqualContent(MySqlTableCopier.Path path, @TempDir Path dir) throws Exception {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String target = scratch.create("restored");
        MySqlFixture.create(scratch, live);
        scratch.execIn(live, "CREATE TABLE nothing_yet (id INT PRIMARY KEY, note TEXT)");
        dev.promoter.core.backup.BackupWriter writer = dev.promoter.core.backup.Backups.prepare(dir.resolve("b"));
        MySqlCloner cloner = new MySqlCloner(path);
        assertThat(cloner.writesBackup(dev.promoter.core.spi.CloneStrategy.ONLINE)).isTrue();
        cloner.cloneDatabase(new dev.promoter.core.spi.CloneRequest(scratch.spec(live), scratch.spec(staging), 2, false,
                java.time.Duration.ofSeconds(5), dev.promoter.core.spi.CloneStrategy.ONLINE, writer), ProgressListener.NONE);
        assertThat(java.nio.file.Files.readString(writer.dir().resolve(MySqlCopyBackup.OBJECTS)))
                .contains("CREATE TABLE `order`", "order_ai2", "data/1.tsv");

        new MySqlDialect().backupTool().restore(writer.dir(), scratch.spec(target), ProgressListener.NONE);

        scratch.jdbi(target).useHandle(r -> scratch.jdbi(live).useHandle(l -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(introspector.checksum(r, t)).as(t.name()).isEqualTo(introspector.checksum(l, t));
            }
            assertThat(MySqlFixture.showCreate(r)).containsExactlyElementsOf(MySqlFixture.showCreate(l));
        }));
        // the triggers came after the rows: restoring fired none of them
        assertThat(scratch.query(target, "SELECT COUNT(*) FROM audit")).isEqualTo(scratch.query(live, "SELECT COUNT(*) FROM audit"));
        assertThatThrownBy(() -> new MySqlDialect().backupTool().restore(writer.dir(), scratch.spec(target), ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("not empty");
        // a server that refuses local files: the restore says what to set, and leaves the target empty
        String other = scratch.create("refused");
        String was = scratch.query(live, "SELECT @@GLOBAL.local_infile + 0").get(0);
        scratch.exec("SET GLOBAL local_infile = 0");
        try {
            assertThatThrownBy(() -> new MySqlDialect().backupTool().restore(writer.dir(), scratch.spec(other), ProgressListener.NONE))
                    .isInstanceOf(PromoterException.class).hasMessageContaining("local_infile=OFF")
                    .hasMessageContaining("SET GLOBAL local_infile = ON").hasMessageContaining("--backup-format dump");
        } finally {
            scratch.exec("SET GLOBAL local_infile = " + was);
        }
        assertThat(scratch.query(other, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"))
                .containsExactly("0");
    }

    @Test
    void aDumpThatFailsIsReportedWithTheToolsOwnError(@TempDir Path dir) {
        String name = scratch.create("gone");
        scratch.close();
        BackupTool tool = new MySqlDialect().backupTool();
        assertThatThrownBy(() -> tool.backup(scratch.spec(name), dir, ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("back up database " + name)
                .hasMessageMatching("(?s).*(mariadb-dump|mysqldump) exited with \\d+.*").hasMessageContaining(name);
    }

    @Test
    void missingClientToolsAreNamedWithTheInstallCommand(@TempDir Path dir) {
        BackupTool tool = new MySqlDialect(new MySqlClientTools(List.of(dir))).backupTool();
        assertThatThrownBy(() -> tool.backup(scratch.spec("x"), dir, ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("mariadb-dump or mysqldump")
                .hasMessageContaining("apt-get install mariadb-client");
    }
}
