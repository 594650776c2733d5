package dev.promoter.cli;

import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.TableChecksum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** --no-switch, then `promote verify` and `promote switch` later; a changed live is refused; --postpone-file holds. */
class StagedSwitchH2Test {
    @TempDir
    Path tmp;

    private CliRun cli(H2Live live, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[]{"--url", live.url, "--user", "sa"}, 0, all, args.length, 4);
        return CliRun.run(all);
    }

    @Test
    void stagedThenVerifiedThenSwitchedLater() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();

        CliRun staged = CliRun.run(live.runArgs("--verify", "--no-switch"));
        assertThat(staged.exit()).as(staged.all()).isZero();
        assertThat(staged.out()).contains("STAGED");
        assertThat(live.checksums()).isEqualTo(before);

        CliRun verify = cli(live, "verify", "--sql", live.sql.toString());
        assertThat(verify.exit()).as(verify.all()).isZero();
        assertThat(verify.out()).contains("checkpoints passed");

        CliRun sw = cli(live, "switch", "--report-dir", tmp.resolve("reports").toString());
        assertThat(sw.exit()).as(sw.all()).isZero();
        assertThat(live.checksums()).containsKey("workflow_executions").doesNotContainKey("executions");
        assertThat(cli(live, "status").out()).contains("storage-server 1.10.0");

        CliRun again = cli(live, "switch", "--report-dir", tmp.resolve("reports").toString());
        assertThat(again.exit()).isEqualTo(3);
    }

    @Test
    void switchRefusesWhenLiveChangedSinceTheSnapshot() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun staged = CliRun.run(live.runArgs("--verify", "--no-switch"));
        assertThat(staged.exit()).as(staged.all()).isZero();
        Connections.jdbi(live.dialect.server(live.spec).live())
                .useHandle(h -> h.execute("INSERT INTO kv_pair (name) VALUES ('written after staging')"));
        Map<String, TableChecksum> before = live.checksums();

        CliRun sw = cli(live, "switch", "--report-dir", tmp.resolve("reports").toString());

        assertThat(sw.exit()).isEqualTo(3);
        assertThat(sw.err()).containsIgnoringCase("kv_pair");
        assertThat(live.checksums()).isEqualTo(before);
        assertThat(cli(live, "status").out()).contains("storage-server 1.0.0");
    }

    @Test
    void postponeFileHoldsTheSwitchUntilRemoved() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Path hold = Files.createFile(tmp.resolve("hold"));
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(4000);
                Files.delete(hold);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        long t0 = System.nanoTime();
        CliRun r = CliRun.run(live.runArgs("--verify", "--skip-backup", "--postpone-file", hold.toString()));
        release.join();
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("switch postponed while", "PROMOTED");
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(3500);
    }
}
