package dev.promoter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promoter.core.spi.TableChecksum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to {@code promote serve --once} at different stages of a run (a child JVM): live is then
 * either exactly the old database or exactly the promoted one, and the ledger says which.
 */
class ServeSigtermTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermLeavesLiveFullyOldOrFullyNew() throws Exception {
        H2Live reference = new H2Live(tmp.resolve("reference")).installAt("1.0.0");
        Map<String, TableChecksum> old = reference.checksums();
        CliRun promoted = CliRun.run(reference.runArgs("--verify"));
        assertThat(promoted.exit()).as(promoted.all()).isZero();
        Map<String, TableChecksum> fresh = reference.checksums();

        List<String> outcomes = new ArrayList<>();
        for (String stage : List.of("backup", "migrate", "verify", "promote")) {
            H2Live live = new H2Live(tmp.resolve("at-" + stage)).installAt("1.0.0");
            assertThat(live.checksums()).isEqualTo(old);
            Path jobs = JobsYaml.write(live, "nightly", "* * * * *", "1h", JobsYaml.lowTraffic(), "");
            Path log = live.dir.resolve("serve.log");
            Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), "dev.promoter.cli.Main",
                    "serve", "--jobs", jobs.toString(), "--once", "nightly").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean signalled = false;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!signalled && p.isAlive() && System.nanoTime() < deadline) {
                if (Files.exists(log) && Files.readString(log).lines().anyMatch(l -> l.startsWith("==> " + stage))) {
                    p.destroy(); // SIGTERM
                    signalled = true;
                } else {
                    Thread.sleep(20);
                }
            }
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
            String out = Files.readString(log);
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).as(out.toString()).isTrue();
            assertThat(signalled).as(out.toString()).isTrue();

            String version = new ObjectMapper().readTree(CliRun.run("status", "--url", live.url, "--user", "sa", "--json")
                    .out()).at("/live/version").asText();
            Map<String, TableChecksum> now = live.checksums();
            if (version.equals("1.0.0")) {
                assertThat(now).as("live is at 1.0.0 by the ledger, so it must be the old database\n" + out).isEqualTo(old);
                assertThat(out).contains("stopping");
            } else {
                assertThat(version).as(out.toString()).isEqualTo("1.10.0");
                // um_tenant's seed row carries its creation time: compare its row count, every other table exactly
                assertThat(now.keySet()).isEqualTo(fresh.keySet());
                now.forEach((t, c) -> assertThat(t.equals("um_tenant") ? (Object) c.rows() : c)
                        .as("live is at 1.10.0 by the ledger, so %s must be fully promoted\n%s", t, out)
                        .isEqualTo(t.equals("um_tenant") ? (Object) fresh.get(t).rows() : fresh.get(t)));
            }
            String history = CliRun.run("history", "--url", live.url, "--user", "sa").out();
            assertThat(history).contains(version.equals("1.0.0") ? "REFUSED" : "PROMOTED");
            outcomes.add(stage + " -> " + version + " (exit " + p.exitValue() + ")");
        }
        System.out.println("SIGTERM outcomes: " + outcomes);
        assertThat(outcomes.get(0)).contains("1.0.0");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
