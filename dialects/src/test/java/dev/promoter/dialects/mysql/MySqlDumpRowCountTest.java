package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The backup's row counts, read from dump text written the way mariadb-dump writes it. */
class MySqlDumpRowCountTest {
    @TempDir
    Path dir;

    @Test
    void countsTuplesOutsideStringsAcrossLinesAndStatements() throws IOException {
        StringBuilder big = new StringBuilder("INSERT INTO `big` VALUES ");
        for (int i = 0; i < 3000; i++) {
            big.append(i == 0 ? "" : ",").append("(").append(i).append(",'x(y)z; \\\\',NULL)");
        }
        String dump = String.join("\n",
                "-- MariaDB dump",
                "CREATE TABLE `a` (",
                "  `id` int(11) NOT NULL",
                ") ENGINE=InnoDB;",
                "CREATE TABLE `empty` (`id` int);",
                "CREATE TABLE `données ``q``` (`id` int);",
                "CREATE TABLE `big` (`id` int, `s` text, `n` int);",
                "INSERT INTO `a` VALUES (1,'it\\'s (not) a tuple'),(2,'a\\\\'),(3,'semi;colon'),(4,0x28293B)",
                ",(5,'next line, same statement');",
                "INSERT INTO `données ``q``` VALUES (1),(2);INSERT INTO `a` VALUES (99);",
                "INSERT INTO `a` VALUES (6);",
                big + ";",
                "INSERT INTO `DATABASECHANGELOG` VALUES ('1'),('2');",
                "-- (a comment with (parentheses))",
                "INSERT INTO `a` VALUES (7)");
        Path file = dir.resolve("dump.sql");
        Files.writeString(file, dump, StandardCharsets.UTF_8);

        Map<TableRef, Long> counts = MySqlBackupTool.countRows(file);

        assertThat(counts).containsOnly(
                Map.entry(new TableRef(null, "a"), 7L),
                Map.entry(new TableRef(null, "empty"), 0L),
                Map.entry(new TableRef(null, "données `q`"), 2L),
                Map.entry(new TableRef(null, "big"), 3000L));
    }
}
