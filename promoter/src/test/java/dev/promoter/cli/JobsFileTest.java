package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.service.Job;
import dev.promoter.service.JobsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading and validating the jobs file; window arithmetic through cron-utils. */
class JobsFileTest {
    @TempDir
    Path tmp;

    private Path file(String jobBody) throws Exception {
        Files.createDirectories(tmp.resolve("sql"));
        Path f = tmp.resolve("jobs.yaml");
        Files.writeString(f, "token_file: token.txt\njobs:\n  - name: weekly\n    url: jdbc:h2:file:" + tmp.resolve("db")
                + "\n    sql: sql\n" + jobBody);
        Files.writeString(tmp.resolve("token.txt"), "t0ken\n");
        return f;
    }

    @Test
    void loadsAValidJob() throws Exception {
        JobsFile jobs = JobsYaml.load(file("    password_env: DB_PW\n    to: 1.10.0\n    no_switch: true\n"
                + "    window: {cron: \"0 2 * * SUN\", within: 1h30m, time_zone: UTC}\n"
                + "    traffic: {sample: 500ms, max_active_sessions: 2, max_tps: 10.5, max_transaction: 5s}\n"), Map.of("DB_PW", "pw"));
        Job j = jobs.job("weekly").orElseThrow();
        assertThat(j.live().password().reveal()).isEqualTo("pw");
        assertThat(j.to()).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo("1.10.0"));
        assertThat(j.noSwitch()).isTrue();
        assertThat(j.verify()).isTrue();
        assertThat(j.sql()).isEqualTo(tmp.resolve("sql"));
        assertThat(j.traffic().maxTransactionsPerSecond()).isEqualTo(10.5);
        assertThat(j.traffic().sampleFor()).isEqualTo(Duration.ofMillis(500));
        assertThat(jobs.token().orElseThrow().reveal()).isEqualTo("t0ken");
        assertThat(j.window().within()).isEqualTo(Duration.ofMinutes(90));
        // Sunday 2026-11-22 02:00 UTC opens it for 90 minutes
        assertThat(j.window().isOpen(Instant.parse("2026-11-22T01:59:59Z"))).isFalse();
        assertThat(j.window().openSince(Instant.parse("2026-11-22T02:00:00Z"))).contains(Instant.parse("2026-11-22T02:00:00Z"));
        assertThat(j.window().closesAt(Instant.parse("2026-11-22T03:29:00Z"))).contains(Instant.parse("2026-11-22T03:30:00Z"));
        assertThat(j.window().isOpen(Instant.parse("2026-11-22T03:30:00Z"))).isFalse();
        assertThat(j.window().nextOpen(Instant.parse("2026-11-22T03:30:00Z"))).contains(Instant.parse("2026-11-29T02:00:00Z"));
        assertThat(j.window().isOpen(Instant.parse("2026-11-23T02:10:00Z"))).isFalse();
    }

    @Test
    void errorsNameTheFileTheJobAndTheField() throws Exception {
        expect(file("    window: {cron: \"0 25 * * SUN\", within: 2h}\n"), "job weekly, field window.cron", "0 25 * * SUN");
        expect(file("    window: {cron: \"0 2 * * SUN\", within: soon}\n"), "job weekly, field window.within", "\"soon\" is not a duration");
        expect(file("    window: {cron: \"0 2 * * SUN\"}\n"), "job weekly, field window.within");
        expect(file(""), "job weekly, field window");
        expect(file("    password: hunter2\n    window: {cron: \"0 2 * * SUN\", within: 2h}\n"), "job weekly, field password", "never written");
        expect(file("    password_env: NOPE\n    window: {cron: \"0 2 * * SUN\", within: 2h}\n"), "job weekly, field password_env", "NOPE is not set");
        expect(file("    to: one\n    window: {cron: \"0 2 * * SUN\", within: 2h}\n"), "job weekly, field to", "\"one\"");
        expect(file("    verfy: true\n    window: {cron: \"0 2 * * SUN\", within: 2h}\n"), "job weekly, field verfy", "unknown field");
        expect(file("    window: {cron: \"0 2 * * SUN\", within: 2h}\n    traffic: {max_tps: many}\n"), "job weekly, field traffic.max_tps");
    }

    private void expect(Path f, String... parts) {
        assertThatThrownBy(() -> JobsYaml.load(f, Map.of())).isInstanceOf(PromoterException.class)
                .hasMessageContaining("Jobs file " + f).satisfies(e -> assertThat(e.getMessage()).contains(parts));
    }
}
