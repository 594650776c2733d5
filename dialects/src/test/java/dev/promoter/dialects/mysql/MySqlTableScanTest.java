package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.Introspector;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which tables the tool hashes, and why that is safe: the charsets it trusts really convert without loss. */
class MySqlTableScanTest {
    /** Every byte (8-bit sets), every BMP code unit (ucs2), every BMP code point plus a sample of the others. */
    private static final Map<String, String> EVERY_VALUE = Map.of(
            "latin1", "SELECT seq, UNHEX(LPAD(HEX(seq), 2, '0')) FROM seq_0_to_255",
            "ucs2", "SELECT seq, UNHEX(LPAD(HEX(seq), 4, '0')) FROM seq_0_to_65535",
            "utf32", "SELECT seq, UNHEX(LPAD(HEX(seq), 8, '0')) FROM seq_0_to_1114111 WHERE seq < 65536 OR seq % 61 = 0");
    private static final List<String> FROM_UTF32 = List.of("utf16", "utf16le", "utf8mb3", "utf8mb4");

    private final MySqlScratch scratch = new MySqlScratch();
    private final Introspector introspector = new MySqlIntrospector();

    @AfterEach
    void drop() {
        scratch.close();
    }

    @Test
    void theToolHashesOnlyTablesWhoseEveryColumnConvertsWithoutLoss() {
        String db = scratch.create("scan");
        scratch.execIn(db, "CREATE TABLE plain (id INT, b BLOB, g POINT, d DATETIME, j JSON, e ENUM('x'), s VARCHAR(3))",
                "CREATE TABLE mixed (id INT, a VARCHAR(3) CHARACTER SET latin1, u VARCHAR(3) CHARACTER SET utf16le,"
                        + " w VARCHAR(3) CHARACTER SET ucs2, m VARCHAR(3) CHARACTER SET utf8mb3, z VARCHAR(3) CHARACTER SET utf32)",
                "CREATE TABLE japanese (id INT, s VARCHAR(3), k VARCHAR(3) CHARACTER SET sjis)",
                "CREATE TABLE ascii (id INT, s VARCHAR(3) CHARACTER SET ascii)",
                "CREATE TABLE keyed (id INT, e ENUM('a','b') CHARACTER SET gbk)");
        scratch.jdbi(db).useHandle(h -> {
            assertThat(MySqlScratch.scan(h, "plain").hashedInTool()).isTrue();
            assertThat(MySqlScratch.scan(h, "mixed").hashedInTool()).isTrue();
            assertThat(MySqlScratch.scan(h, "japanese").hashedInTool()).isFalse();
            assertThat(MySqlScratch.scan(h, "ascii").hashedInTool()).isFalse();
            assertThat(MySqlScratch.scan(h, "keyed").hashedInTool()).isFalse();
            assertThat(MySqlScratch.scan(h, "plain").select()).doesNotContain("MD5");
            assertThat(MySqlScratch.scan(h, "japanese").select()).contains("MD5(");
        });
    }

