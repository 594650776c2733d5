package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.ledger.PromotionLock;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole pipeline through the CLI on real H2 files: promotion, and each refusal leaving live untouched. */
class H2PipelineCliTest {
    @TempDir
    Path tmp;

    @Test
    void aTakenArchiveNameGetsASuffixInsteadOfRefusingTheSwitch() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        // another run of the same second took the archive name: occupy every name the switch could pick now
        java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC);
        java.time.Instant now = java.time.Instant.now();
        for (int s = -5; s <= 180; s++) {
            Files.writeString(tmp.resolve("storage_archive_" + stamp.format(now.plusSeconds(s)) + ".mv.db"), "taken");
        }

        CliRun r = CliRun.run(live.runArgs("--verify", "--to", "1.1.0"));

        assertThat(r.exit()).as(r.all()).isZero();
        try (Stream<Path> files = Files.list(tmp)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.matches("storage_archive_\\d{14}_2\\.mv\\.db"));
            assertThat(names.stream().filter(n -> n.matches("storage_archive_\\d{14}\\.mv\\.db"))).hasSize(186)
                    .allMatch(n -> readQuietly(tmp.resolve(n)).equals("taken"));
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void promotesFromOldestToNewestCarryingEveryRow() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();

        CliRun r = CliRun.run(live.runArgs("--verify", "--verify-backup"));

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("PROMOTED", "1.0.0 -> 1.10.0", "[PASS] backup restores to the snapshot");
        Map<String, TableChecksum> after = live.checksums();
        assertThat(after).containsKeys("workflow_executions", "task_executions", "action_executions", "um_tenant",
                "um_user_store").doesNotContainKey("executions");
        // untouched tables carried exactly; moved rows all present
        assertThat(after.get("audit_log")).isEqualTo(before.get("audit_log"));
        assertThat(after.get("storage_volume")).isEqualTo(before.get("storage_volume"));
        assertThat(after.get("kv_pair").rows()).isEqualTo(before.get("kv_pair").rows());
        long moved = after.get("workflow_executions").rows() + after.get("task_executions").rows()
                + after.get("action_executions").rows();
        assertThat(moved).isEqualTo(before.get("executions").rows());
        // the archive holds the old live
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("storage_archive_") && n.endsWith(".mv.db"));
        }
        CliRun status = CliRun.run("status", "--url", live.url, "--user", "sa", "--json");
        JsonNode s = new ObjectMapper().readTree(status.out());
        assertThat(s.at("/live/version").asText()).isEqualTo("1.10.0");
        // the JSON report of the run
        try (Stream<Path> reports = Files.walk(tmp.resolve("reports"))) {
            Path report = reports.filter(p -> p.getFileName().toString().equals("report.json")).findFirst().orElseThrow();
            JsonNode j = new ObjectMapper().readTree(report.toFile());
            assertThat(j.get("result").asText()).isEqualTo("PROMOTED");
            assertThat(j.get("stages")).hasSize(7);
            assertThat(j.get("checkpoints").findValuesAsText("status")).isNotEmpty().allMatch(x -> !x.equals("FAIL"));
        }
        CliRun history = CliRun.run("history", "--url", live.url, "--user", "sa");
        assertThat(history.out()).contains("PROMOTED", "INSTALLED".equals("") ? "" : "install");
    }

    @Test
    void nothingToDoWhenAlreadyAtTarget() {
        H2Live live = new H2Live(tmp).installAt("1.10.0");
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("NOTHING_TO_DO");
    }

    @Test
    void rollbackIsRefusedAndLiveUntouched() {
        H2Live live = new H2Live(tmp).installAt("1.9.0");
        Map<String, TableChecksum> before = live.checksums();
        CliRun r = CliRun.run(live.runArgs("--verify", "--to", "1.2.0"));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("Rollback is not supported", "1.9.0", "1.2.0", "restore");
        assertThat(live.checksums()).isEqualTo(before);
    }

    @Test
    void crossDialectIsRefusedAndLiveUntouched() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();

        CliRun byFlag = CliRun.run(live.runArgs("--verify", "--dialect", "postgresql"));
        assertThat(byFlag.exit()).isEqualTo(3);
        assertThat(byFlag.err()).contains("Cross-dialect", "h2", "postgresql");

        CliRun byStaging = CliRun.run(live.runArgs("--verify", "--staging-url", "jdbc:postgresql://127.0.0.1:5432/x"));
        assertThat(byStaging.exit()).isEqualTo(3);
        assertThat(byStaging.err()).contains("Cross-dialect", "postgresql");
        assertThat(live.checksums()).isEqualTo(before);
    }

    @Test
    void unknownLiveVersionAsksForStamp() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        // a second database in the same folder, created by hand, never recorded
        var other = live.dialect.server(live.spec);
        other.create("handmade");
        CliRun r = CliRun.run("--verify", "--url", "jdbc:h2:file:" + tmp.resolve("handmade"), "--user", "sa",
                "--sql", live.sql.toString(), "--report-dir", tmp.resolve("reports").toString());
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("unknown", "promote stamp");
    }

    @Test
    void editedScriptIsRefusedNamingTheFileAndLiveUntouched() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();
        Path script = live.sql.resolve("storage-server/1.0.0/h2/migration.sql");
        Files.writeString(script, Files.readString(script).replace("VARCHAR(100)", "VARCHAR(120)"));

        CliRun r = CliRun.run(live.runArgs("--verify"));

        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.err()).contains("storage-server/1.0.0/h2/migration.sql", "edited after");
        assertThat(live.checksums()).isEqualTo(before);
        CliRun status = CliRun.run("status", "--url", live.url, "--user", "sa");
        assertThat(status.out()).contains("1.0.0");
    }

    @Test
    void lockHeldByAnotherRunIsRefusedNamingIt() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> before = live.checksums();
        var server = live.dialect.server(live.spec);
        Ledger ledger = Ledger.open(Connections.jdbi(server.ledger()), Clock.systemUTC());
        try (var lease = new PromotionLock(ledger).acquire(server.ledgerKey(), "other-run-42", "ops@host pid 1",
                Duration.ofMinutes(5))) {
            CliRun r = CliRun.run(live.runArgs("--verify"));
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err()).contains("other-run-42", "ops@host pid 1");
        }
        assertThat(live.checksums()).isEqualTo(before);
    }

    @Test
    void preCreatedTableIsRefusedWithTheFix() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Connections.jdbi(live.dialect.server(live.spec).live())
                .useHandle(h -> h.execute("CREATE TABLE um_tenant (id BIGINT PRIMARY KEY)"));
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("UM_TENANT", "already", "DROP TABLE");
    }

    /** The ledger as a run leaves it when it dies between its switch's commit and recording the promotion. */
    private static String forgetTheLastPromotion(H2Live live) {
        var server = live.dialect.server(live.spec);
        Ledger ledger = Ledger.open(Connections.jdbi(server.ledger()), Clock.systemUTC());
        String runId = ledger.history(server.ledgerKey(), 1).get(0).runId();
        ledger.jdbi().useHandle(h -> {
            h.execute("UPDATE promoter_database SET version = '1.0.0' WHERE db_key = ?", server.ledgerKey());
            h.execute("UPDATE promoter_run SET ended_at = NULL, outcome = NULL WHERE run_id = ?", runId);
        });
        return runId;
    }

    @Test
    void aRunThatDiedJustAfterItsSwitchIsRecordedFromLivesOwnHistory() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun first = CliRun.run(live.runArgs("--verify", "--to", "1.2.0"));
        assertThat(first.exit()).as(first.all()).isZero();
        String dead = forgetTheLastPromotion(live);
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.0.0");

        CliRun r = CliRun.run(live.runArgs("--verify"));

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("recorded storage at storage-server 1.2.0: run " + dead + " switched it there but "
                + "ended (ABANDONED) before the ledger recorded it", "1.2.0 -> 1.10.0", "through [1.9.0, 1.10.0]", "PROMOTED");
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.10.0");
    }

    @Test
    void aLedgerBehindLivesOwnHistoryWithNoRunToExplainItIsRefused() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun first = CliRun.run(live.runArgs("--verify", "--to", "1.2.0"));
        assertThat(first.exit()).as(first.all()).isZero();
        var server = live.dialect.server(live.spec);
        Ledger.open(Connections.jdbi(server.ledger()), Clock.systemUTC()).jdbi().useHandle(h -> h.execute(
                "UPDATE promoter_database SET version = '1.0.0' WHERE db_key = ?", server.ledgerKey()));
        Map<String, TableChecksum> before = live.checksums();

        CliRun r = CliRun.run(live.runArgs("--verify"));

        // nothing explains it, so the record stands; the tables 1.1.0 made are not taken for a service's
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.err()).contains("The ledger says live is at 1.0.0, but live's own Liquibase history",
                "1.1.0/migration.sql", "do not drop the tables those scripts made", "`promote stamp VERSION`")
                .doesNotContain("DROP TABLE");
        assertThat(r.out()).doesNotContain("recorded storage at");
        assertThat(live.checksums()).isEqualTo(before);
    }

    /**
     * The rollback the refusal of one advises: the backup a run took at 1.0.0 restored in live's place after its
     * promotion to 1.2.0. The ledger still says 1.2.0; live's own history says otherwise, so the run refuses (not
     * "nothing to do", not scripts of 1.9.0 on a 1.0.0 schema) until the real version is stamped, and then upgrades
     * from there.
     */
    @Test
    void liveRestoredFromAnOlderBackupIsRefusedUntilStampedAndThenUpgradedFromThere() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        Map<String, TableChecksum> atOneZero = live.checksums();
        CliRun first = CliRun.run(live.runArgs("--verify", "--to", "1.2.0"));
        assertThat(first.exit()).as(first.all()).isZero();
        Path backup;
        try (Stream<Path> dirs = Files.list(tmp.resolve("backups"))) {
            backup = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        CliRun restore = CliRun.run("restore", "--backup", backup.toString(), "--url",
                "jdbc:h2:file:" + tmp.resolve("restored"), "--user", "sa");
        assertThat(restore.exit()).as(restore.all()).isZero();
        Files.move(tmp.resolve("restored.mv.db"), tmp.resolve("storage.mv.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(live.checksums()).isEqualTo(atOneZero);
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.2.0",
                "warning:  live's own Liquibase history goes up to 1.0.0 only, not the recorded 1.2.0");

        for (String to : List.of("1.2.0", "1.10.0")) {
            CliRun r = CliRun.run(live.runArgs("--verify", "--to", to));
            assertThat(r.exit()).as(r.all()).isEqualTo(3);
            assertThat(r.err()).contains("The ledger records storage at storage-server 1.2.0, but live's own Liquibase "
                    + "history (DATABASECHANGELOG) lacks", "1.1.0/migration.sql", "restored from a backup",
                    "`promote stamp VERSION`");
            assertThat(live.checksums()).isEqualTo(atOneZero);
        }

        CliRun stamp = CliRun.run("stamp", "1.0.0", "--url", live.url, "--user", "sa", "--sql", live.sql.toString());
        assertThat(stamp.exit()).as(stamp.all()).isZero();
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.0.0")
                .doesNotContain("warning");
        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("1.0.0 -> 1.10.0", "PROMOTED");
        assertThat(live.checksums().get("audit_log")).isEqualTo(atOneZero.get("audit_log"));
    }

    /** A database dropped and created again under the same name: the stale record is named, and install replaces it. */
    @Test
    void aRecreatedDatabaseIsNotTakenForTheOneTheLedgerKnew() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.10.0");
        Files.delete(tmp.resolve("storage.mv.db"));
        live.dialect.server(live.spec).create("storage");

        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isEqualTo(3);
        assertThat(r.err()).contains("records none of the", "dropped and created again", "promote install --to VERSION");
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out())
                .contains("warning:  live has no Liquibase history (DATABASECHANGELOG) though the ledger records it at 1.10.0");

        CliRun install = CliRun.run("install", "--to", "1.2.0", "--url", live.url, "--user", "sa", "--sql", live.sql.toString());
        assertThat(install.exit()).as(install.all()).isZero();
        assertThat(install.all()).contains("replaces the ledger's record of storage at storage-server 1.10.0");
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.2.0");
        CliRun next = CliRun.run(live.runArgs("--verify"));
        assertThat(next.exit()).as(next.all()).isZero();
        assertThat(next.out()).contains("1.2.0 -> 1.10.0", "PROMOTED");
    }

    /**
     * Staging is written beside live: when its file system has less free than live's size and a tenth, preflight
     * refuses (exit 3) before anything is written, naming the folder, the need and the free space, and live is
     * untouched; with room the same run promotes and says what it found.
     */
    @Test
    void aDiskWithoutRoomForStagingIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 256L << 20)) {
            H2Live live = new H2Live(disk.dir()).installAt("1.0.0");
            Map<String, TableChecksum> before = live.checksums();
            long liveBytes = Files.size(disk.dir().resolve("storage.mv.db"));
            assertThat(liveBytes).isGreaterThan(256L << 10);
            disk.resize(disk.used() + liveBytes / 2);

            CliRun r = CliRun.run(live.runArgs("--verify", "--skip-backup"));

            assertThat(r.exit()).as(r.all()).isEqualTo(3);
            assertThat(r.err()).contains("Not enough free disk on the server for staging: " + disk.dir()
                    + " (the copy of storage.mv.db, about " + ((liveBytes * 3 / 2 + (1 << 20) - 1) >> 20) + " MB)",
                    "a full disk would stop live", "Nothing was copied");
            assertThat(live.checksums()).isEqualTo(before);
            try (Stream<Path> files = Files.list(disk.dir())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
            }

            disk.resize(disk.used() + (64L << 20));
            CliRun ok = CliRun.run(live.runArgs("--verify", "--skip-backup"));
            assertThat(ok.exit()).as(ok.all()).isZero();
            assertThat(ok.out()).contains("room for staging: " + disk.dir(), "PROMOTED");
        }
    }

    /** Staging alone fits, staging and the run's backup on the same disk do not: refused, then run with the backup elsewhere. */
    @Test
    void aBackupOnTheDiskOfStagingIsCountedInTheRoomPreflightAsksFor() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 256L << 20)) {
            H2Live live = new H2Live(disk.dir()).installAt("1.0.0");
            Map<String, TableChecksum> before = live.checksums();
            long liveBytes = Files.size(disk.dir().resolve("storage.mv.db"));
            // staging's need (a copy and the script it is loaded from, 1.5 times live's file each) and a tenth fit
            // (3.3 times live's file; measured on this test's data: 2.5 times was too little, 3 enough), not with the
            // backup's (live's file size and a tenth) too
            disk.resize(disk.used() + liveBytes * 39 / 10);

            CliRun r = CliRun.run(live.runArgs("--verify"));

            assertThat(r.exit()).as(r.all()).isEqualTo(3);
            assertThat(r.err()).contains("Not enough free disk on the server for staging: " + disk.dir()
                    + " (the copy of storage.mv.db, about " + ((liveBytes * 3 / 2 + (1 << 20) - 1) >> 20) + " MB), " + disk.dir()
                    + " (the script the copy is loaded from, about", disk.dir().resolve("backups") + " (the run's backup, about", "put the run's backup on another disk "
                    + "(--backup-dir)", "Nothing was copied");
            assertThat(live.checksums()).isEqualTo(before);
            assertThat(disk.dir().resolve("backups")).doesNotExist();

            String[] elsewhere = live.runArgs("--verify");
            elsewhere[java.util.Arrays.asList(elsewhere).indexOf("--backup-dir") + 1] = tmp.resolve("backups").toString();
            CliRun ok = CliRun.run(elsewhere);
            assertThat(ok.exit()).as(ok.all()).isZero();
            assertThat(ok.out()).contains("room for staging: " + disk.dir() + " (the copy of storage.mv.db",
                    "room for staging: " + tmp.resolve("backups") + " (the run's backup", "PROMOTED");
        }
    }

    /** Two promotions keep two archives, listed newest first with the versions they hold; one is dropped by name. */
    @Test
    void archivesAreListedAndDroppedByName() throws Exception {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        assertThat(CliRun.run(live.runArgs("--verify", "--to", "1.2.0")).exit()).isZero();
        assertThat(CliRun.run(live.runArgs("--verify")).exit()).isZero();
        Map<String, TableChecksum> now = live.checksums();

        CliRun listed = CliRun.run("archives", "--url", live.url, "--user", "sa", "--json");
        assertThat(listed.exit()).as(listed.all()).isZero();
        JsonNode archives = new ObjectMapper().readTree(listed.out());
        assertThat(archives).hasSize(2);
        assertThat(archives.findValuesAsText("version")).containsExactly("1.2.0", "1.0.0");
        String older = archives.get(1).get("name").asText();
        String newer = archives.get(0).get("name").asText();
        assertThat(Files.exists(tmp.resolve(older + ".mv.db"))).isTrue();

        CliRun dropped = CliRun.run("archives", "--url", live.url, "--user", "sa", "--drop", older);
        assertThat(dropped.exit()).as(dropped.all()).isZero();
        assertThat(Files.exists(tmp.resolve(older + ".mv.db"))).isFalse();
        assertThat(Files.exists(tmp.resolve(newer + ".mv.db"))).isTrue();
        JsonNode left = new ObjectMapper().readTree(CliRun.run("archives", "--url", live.url, "--user", "sa", "--json").out());
        assertThat(left.findValuesAsText("name")).containsExactly(newer); // the two may share a second: X and X_2
        CliRun twice = CliRun.run("archives", "--url", live.url, "--user", "sa", "--drop", older);
        assertThat(twice.exit()).isEqualTo(3);
        assertThat(twice.err()).contains("Not an archive of storage", older);
        assertThat(live.checksums()).isEqualTo(now);
    }

    @Test
    void stampAdoptsADatabaseAndTheNextRunStartsThere() {
        H2Live live = new H2Live(tmp).installAt("1.2.0");
        var server = live.dialect.server(live.spec);
        Ledger ledger = Ledger.open(Connections.jdbi(server.ledger()), Clock.systemUTC());
        ledger.forget(server.ledgerKey());
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("unknown");

        CliRun stamp = CliRun.run("stamp", "1.2.0", "--url", live.url, "--user", "sa", "--sql", live.sql.toString());
        assertThat(stamp.exit()).as(stamp.all()).isZero();
        assertThat(CliRun.run("status", "--url", live.url, "--user", "sa").out()).contains("storage-server 1.2.0");

        CliRun r = CliRun.run(live.runArgs("--verify"));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("1.2.0 -> 1.10.0", "through [1.9.0, 1.10.0]");
    }

    @Test
    void templateStrategyIsRefusedOnH2NamingTheAlternative() {
        H2Live live = new H2Live(tmp).installAt("1.0.0");
        CliRun r = CliRun.run(live.runArgs("--verify", "--clone-strategy", "template"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("template clone strategy is not supported for h2", "--clone-strategy online");
    }
}
