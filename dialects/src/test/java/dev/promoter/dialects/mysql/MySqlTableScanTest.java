package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.TableChecksum;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The server row hashes' sum. */
class MySqlTableScanTest {
    @Test
    void theServerRowHashSumIsExactPast64Bits() {
        MySqlTableScan.Hash sum = new MySqlTableScan.Hash(1);
        sum.add("ffffffffffffffff".getBytes(StandardCharsets.US_ASCII));
        sum.add("ffffffffffffffff".getBytes(StandardCharsets.US_ASCII));
        sum.add("0000000000000003".getBytes(StandardCharsets.US_ASCII));
        TableChecksum c = sum.checksum();
        assertThat(c.rows()).isEqualTo(3);
        assertThat(c.hashSum()).isEqualTo(BigInteger.TWO.pow(65).add(BigInteger.ONE));
    }
}
