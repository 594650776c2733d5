package dev.promoter.core.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;

class DerivedNameTest {
    private static final ToIntFunction<String> BYTES = s -> s.getBytes(StandardCharsets.UTF_8).length;

    @Test
    void aNameThatFitsIsBasePlusSuffix() {
        assertThat(Preflight.derivedName("storage", "_promoter_staging", 63, BYTES)).isEqualTo("storage_promoter_staging");
    }

    @Test
    void aLongNameIsCutWithinTheLimitAsTheServerCountsIt() {
        String live = "é".repeat(29); // 58 bytes, 29 characters
        String staging = Preflight.derivedName(live, "_promoter_staging", 63, BYTES);
        assertThat(BYTES.applyAsInt(staging)).isLessThanOrEqualTo(63);
        assertThat(staging).matches("é+_[0-9a-f]{6}_promoter_staging");
        // counted in characters (MySQL), the same name fits as it is
        assertThat(Preflight.derivedName(live, "_promoter_staging", 64, String::length)).isEqualTo(live + "_promoter_staging");
    }

    @Test
    void twoLongNamesWithTheSamePrefixDeriveDifferentNames() {
        String prefix = "a".repeat(55);
        String one = Preflight.derivedName(prefix + "_one", "_promoter_staging", 63, String::length);
        String two = Preflight.derivedName(prefix + "_two", "_promoter_staging", 63, String::length);
        assertThat(one).hasSize(63).isNotEqualTo(two);
        assertThat(two).hasSize(63);
        assertThat(Preflight.derivedName(prefix + "_one", "_promoter_staging", 63, String::length)).isEqualTo(one);
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsNeverSplit() {
        String live = "\uD83D\uDE00".repeat(15); // 15 emoji: 60 bytes, 30 chars
        String staging = Preflight.derivedName(live, "_x", 40, BYTES);
        assertThat(BYTES.applyAsInt(staging)).isLessThanOrEqualTo(40);
        assertThat(staging).matches("(\uD83D\uDE00)+_[0-9a-f]{6}_x");
    }
}
