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
}
