package dev.promoter.dialects.h2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file database closed and opened again in one JVM, as a run does with live, staging and the ledger, keeps
 * every committed change through the URLs Promoter builds. With H2's default compaction on close, this loop lost a
 * committed CREATE INDEX by cycle 24 and then reported the file corrupted ("Double mark"); see {@link H2Url#url}.
 */
class H2UrlTest {
    @TempDir
    Path tmp;

    @Test
    void closingAndReopeningAFileDatabaseLosesNothing() throws Exception {
        String url = H2Url.parse("jdbc:h2:file:" + tmp.resolve("cycles")).url(false);
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200))");
            s.execute("INSERT INTO t SELECT x, REPEAT('x', 150) FROM SYSTEM_RANGE(1, 20000)");
        }
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            boolean create = i % 2 == 0;
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                s.execute("UPDATE t SET v = REPEAT('y', 150) WHERE MOD(id, 7) = " + (i % 7));
                s.execute(create ? "CREATE INDEX ix ON t (v)" : "DROP INDEX ix");
            }
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), (SELECT count(*) FROM INFORMATION_SCHEMA.INDEXES "
                         + "WHERE INDEX_NAME = 'IX'), (SELECT count(*) FROM t WHERE v = REPEAT('y', 150)) FROM t")) {
                rs.next();
                if (rs.getLong(1) != 20000 || (rs.getLong(2) > 0) != create) {
                    lost.add("cycle " + i + ": " + rs.getLong(1) + " rows, index " + (rs.getLong(2) > 0 ? "present" : "absent"));
                }
            }
        }
        assertThat(lost).isEmpty();
    }
}