    /** The tool's hash is over converted bytes: every value of a trusted charset must survive the copy byte for byte. */
    @Test
    void everyValueOfTheTrustedCharsetsIsCopiedByteForByte() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        List<String> statements = new ArrayList<>(List.of("SET SESSION sql_mode = ''",
                "SET SESSION max_recursive_iterations = 2000000"));
        EVERY_VALUE.forEach((cs, values) -> {
            statements.add("CREATE TABLE `" + cs + "` (n INT PRIMARY KEY, c VARCHAR(2) CHARACTER SET " + cs + ")");
            statements.add("INSERT INTO `" + cs + "` " + values);
        });
        for (String cs : FROM_UTF32) {
            statements.add("CREATE TABLE `" + cs + "` (n INT PRIMARY KEY, c VARCHAR(2) CHARACTER SET " + cs + ")");
            statements.add("INSERT INTO `" + cs + "` SELECT n, c FROM utf32");
        }
        scratch.execIn(live, statements.toArray(String[]::new));
        Snapshot snap = scratch.cloneInto(new MySqlCloner(), live, staging, 2);
        for (TableRef t : snap.tables().keySet()) {
            String bytes = "SELECT CONCAT(COUNT(*), '/', SUM(CRC32(CONCAT(n, ':', HEX(c))))) FROM " + MySqlDialect.quoteName(t.name());
            assertThat(scratch.query(staging, bytes)).as(t.name()).isEqualTo(scratch.query(live, bytes));
            List<String> distinct = scratch.query(live, "SELECT CONCAT(COUNT(DISTINCT CAST(c AS BINARY)), '/',"
                    + " COUNT(DISTINCT CAST(CONVERT(c USING utf8mb4) AS BINARY))) FROM " + MySqlDialect.quoteName(t.name()));
            assertThat(distinct.get(0).split("/")[0]).as(t.name() + ": distinct values stay distinct in utf8mb4")
                    .isEqualTo(distinct.get(0).split("/")[1]);
            scratch.jdbi(staging).useHandle(h -> {
                assertThat(MySqlScratch.scan(h, t.name()).hashedInTool()).as(t.name()).isTrue();
                assertThat(introspector.checksum(h, t)).as(t.name()).isEqualTo(snap.tables().get(t));
            });
        }
        assertThat(scratch.query(live, "SELECT COUNT(*) FROM ucs2")).containsExactly("65536");
    }

    /** sjis and gbk values are hashed by the server on both sides, and still verify equal. */
    @Test
    void aTableWithALossyCharsetIsHashedByTheServerAndStillVerifiesEqual() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET sjis,"
                        + " note TEXT CHARACTER SET gbk, at TIMESTAMP NULL, bits BIT(3), n INT AS (id * 2) STORED)",
                "INSERT INTO t (id, name, note, at, bits) VALUES (1, '日本語 ｶﾀｶﾅ', '中文', '2024-03-31 01:30:00', b'101'),"
                        + " (2, '', NULL, NULL, NULL)");
        for (MySqlTableCopier.Path path : MySqlTableCopier.Path.values()) {
            scratch.exec("DROP DATABASE `" + staging + "`", "CREATE DATABASE `" + staging + "`");
            Snapshot snap = scratch.cloneInto(new MySqlCloner(path), live, staging, 1);
            TableRef t = new TableRef(null, "t");
            assertThat(scratch.<Object>with(staging, h -> introspector.checksum(h, t))).as(path.name()).isEqualTo(snap.tables().get(t));
            assertThat(scratch.<Object>with(live, h -> introspector.checksum(h, t))).as(path.name()).isEqualTo(snap.tables().get(t));
            assertThat(scratch.query(staging, "SELECT HEX(name) FROM t WHERE id = 1")).isEqualTo(scratch.query(live, "SELECT HEX(name) FROM t WHERE id = 1"));
        }
    }

    /**
     * Why ascii is not trusted: it stores bytes 0x80-0xFF, which reach the copy as '?'. Hashing the stored bytes in
     * the server, the checksum of staging then differs from the snapshot's, so verify catches the loss.
     */
    @Test
    void aValueLostInConversionIsCaughtByTheServerHash() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        scratch.execIn(live, "SET SESSION sql_mode = ''", "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(5) CHARACTER SET ascii)",
                "INSERT INTO t VALUES (1, UNHEX('41FF42'))");
        assertThat(scratch.query(live, "SELECT HEX(s) FROM t")).containsExactly("41FF42");
        Snapshot snap = scratch.cloneInto(new MySqlCloner(), live, staging, 1);
        TableRef t = new TableRef(null, "t");
        assertThat(scratch.query(staging, "SELECT HEX(s) FROM t")).containsExactly("413F42");
        assertThat(scratch.<Object>with(live, h -> introspector.checksum(h, t))).isEqualTo(snap.tables().get(t));
        assertThat(scratch.<Object>with(staging, h -> introspector.checksum(h, t))).isNotEqualTo(snap.tables().get(t));
    }

    @Test
    void theServerRowHashSumIsExactPast64Bits() {
        MySqlTableScan.Hash sum = new MySqlTableScan.Hash(false, 1);
        sum.add("ffffffffffffffff".getBytes(StandardCharsets.US_ASCII));
        sum.add("ffffffffffffffff".getBytes(StandardCharsets.US_ASCII));
        sum.add("0000000000000003".getBytes(StandardCharsets.US_ASCII));
        TableChecksum c = sum.checksum();
        assertThat(c.rows()).isEqualTo(3);
        assertThat(c.hashSum()).isEqualTo(BigInteger.TWO.pow(65).add(BigInteger.ONE));
    }
}
