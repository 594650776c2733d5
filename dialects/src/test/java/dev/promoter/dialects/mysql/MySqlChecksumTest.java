package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The content checksum: what it tells apart, and that the copy's snapshot checksum is the same function. */
class MySqlChecksumTest {
    private static final TableRef T = new TableRef(null, "t");
    /** A session unlike the copy's: another time zone, padded CHARs, no result conversion (Connector/J's default). */
    private static final String FOREIGN_SESSION = "SET SESSION time_zone = '+05:30',"
            + " sql_mode = CONCAT(@@SESSION.sql_mode, ',PAD_CHAR_TO_FULL_LENGTH'), character_set_results = NULL";
    private static final String SESSION_STATE = "SELECT CONCAT_WS(' / ', @@SESSION.time_zone, @@SESSION.sql_mode,"
            + " IFNULL(@@SESSION.character_set_results, 'NULL'))";

    private final MySqlScratch scratch = new MySqlScratch();
    private final Introspector introspector = new MySqlIntrospector();

    @AfterEach
    void drop() {
        scratch.close();
    }

    private TableChecksum sum(String db) {
        return scratch.with(db, h -> introspector.checksum(h, T));
    }

    /** Both hash paths: utf8mb4 text is hashed in the tool, sjis text by the server. */
    @ParameterizedTest
    @ValueSource(strings = {"utf8mb4", "sjis"})
    void aChangedValueNullVersusEmptyAndSwappedValuesChangeTheChecksum(String charset) {
        String db = scratch.create("sum");
        scratch.execIn(db, "CREATE TABLE t (id INT PRIMARY KEY, x VARCHAR(10) CHARACTER SET " + charset
                        + ", y VARCHAR(10) CHARACTER SET " + charset + ")",
                "INSERT INTO t VALUES (1, 'a', 'b'), (2, '', 'c')");
        assertThat(scratch.<Object>with(db, h -> MySqlScratch.scan(h, "t").hashedInTool())).isEqualTo(charset.equals("utf8mb4"));
        TableChecksum before = sum(db);
        assertThat(before.rows()).isEqualTo(2);
        assertThat(sum(db)).isEqualTo(before);

        scratch.execIn(db, "UPDATE t SET x = 'A' WHERE id = 1");
        TableChecksum changed = sum(db);
        scratch.execIn(db, "UPDATE t SET x = 'a' WHERE id = 1");
        assertThat(sum(db)).isEqualTo(before);

        scratch.execIn(db, "UPDATE t SET x = NULL WHERE id = 2");
        TableChecksum nullInsteadOfEmpty = sum(db);
        scratch.execIn(db, "UPDATE t SET x = '' WHERE id = 2");

        scratch.execIn(db, "UPDATE t SET x = 'b', y = 'a' WHERE id = 1");
        assertThat(scratch.query(db, "SELECT CONCAT(x, y) FROM t WHERE id = 1")).containsExactly("ba");
        TableChecksum swapped = sum(db);

        assertThat(List.of(before, changed, nullInsteadOfEmpty, swapped)).doesNotHaveDuplicates()
                .allMatch(s -> s.rows() == 2);
    }

    @ParameterizedTest
    @EnumSource(MySqlTableCopier.Path.class)
    void theCopysSnapshotChecksumEqualsTheChecksumOfStagingAndOfLive(MySqlTableCopier.Path path) {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'",
                "CREATE TABLE t (id INT PRIMARY KEY, at TIMESTAMP(3) NULL, zero DATETIME NULL, d DATE NULL,"
                        + " amount DECIMAL(30,10), f FLOAT, g DOUBLE, bits BIT(12), doc JSON, data BLOB,"
                        + " status ENUM('new','payée') CHARACTER SET latin1, tags SET('a','b','ü'), pos POINT NULL,"
                        + " code CHAR(8), wide VARCHAR(20) CHARACTER SET ucs2, u16 VARCHAR(20) CHARACTER SET utf16,"
                        + " u32 VARCHAR(20) CHARACTER SET utf32, mb3 VARCHAR(20) CHARACTER SET utf8mb3, bin VARBINARY(8),"
                        + " twice DECIMAL(31,10) AS (amount * 2) STORED, v INT AS (id + 1) VIRTUAL)",
                "INSERT INTO t (id, at, zero, d, amount, f, g, bits, doc, data, status, tags, pos, code, wide, u16, u32, mb3, bin) VALUES"
                        + " (1, '2024-03-31 01:30:00.125', '0000-00-00 00:00:00', '0000-00-00', 12345678901234567890.0123456789,"
                        + " 0.1, 1e308, b'101010101010', '{\"k\": [1, 2.50, \"é\"]}', 0x00FF5C0A09, 'payée', 'a,ü',"
                        + " ST_GeomFromText('POINT(2.35 48.85)'), 'ab', 'Grüße ☃', '🚀 x', '𝄞', 'ñ ☃', 0x00),"
                        + " (2, '1970-01-01 00:00:01', '2024-02-29 23:59:59', '2024-02-29', -0.0000000001, -3.4e38, -0,"
                        + " b'0', 'null', '', 'new', '', NULL, '', '', '', '', '', ''),"
                        + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        assertThat(scratch.<Object>with(live, h -> MySqlScratch.scan(h, "t").hashedInTool())).isEqualTo(true);
        Snapshot snap = scratch.cloneInto(new MySqlCloner(path), live, staging, 1);
        TableChecksum copied = snap.tables().get(T);
        assertThat(copied.rows()).isEqualTo(3);
        for (String db : List.of(staging, live)) {
            scratch.jdbi(db).useHandle(h -> {
                assertThat(introspector.checksum(h, T)).as(db).isEqualTo(copied);
                h.execute(FOREIGN_SESSION);
                String state = MySqlScratch.column(h, SESSION_STATE).get(0);
                assertThat(introspector.checksum(h, T)).as(db + " from a session set up otherwise").isEqualTo(copied);
                assertThat(MySqlScratch.column(h, SESSION_STATE)).as("the session's own settings are back").containsExactly(state);
            });
        }
    }

    @Test
    void theServerPathIsAlsoIndependentOfTheSession() {
        String db = scratch.create("sum");
        scratch.execIn(db, "CREATE TABLE t (at TIMESTAMP NULL, code CHAR(8) CHARACTER SET gbk)",
                "INSERT INTO t VALUES ('2024-03-31 01:30:00', '中文')");
        scratch.jdbi(db).useHandle(h -> {
            assertThat(MySqlScratch.scan(h, "t").hashedInTool()).isFalse();
            TableChecksum plain = introspector.checksum(h, T);
            h.execute(FOREIGN_SESSION);
            assertThat(introspector.checksum(h, T)).isEqualTo(plain);
            assertThat(MySqlScratch.column(h, "SELECT @@SESSION.time_zone")).containsExactly("+05:30");
        });
    }

    @Test
    void generatedColumnsAreNotPartOfTheChecksum() {
        String db = scratch.create("sum");
        scratch.execIn(db, "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (1), (2)");
        TableChecksum plain = sum(db);
        scratch.execIn(db, "ALTER TABLE t ADD COLUMN y INT AS (x * 2) STORED, ADD COLUMN z INT AS (x + 1) VIRTUAL");
        assertThat(sum(db)).isEqualTo(plain);
    }
}
