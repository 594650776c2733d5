package dev.promoter.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromoterExceptionTest {
    @Test
    void aServerMessagesFullStopAndOursMakeOneStop() {
        assertThat(PromoterException.failed("Unable to clone: SQLSTATE 08006: An I/O error occurred while sending to the "
                + "backend.. Production is untouched", null).getMessage())
                .isEqualTo("Unable to clone: SQLSTATE 08006: An I/O error occurred while sending to the backend. "
                        + "Production is untouched");
        assertThat(PromoterException.refused("Ends with two stops..").getMessage()).isEqualTo("Ends with two stops.");
    }

    @Test
    void ellipsesAndDottedNamesStay() {
        String m = "Waiting... then ALTER DATABASE a..b is not touched; 1.10.0 stays";
        assertThat(PromoterException.badInput(m).getMessage()).isEqualTo(m);
        assertThat(PromoterException.badInput("and so on...").getMessage()).isEqualTo("and so on...");
    }
}
