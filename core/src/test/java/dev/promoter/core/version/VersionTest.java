package dev.promoter.core.version;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionTest {

    @Test
    void comparesPartsAsNumbersNotText() {
        assertThat(Version.parse("1.10.0")).isGreaterThan(Version.parse("1.9.0"));
        assertThat(Version.parse("1.10.0").isAfter(Version.parse("1.9.0"))).isTrue();
        assertThat(Version.parse("1.9.0").isBefore(Version.parse("1.10.0"))).isTrue();
        assertThat(Version.parse("2")).isGreaterThan(Version.parse("1.99.99"));
        assertThat(Version.parse("1.0.1")).isGreaterThan(Version.parse("1.0"));
    }

    @Test
    void missingTrailingPartsAreZeroSoShortAndLongFormsAreEqual() {
        Version shortForm = Version.parse("1.1");
        Version longForm = Version.parse("1.1.0");

        assertThat(shortForm).isEqualTo(longForm);
        assertThat(shortForm).hasSameHashCodeAs(longForm);
        assertThat(shortForm.compareTo(longForm)).isZero();
        assertThat(new TreeSet<>(List.of(shortForm, longForm))).hasSize(1);
        assertThat(shortForm).hasToString("1.1");
        assertThat(longForm).hasToString("1.1.0");
    }

    @Test
    void sortsAListInReleaseOrder() {
        List<Version> sorted = List.of("1.10.0", "1.9.0", "1.2.0", "1.0.0", "1.1.0", "10.0.0", "2.0.0").stream()
                .map(Version::parse).sorted().toList();

        assertThat(sorted).extracting(Version::toString)
                .containsExactly("1.0.0", "1.1.0", "1.2.0", "1.9.0", "1.10.0", "2.0.0", "10.0.0");
    }

    @Test
    void keepsTheTextAsWrittenButStripsSurroundingBlanks() {
        assertThat(Version.parse(" 1.2 ")).hasToString("1.2").isEqualTo(Version.parse("1.2.0"));
        assertThat(Version.isValid("1.2.3.4.5.6")).isTrue();
        assertThat(Version.isValid("1.x")).isFalse();
        assertThat(Version.isValid(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1.x", "v1.0", "1..0", ".1", "1.", "1.0-SNAPSHOT", "-1", "1,2", "1.2.3.4.5.6.7",
            "1234567890", "１.０"})
    void rejectsInvalidInputAsBadInputQuotingIt(String text) {
        assertThatThrownBy(() -> Version.parse(text))
                .isInstanceOfSatisfying(PromoterException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT);
                    assertThat(e.outcome().exitCode()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("\"" + text + "\"").contains("1.10.0");
                });
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Version.parse(null))
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.BAD_INPUT))
                .hasMessageContaining("Invalid version");
    }
}
