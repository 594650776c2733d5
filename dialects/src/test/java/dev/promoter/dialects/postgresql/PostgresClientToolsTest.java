package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresClientToolsTest {
    @Test
    void namesThePackageWhenPgDumpIsMissing(@TempDir Path dir) {
        PostgresClientTools tools = new PostgresClientTools(dir.resolve("none"), List.of(dir));
        assertThatThrownBy(() -> tools.find("pg_dump", 15)).isInstanceOf(PromoterException.class)
                .hasMessageContaining("none was found").hasMessageContaining("apt-get install postgresql-client-15");
    }

    @Test
    void refusesAPgDumpOlderThanTheServer(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("pg_dump");
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.2'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostgresClientTools tools = new PostgresClientTools(dir.resolve("none"), List.of(dir));
        assertThatThrownBy(() -> tools.find("pg_dump", 15)).hasMessageContaining(fake + " is version 13")
                .hasMessageContaining("postgresql-client-15");
        assertThat(tools.find("pg_dump", 13)).isEqualTo(fake);
    }

    @Test
    void findsTheInstalledClient() {
        assertThat(new PostgresClientTools().find("pg_dump", 15).getFileName().toString()).isEqualTo("pg_dump");
    }

    @Test
    void verboseLinesAreProgressAndErrorsAreKept() {
        assertThat(PostgresClientTools.isProgress("pg_dump: dumping contents of table \"public.t\"")).isTrue();
        assertThat(PostgresClientTools.isProgress("pg_restore: processing data for table \"public.t\"")).isTrue();
        assertThat(PostgresClientTools.isProgress("pg_restore: error: could not execute query: ERROR:  boom")).isFalse();
        assertThat(PostgresClientTools.isProgress("pg_dump: warning: there are circular foreign-key constraints")).isFalse();
        assertThat(PostgresClientTools.isProgress("pg_restore: from TOC entry 214; 1259 16386 TABLE t postgres")).isFalse();
        assertThat(PostgresClientTools.isProgress("Command was: CREATE TABLE t ();")).isFalse();
    }

    @Test
    void tableProgressShowsTheFirstTableThenAtMostOneLinePerInterval() {
        java.util.List<String> shown = new java.util.ArrayList<>();
        dev.promoter.core.spi.ProgressListener listener = new dev.promoter.core.spi.ProgressListener() {
            @Override
            public void message(String text) {
                shown.add(text);
            }
        };
        var lines = PostgresClientTools.tableProgress("dumping contents of table ", "pg_dump: dumping", 3, listener,
                java.time.Duration.ofHours(1));
        lines.accept("pg_dump: reading schemas");
        lines.accept("pg_dump: dumping contents of table \"public.a\"");
        lines.accept("pg_dump: dumping contents of table \"public.b\"");
        assertThat(shown).containsExactly("pg_dump: dumping table 1 of 3: \"public.a\"");
        var every = PostgresClientTools.tableProgress("dumping contents of table ", "pg_dump: dumping", 2, listener,
                java.time.Duration.ZERO);
        every.accept("pg_dump: dumping contents of table \"public.a\"");
        every.accept("pg_dump: dumping contents of table \"public.b\"");
        assertThat(shown).endsWith("pg_dump: dumping table 1 of 2: \"public.a\"", "pg_dump: dumping table 2 of 2: \"public.b\"");
    }
}
