package dev.promoter.dialects.mysql;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlLoadDataBufferTest {
    private static String encoded(MySqlLoadDataBuffer b) {
        return new String(Arrays.copyOf(b.array(), b.size()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void escapesTheFourSpecialBytesAndWritesNullAsBackslashN() {
        MySqlLoadDataBuffer b = new MySqlLoadDataBuffer(4);
        b.value("a\\b\tc\nd\0e".getBytes(StandardCharsets.ISO_8859_1));
        b.put((byte) '\t');
        b.value(null);
        b.put((byte) '\t');
        b.value(new byte[0]);
        b.put((byte) '\t');
        b.value(new byte[] {(byte) 0xFF, (byte) 0x80, 'N'});
        b.put((byte) '\n');
        assertThat(encoded(b)).isEqualTo("a\\\\b\\tc\\nd\\0e\t\\N\t\t\u00ff\u0080N\n");
    }

    @Test
    void growsPastItsCapacityAndResets() {
        MySqlLoadDataBuffer b = new MySqlLoadDataBuffer(2);
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'x');
        big[99_999] = '\n';
        b.value(big);
        assertThat(b.size()).isEqualTo(100_001);
        assertThat(b.array()[99_999]).isEqualTo((byte) '\\');
        assertThat(b.array()[100_000]).isEqualTo((byte) 'n');
        b.reset();
        assertThat(b.size()).isZero();
        b.value("\\".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(encoded(b)).isEqualTo("\\\\");
    }

    private static dev.promoter.core.spi.TableChecksum fed(byte[]... values) throws Exception {
        MySqlTableScan.Hash h = new MySqlTableScan.Hash(true, 0);
        for (byte[] v : values) {
            h.field(v);
        }
        h.endRow(null);
        return h.checksum();
    }

    private static dev.promoter.core.spi.TableChecksum encoded(byte[]... values) throws Exception {
        MySqlLoadDataBuffer b = new MySqlLoadDataBuffer(8);
        b.put((byte) 'x'); // a row that starts inside the buffer, as in the copy
        int start = b.size();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.put((byte) '\t');
            }
            b.value(values[i]);
        }
        MySqlTableScan.Hash h = new MySqlTableScan.Hash(true, 0);
        h.endEncodedRow(b.array(), start, b.size(), null);
        return h.checksum();
    }

    private static byte[] s(String v) {
        return v.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theCopysRowHashEqualsTheChecksumsAndTellsRowsApart() throws Exception {
        assertThat(encoded(s("a\tb"), null, s(""), s("\\N"))).isEqualTo(fed(s("a\tb"), null, s(""), s("\\N")));
        assertThat(fed(s("ab"), s("c"))).isNotEqualTo(fed(s("a"), s("bc")));
        assertThat(fed(s("a\tb"))).isNotEqualTo(fed(s("a"), s("b")));
        assertThat(fed((byte[]) null)).isNotEqualTo(fed(s(""))).isNotEqualTo(fed(s("\\N")));
        assertThat(fed(s(""), s(""))).isNotEqualTo(fed(s("")));
    }
}
