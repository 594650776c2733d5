package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run killed inside its switch (kill -9: no finally of ours runs, the server ends our sessions) leaves the
 * switch's journal; the next run completes the switch from it, or undoes its preparation when the RENAME had not
 * run. The crash is simulated by an Error thrown at a named point of the switch: like a killed process, it skips
 * every catch that would clean up, and the sessions closing in finally blocks release their locks as the server
 * does for a dead client.
 */
class MySqlSwitchJournalTest {
    private final MySqlScratch scratch = new MySqlScratch();
    private final MySqlDialect dialect = new MySqlDialect();

    @AfterEach
    void drop() {
        scratch.close();
    }

    /** What a kill -9 at that point stands for; thrown as an Error so that no catch of the switch handles it. */
    static final class Killed extends Error {
        Killed(String point) {
            super("killed at " + point);
        }
    }

    private record Setup(String live, String staging, String archive, Snapshot snap, DatabaseServer server,
                         List<String> liveObjects, List<String> stagingObjects) {
    }

    private Setup prepare() {
        String live = scratch.create("live");
        String staging = scratch.create("stg");
        String archive = scratch.name("arc");
        MySqlFixture.create(scratch, live);
        Snapshot snap = dialect.cloner().cloneDatabase(new CloneRequest(scratch.spec(live), scratch.spec(staging), 2, true,
                Duration.ofSeconds(5)), ProgressListener.NONE);
        scratch.execIn(staging, "ALTER TABLE `order` ADD COLUMN v2 INT NOT NULL DEFAULT 2",
                "INSERT INTO `order` (`select`) VALUES ('migrated')",
                "CREATE OR REPLACE VIEW paid AS SELECT id, `select`, v2 FROM `order` WHERE status = 'paid'",
                "CREATE FUNCTION thrice(x INT) RETURNS INT DETERMINISTIC RETURN x * 3");
        return new Setup(live, staging, archive, snap, dialect.server(scratch.spec(live)),
                scratch.with(live, MySqlFixture::showCreate), scratch.with(staging, MySqlFixture::showCreate));
    }

    private void killedAt(Setup s, String point) {
        MySqlAtomicSwitch dying = new MySqlAtomicSwitch(p -> {
            if (p.equals(point)) {
                throw new Killed(p);
            }
        });
        try {
            assertThatThrownBy(() -> dying.switchOver(new SwitchRequest(s.server(), s.staging(), s.archive(), s.snap(),
                    Duration.ofSeconds(10)))).isInstanceOf(Killed.class);
        } finally {
            s.snap().freeze().release(); // the freeze's sessions end with the process
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"renamed", "guarded triggers created", "parked tables archived", "archive objects created"})
    void theNextRunCompletesASwitchKilledAfterItsRename(String point) throws Exception {
        Setup s = prepare();
        killedAt(s, point);
        assertThat(MySqlSwitchJournal.read(s.server())).as("journal left by the dead switch").isPresent();

        String done = dialect.cloner().liftLeftovers(s.server(), Duration.ofSeconds(10));

        assertThat(done).startsWith("Completed the switch of " + s.live()).contains("old live is kept as " + s.archive());
        if (point.equals("renamed")) {
            // killed before staging's triggers were on live: the message says which ones writes did not fire
            assertThat(done).contains("order_ai on order", "order_ai2 on order", "did not fire them");
        } else {
            assertThat(done).doesNotContain("were missing");
        }
        assertThat(scratch.with(s.live(), MySqlFixture::showCreate)).as("live is what staging was")
                .containsExactlyElementsOf(s.stagingObjects());
        assertThat(scratch.with(s.archive(), MySqlFixture::showCreate)).as("the archive is what live was")
                .containsExactlyElementsOf(s.liveObjects());
        assertThat(scratch.query(s.live(), "SELECT CONCAT(`select`, '/', v2) FROM `order` ORDER BY id")).endsWith("migrated/2");
        scratch.execIn(s.live(), "INSERT INTO `order` (`select`, status) VALUES ('after', 'paid')");
        assertThat(scratch.query(s.live(), "SELECT msg FROM audit ORDER BY id")).endsWith("new 1004", "second 1004");
        assertThat(scratch.query(s.live(), "SELECT CONCAT(n, '/', thrice(2)) FROM paid_count")).containsExactly("3/6");
        MySqlIntrospector intro = new MySqlIntrospector();
        scratch.jdbi(s.archive()).useHandle(a -> {
            for (TableRef t : MySqlFixture.TABLES) {
                assertThat(intro.checksum(a, t)).as(t.name()).isEqualTo(s.snap().tables().get(t));
            }
        });
        assertThat(s.server().exists(s.staging())).isFalse();
        assertThat(MySqlSwitchJournal.read(s.server())).isEmpty();
        assertThat(dialect.cloner().liftLeftovers(s.server(), Duration.ofSeconds(10))).as("nothing left to do").isNull();
    }

    @Test
    void theNextRunUndoesASwitchKilledBeforeItsRename() throws Exception {
        Setup s = prepare();
        killedAt(s, "staging's triggers dropped");
        assertThat(scratch.query(s.staging(), "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"
                + " WHERE TRIGGER_SCHEMA = DATABASE()")).as("the switch had taken staging's triggers off").isEmpty();

        String done = dialect.cloner().liftLeftovers(s.server(), Duration.ofSeconds(10));

        assertThat(done).contains("cut off before its RENAME", "live was not changed", "has its triggers back",
                "the empty archive " + s.archive() + " is dropped");
        assertThat(scratch.with(s.live(), MySqlFixture::showCreate)).containsExactlyElementsOf(s.liveObjects());
        assertThat(scratch.with(s.staging(), MySqlFixture::showCreate)).containsExactlyElementsOf(s.stagingObjects());
        assertThat(s.server().exists(s.archive())).isFalse();
        assertThat(MySqlSwitchJournal.read(s.server())).isEmpty();
    }

    @Test
    void aSwitchThatEndsLeavesNoJournal() throws Exception {
        Setup s = prepare();
        try {
            dialect.atomicSwitch().switchOver(new SwitchRequest(s.server(), s.staging(), s.archive(), s.snap(), Duration.ofSeconds(10)));
        } finally {
            s.snap().freeze().release();
        }
        assertThat(MySqlSwitchJournal.read(s.server())).isEmpty();
        assertThat(scratch.with(s.live(), MySqlFixture::showCreate)).containsExactlyElementsOf(s.stagingObjects());
        assertThat(scratch.with(s.archive(), MySqlFixture::showCreate)).containsExactlyElementsOf(s.liveObjects());
        assertThat(dialect.cloner().liftLeftovers(s.server(), Duration.ofSeconds(10))).isNull();
    }
}
