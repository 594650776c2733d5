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
        Map<TableRef, Long> counts = tool.backup(scratch.spec(live), dir, ProgressListener.NONE);
        assertThat(counts).containsEntry(new TableRef(null, "line"), 1001L).containsEntry(new TableRef(null, "order"), 3L)
                .containsEntry(new TableRef(null, "données"), 2L).containsEntry(new TableRef(null, "audit"), 5L);
        tool.restore(dir, scratch.spec(target), ProgressListener.NONE);
        scratch.jdbi(target).useHandle(r -> scratch.jdbi(live).useHandle(l -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(introspector.checksum(r, t)).as(t.name()).isEqualTo(introspector.checksum(l, t));
            }
            assertThat(MySqlFixture.showCreate(r)).containsExactlyElementsOf(MySqlFixture.showCreate(l));
        }));
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
