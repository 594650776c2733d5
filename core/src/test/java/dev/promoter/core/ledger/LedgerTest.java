package dev.promoter.core.ledger;

import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.core.version.Version;
import dev.promoter.testing.MutableClock;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerTest {
    @TempDir
    Path tmp;
    MutableClock clock = MutableClock.at("2026-01-02T03:04:05Z");
    Jdbi jdbi;
    Ledger ledger;

    @BeforeEach
    void open() {
        jdbi = Connections.jdbi(new ConnectionSpec("jdbc:h2:file:" + tmp + "/ledger", "sa", Secret.none()));
        ledger = Ledger.open(jdbi, clock);
    }

    @Test
    void recordsAndReadsTheLiveVersion() {
        assertThat(ledger.live("app")).isEmpty();

        ledger.setLive("app", "storage-server", Version.parse("1.2.0"), "h2", "stamp");
        clock.advance(Duration.ofMinutes(5));
        ledger.setLive("other", "storage-server", Version.parse("1.0"), "h2", "stamp");

        LiveRecord live = ledger.live("app").orElseThrow();
        assertThat(live.dbKey()).isEqualTo("app");
        assertThat(live.product()).isEqualTo("storage-server");
        assertThat(live.version()).hasToString("1.2.0");
        assertThat(live.dialect()).isEqualTo("h2");
        assertThat(live.updatedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(live.updatedBy()).isEqualTo("stamp");

        ledger.setLive("app", "storage-server", Version.parse("1.10.0"), "h2", "run r1");
        assertThat(ledger.live("app").orElseThrow().version()).hasToString("1.10.0");
        assertThat(ledger.live("app").orElseThrow().updatedAt()).isEqualTo(clock.instant());
        Integer rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM promoter_database")
                .mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(2);

        ledger.forget("app");
        assertThat(ledger.live("app")).isEmpty();
        assertThat(ledger.live("other")).isPresent();
    }

    @Test
    void reopeningKeepsWhatWasRecorded() {
        ledger.setLive("app", "p", Version.parse("1.0.0"), "h2", "stamp");

        Ledger again = Ledger.open(jdbi, clock);

        assertThat(again.live("app")).map(LiveRecord::version).contains(Version.parse("1.0.0"));
    }

    @Test
    void recordsARunWithItsStagesScriptsAndCheckpointsInOrder() {
        Instant start = clock.instant();
        ledger.startRun("r1", "app", "promote", "storage-server", "h2", "1.0.0", "1.10.0");
        ledger.setRunField("r1", RunField.BACKUP_LOCATION, "/backups/r1");
        ledger.setRunField("r1", RunField.STAGING_NAME, "app_staging_r1");

        int preflight = ledger.stageStarted("r1", "preflight");
        clock.advance(Duration.ofSeconds(2));
        ledger.stageEnded("r1", preflight, "OK", "live at 1.0.0");
        int backup = ledger.stageStarted("r1", "backup");
        int migrate = ledger.stageStarted("r1", "migrate");
        ledger.stageEnded("r1", backup, "OK", null);

        int s1 = ledger.scriptStarted("r1", "storage-server/1.1.0/h2/migration.sql");
        ledger.scriptEnded("r1", s1, "OK");
        ledger.scriptStarted("r1", "storage-server/1.1.0/h2/populate.sql");

        ledger.recordCheckpoints("r1", List.of(
                new LedgerCheckpoint("r1", 0, "new table um_tenant exists", "new-table", "PASS", "present", "present", null),
                new LedgerCheckpoint("r1", 0, "row count of kv_pair", "row-count", "FAIL", "3", "2", "one row lost")));
        clock.advance(Duration.ofSeconds(1));
        ledger.endRun("r1", "FAILED", "x".repeat(3000));

        assertThat(List.of(preflight, backup, migrate)).containsExactly(1, 2, 3);
        assertThat(ledger.stages("r1")).extracting(StageRecord::stage).containsExactly("preflight", "backup", "migrate");
        StageRecord first = ledger.stages("r1").get(0);
        assertThat(first.startedAt()).isEqualTo(start);
        assertThat(first.endedAt()).isEqualTo(start.plusSeconds(2));
        assertThat(first.outcome()).isEqualTo("OK");
        assertThat(first.detail()).isEqualTo("live at 1.0.0");
        assertThat(ledger.stages("r1").get(2).endedAt()).isNull();
        assertThat(ledger.stages("r1").get(2).outcome()).isNull();

        assertThat(ledger.unfinishedScripts("r1")).containsExactly("storage-server/1.1.0/h2/populate.sql");

        assertThat(ledger.checkpoints("r1")).extracting(LedgerCheckpoint::seq).containsExactly(1, 2);
        assertThat(ledger.checkpoints("r1")).extracting(LedgerCheckpoint::name)
                .containsExactly("new table um_tenant exists", "row count of kv_pair");
        LedgerCheckpoint failed = ledger.checkpoints("r1").get(1);
        assertThat(failed.status()).isEqualTo("FAIL");
        assertThat(failed.expected()).isEqualTo("3");
        assertThat(failed.actual()).isEqualTo("2");
        assertThat(failed.detail()).isEqualTo("one row lost");

        RunRecord run = ledger.run("r1").orElseThrow();
        assertThat(run.dbKey()).isEqualTo("app");
        assertThat(run.command()).isEqualTo("promote");
        assertThat(run.fromVersion()).isEqualTo("1.0.0");
        assertThat(run.toVersion()).isEqualTo("1.10.0");
        assertThat(run.backupLocation()).isEqualTo("/backups/r1");
        assertThat(run.stagingName()).isEqualTo("app_staging_r1");
        assertThat(run.archiveName()).isNull();
        assertThat(run.startedAt()).isEqualTo(start);
        assertThat(run.endedAt()).isEqualTo(start.plusSeconds(3));
        assertThat(run.outcome()).isEqualTo("FAILED");
        assertThat(run.message()).hasSize(2000).endsWith("...");
        assertThat(ledger.run("nope")).isEmpty();
    }

    @Test
    void recordingCheckpointsAgainReplacesThem() {
        ledger.startRun("r1", "app", "promote", "p", "h2", "1.0", "1.1");
        ledger.recordCheckpoints("r1", List.of(new LedgerCheckpoint("r1", 0, "a", "declared", "FAIL", "1", "0", null)));

        ledger.recordCheckpoints("r1", List.of(new LedgerCheckpoint("r1", 0, "a", "declared", "PASS", "1", "1", null)));

        assertThat(ledger.checkpoints("r1")).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo("PASS"));
        ledger.recordCheckpoints("r1", List.of());
        assertThat(ledger.checkpoints("r1")).isEmpty();
    }

    @Test
    void historyIsNewestFirstPerDatabaseAndLimited() {
        for (String id : List.of("r1", "r2", "r3")) {
            ledger.startRun(id, "app", "promote", "p", "h2", "1.0", "1.1");
            clock.advance(Duration.ofSeconds(10));
        }
        ledger.startRun("o1", "other", "stamp", "p", "h2", null, "1.0");

        assertThat(ledger.history("app", 10)).extracting(RunRecord::runId).containsExactly("r3", "r2", "r1");
        assertThat(ledger.history("app", 2)).extracting(RunRecord::runId).containsExactly("r3", "r2");
        assertThat(ledger.history(null, 10)).extracting(RunRecord::runId).containsExactly("o1", "r3", "r2", "r1");
    }

    @Test
    void aPromotionEndsTheRunAndMovesTheLiveVersionTogether() {
        ledger.setLive("app", "p", Version.parse("1.0.0"), "h2", "stamp");
        ledger.startRun("r1", "app", "promote", "p", "h2", "1.0.0", "1.1.0");

        ledger.endPromotion("r1", "app", "p", Version.parse("1.1.0"), "h2", "promoted");

        assertThat(ledger.run("r1").orElseThrow().outcome()).isEqualTo("PROMOTED");
        LiveRecord live = ledger.live("app").orElseThrow();
        assertThat(live.version()).hasToString("1.1.0");
        assertThat(live.updatedBy()).isEqualTo("run r1");
    }
}
