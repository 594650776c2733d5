package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
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

    @Test
    void backupThenRestoreGivesEqualChecksums(@TempDir Path dir) throws Exception {
        String live = dbs.create("pg_bak_live");
        dbs.exec(live, PostgresZoo.SCHEMA);
        dbs.exec(live, PostgresZoo.DATA);
        Map<TableRef, Long> counts = dialect.backupTool().backup(dbs.spec(live), dir.resolve("b"), ProgressListener.NONE);
        assertThat(Files.size(dir.resolve("b").resolve(PostgresBackupTool.ARCHIVE))).isPositive();

        String target = dbs.create("pg_bak_restored");
        dialect.backupTool().restore(dir.resolve("b"), dbs.spec(target), ProgressListener.NONE);

        Introspector in = dialect.introspector();
        try (Handle l = Jdbi.open(dbs.open(live)); Handle r = Jdbi.open(dbs.open(target))) {
            Map<TableRef, TableChecksum> liveSums = PostgresClonerTest.checksums(in, l);
            assertThat(PostgresClonerTest.checksums(in, r)).isEqualTo(liveSums);
            Map<TableRef, Long> rows = new TreeMap<>();
            liveSums.forEach((t, c) -> rows.put(t, c.rows()));
            assertThat(counts).isEqualTo(rows);
            assertThat(in.schema(r).differencesFrom(in.schema(l))).isEmpty();
            assertThat(in.counters(r)).isEqualTo(in.counters(l));
        }
    }

    @Test
    void restoreRefusesAFolderWithoutABackup(@TempDir Path dir) {
        String target = dbs.create("pg_bak_restored");
        assertThatThrownBy(() -> dialect.backupTool().restore(dir, dbs.spec(target), ProgressListener.NONE))
                .isInstanceOf(PromoterException.class).hasMessageContaining("holds no database.dump");
    }
}
