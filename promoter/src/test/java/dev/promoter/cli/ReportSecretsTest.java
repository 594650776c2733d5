package dev.promoter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** No password reaches a report, whether given by PROMOTER_PASSWORD or written inside the JDBC URL. */
class ReportSecretsTest {
    private static final String ENV_SECRET = "Zebra-7781-EnvSecret";
    private static final String URL_SECRET = "Okapi-4412-UrlSecret";

    @TempDir
    Path tmp;

    @Test
    void passwordFromTheEnvironmentNeverReachesAReport() throws Exception {
        Map<String, String> env = Map.of("PROMOTER_PASSWORD", ENV_SECRET);
        String url = "jdbc:h2:file:" + tmp.resolve("storage");
        Path sql = sqlTree();
        Path reports = tmp.resolve("reports");
        CliRun install = CliRun.run(env, "install", "--to", "1.0.0", "--url", url, "--user", "sa", "--sql", sql.toString());
        assertThat(install.exit()).as(install.all()).isZero();

        CliRun run = CliRun.run(env, "--verify", "--json", "--url", url, "--user", "sa", "--sql", sql.toString(),
                "--report-dir", reports.toString(), "--backup-dir", tmp.resolve("backups").toString());
        assertThat(run.exit()).as(run.all()).isZero();
        // a refused run too: its message quotes the staging URL, which carries a password of its own
        CliRun refused = CliRun.run(env, "--verify", "--url", url, "--user", "sa", "--sql", sql.toString(),
                "--report-dir", reports.toString(), "--staging-url",
                "jdbc:postgresql://sa:" + ENV_SECRET + "@127.0.0.1:5432/x?password=" + ENV_SECRET);
        assertThat(refused.exit()).as(refused.all()).isNotZero();
        String runId = ReportFixture.json(firstReport(reports)).get("runId").asText();
        CliRun rebuilt = CliRun.run(env, "report", runId, "--url", url, "--user", "sa", "--report-dir",
                tmp.resolve("rebuilt").toString());
        assertThat(rebuilt.exit()).as(rebuilt.all()).isZero();

        assertNoSecretIn(ENV_SECRET, List.of(reports, tmp.resolve("rebuilt")), 3);
        assertThat(run.all() + refused.all() + rebuilt.all()).doesNotContain(ENV_SECRET);
    }

    @Test
    void passwordInsideTheUrlNeverReachesAReport() throws Exception {
        String url = "jdbc:h2:file:" + tmp.resolve("storage") + ";password=" + URL_SECRET;
        Path sql = sqlTree();
        Path reports = tmp.resolve("reports");
        CliRun install = CliRun.run("install", "--to", "1.0.0", "--url", url, "--user", "sa", "--sql", sql.toString());
        assertThat(install.exit()).as(install.all()).isZero();

        CliRun run = CliRun.run("--verify", "--json", "--url", url, "--user", "sa", "--sql", sql.toString(),
                "--report-dir", reports.toString(), "--backup-dir", tmp.resolve("backups").toString());
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(ReportFixture.json(firstReport(reports)).get("result").asText()).isEqualTo("PROMOTED");
        CliRun refused = CliRun.run("--verify", "--url", url, "--user", "sa", "--sql", sql.toString(),
                "--report-dir", reports.toString(), "--staging-url",
                "jdbc:postgresql://127.0.0.1:5432/x?user=sa&password=" + URL_SECRET);
        assertThat(refused.exit()).as(refused.all()).isNotZero();
        String runId = ReportFixture.json(firstReport(reports)).get("runId").asText();
        CliRun rebuilt = CliRun.run("report", runId, "--url", url, "--user", "sa", "--report-dir",
                tmp.resolve("rebuilt").toString());
        assertThat(rebuilt.exit()).as(rebuilt.all()).isZero();

        assertNoSecretIn(URL_SECRET, List.of(reports, tmp.resolve("rebuilt")), 3);
        assertThat(run.all() + refused.all() + rebuilt.all()).doesNotContain(URL_SECRET);
    }

    private Path sqlTree() {
        Path sql = tmp.resolve("sql");
        H2Live.copyTree(H2Live.repoSql(), sql);
        return sql;
    }

    private static Path firstReport(Path reports) throws IOException {
        try (Stream<Path> s = Files.walk(reports)) {
            return s.filter(p -> p.getFileName().toString().equals("report.json")).sorted().findFirst().orElseThrow();
        }
    }

    /** Every file under the folders, read as bytes; {@code runs} report folders are expected in all. */
    private static void assertNoSecretIn(String secret, List<Path> folders, int runs) throws IOException {
        int folders4 = 0;
        for (Path folder : folders) {
            try (Stream<Path> s = Files.walk(folder)) {
                for (Path f : s.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertThat(text).as("%s", f).doesNotContain(secret).doesNotContainIgnoringCase(secret);
                    if (f.getFileName().toString().equals("summary.md")) {
                        folders4++;
                    }
                }
            }
        }
        assertThat(folders4).as("report folders checked").isEqualTo(runs);
    }
}
