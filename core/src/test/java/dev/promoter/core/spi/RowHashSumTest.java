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

    private static TableChecksum fields(byte[]... fields) {
        RowHashSum sum = new RowHashSum();
        for (byte[] f : fields) {
            sum.field(f);
        }
        sum.endRow();
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
    }

    @Test
    void fieldsKeepTheirBoundariesAndNullDiffersFromEmpty() {
        assertThat(fields(b("ab"), b("c"))).isNotEqualTo(fields(b("a"), b("bc")));
        assertThat(fields(null, b("x"))).isNotEqualTo(fields(b(""), b("x")));
        assertThat(fields(b("a"), b("b"))).isEqualTo(fields(b("a"), b("b")));
    }

    @Test
    void manyFieldRowsSumLikeTheirSeparateSums() {
        RowHashSum both = new RowHashSum();
        both.field(b("1"));
        both.endRow();
        both.field(b("2"));
        both.endRow();
        RowHashSum reversed = new RowHashSum();
        reversed.field(b("2"));
        reversed.endRow();
        reversed.field(b("1"));
        reversed.endRow();
        assertThat(both.checksum()).isEqualTo(reversed.checksum());
        assertThat(both.checksum().hashSum().bitLength()).isLessThanOrEqualTo(128);
    }
}
