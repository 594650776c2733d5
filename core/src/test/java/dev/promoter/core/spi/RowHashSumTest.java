package dev.promoter.core.spi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RowHashSumTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TableChecksum rows(String... rows) {
        RowHashSum sum = new RowHashSum();
        for (String r : rows) {
            byte[] bytes = b("xx" + r + "yy");
            sum.addRow(bytes, 2, bytes.length - 4);
        }
        return sum.checksum();
    }

    @Test
    void rowOrderDoesNotMatterButContentAndMultiplicityDo() {
        assertThat(rows("a", "b", "c")).isEqualTo(rows("c", "a", "b"));
        assertThat(rows("a", "b", "c").rows()).isEqualTo(3);
        assertThat(rows("a", "b", "c")).isNotEqualTo(rows("a", "b", "d"));
        assertThat(rows("a", "a")).isNotEqualTo(rows("b", "b"));
        assertThat(rows("a", "a", "b")).isNotEqualTo(rows("a", "b", "b"));
        assertThat(rows()).isEqualTo(new TableChecksum(0, java.math.BigInteger.ZERO));
    }

    @Test
    void addRowHashesOnlyTheGivenRange() {
        RowHashSum sum = new RowHashSum();
        sum.addRow(b("a"), 0, 1);
        assertThat(sum.checksum()).isEqualTo(rows("a"));
        assertThat(sum.checksum().hashSum().bitLength()).isLessThanOrEqualTo(128);
    }
}
