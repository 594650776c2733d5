package dev.promoter.core.db;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSpecTest {

    @Test
    void hidesPasswordQueryParameters() {
        String url = "jdbc:postgresql://db.example:5432/app?user=app&password=s3cr3t&ssl=true";

        String r = ConnectionSpec.redact(url);

        assertThat(r).isEqualTo("jdbc:postgresql://db.example:5432/app?user=app&password=***&ssl=true")
                .doesNotContain("s3cr3t");
    }

    @Test
    void hidesPasswordsWhateverTheCaseOrSpelling() {
        assertThat(ConnectionSpec.redact("jdbc:h2:file:/data/app;USER=sa;PASSWORD=s3cr3t;MODE=MySQL"))
                .isEqualTo("jdbc:h2:file:/data/app;USER=sa;PASSWORD=***;MODE=MySQL");
        assertThat(ConnectionSpec.redact("jdbc:mariadb://h/app?pwd=s3cr3t")).isEqualTo("jdbc:mariadb://h/app?pwd=***");
        assertThat(ConnectionSpec.redact("jdbc:postgresql://h/app?sslpassword=k3y&password=s3cr3t"))
                .isEqualTo("jdbc:postgresql://h/app?sslpassword=***&password=***");
    }

    @Test
    void hidesTheUserInfoPassword() {
        assertThat(ConnectionSpec.redact("jdbc:mysql://app:s3cr3t@db.example:3306/app"))
                .isEqualTo("jdbc:mysql://app:***@db.example:3306/app");
        assertThat(ConnectionSpec.redact("jdbc:mysql://app:p%40ss@db.example/app?useSSL=false"))
                .isEqualTo("jdbc:mysql://app:***@db.example/app?useSSL=false");
    }

    @Test
    void leavesUrlsWithoutCredentialsAlone() {
        String url = "jdbc:postgresql://db.example:5432/app?ssl=true";
        assertThat(ConnectionSpec.redact(url)).isEqualTo(url);
        assertThat(ConnectionSpec.redact(null)).isNull();
    }

    @Test
    void toStringNeverShowsAPasswordGivenApartOrInTheUrl() {
        ConnectionSpec spec = new ConnectionSpec("jdbc:mysql://root:inurl@h/app?password=inparam", "root",
                Secret.of("apart"));

        assertThat(spec.redactedUrl()).isEqualTo("jdbc:mysql://root:***@h/app?password=***");
        assertThat(spec.toString()).contains("as root").doesNotContain("inurl", "inparam", "apart");
        assertThat(spec.password().toString()).isEqualTo("********");
        assertThat(spec.password().reveal()).isEqualTo("apart");
        assertThat(new ConnectionSpec("jdbc:h2:mem:x", null, null).password().isEmpty()).isTrue();
    }
}
