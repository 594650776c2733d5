package dev.promoter.core.ledger;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.db.Secret;
import dev.promoter.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromotionLockTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    Path tmp;
    MutableClock clock = MutableClock.at("2026-01-02T03:04:05Z");
    PromotionLock lock;

    @BeforeEach
    void open() {
        Ledger ledger = Ledger.open(Connections.jdbi(
                new ConnectionSpec("jdbc:h2:file:" + tmp + "/ledger", "sa", Secret.none())), clock);
        lock = new PromotionLock(ledger);
    }

    private void assertHeldBy(String runId, String dbKey) {
        assertThatThrownBy(() -> lock.acquire(dbKey, "intruder", "host-b pid 2", TTL).close())
                .isInstanceOfSatisfying(PromoterException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.REFUSED))
                .hasMessageContaining("held by run " + runId)
                .hasMessageContaining(dbKey);
    }

    @Test
    void aSecondRunIsRefusedNamingTheHolder() {
        try (PromotionLock.Lease lease = lock.acquire("app", "run-1", "host-a pid 1", TTL)) {
            assertThat(lease.dbKey()).isEqualTo("app");

            assertThatThrownBy(() -> lock.acquire("app", "run-2", "host-b pid 2", TTL))
                    .isInstanceOfSatisfying(PromoterException.class, e -> {
                        assertThat(e.outcome()).isEqualTo(Outcome.REFUSED);
                        assertThat(e.outcome().exitCode()).isEqualTo(3);
                    })
                    .hasMessageContaining("run-1")
                    .hasMessageContaining("host-a pid 1")
                    .hasMessageContaining("2026-01-02T03:14:05Z");
        }
    }

    @Test
    void locksOfDifferentDatabasesAreIndependent() {
        try (var a = lock.acquire("app", "run-1", "h", TTL); var b = lock.acquire("billing", "run-2", "h", TTL)) {
            assertHeldBy("run-1", "app");
            assertHeldBy("run-2", "billing");
            assertThat(List.of(a.dbKey(), b.dbKey())).containsExactly("app", "billing");
        }
    }

    @Test
    void closeReleasesTheLock() {
        lock.acquire("app", "run-1", "h", TTL).close();

        try (var again = lock.acquire("app", "run-2", "h", TTL)) {
            assertThat(again.renew()).isTrue();
            assertHeldBy("run-2", "app");
        }
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsOldHolderCannotReleaseTheNewOne() {
        PromotionLock.Lease dead = lock.acquire("app", "run-1", "h", TTL);
        clock.advance(TTL.plusSeconds(1));

        PromotionLock.Lease taken = lock.acquire("app", "run-2", "h", TTL);

        assertThat(dead.renew()).as("the dead run's lease is gone").isFalse();
        dead.close();
        assertHeldBy("run-2", "app");
        assertThat(taken.renew()).isTrue();
        taken.close();
    }

    @Test
    void aLeaseIsStillHeldAtItsExpiryAndRenewingExtendsIt() {
        try (var lease = lock.acquire("app", "run-1", "h", TTL)) {
            clock.advance(TTL);
            assertHeldBy("run-1", "app");

            assertThat(lease.renew()).isTrue();
            clock.advance(TTL.minusSeconds(1));
            assertHeldBy("run-1", "app");

            clock.advance(Duration.ofSeconds(2));
            try (var next = lock.acquire("app", "run-2", "h", TTL)) {
                assertThat(lease.renew()).as("the expired lease was taken over").isFalse();
                assertThat(next.renew()).isTrue();
                assertHeldBy("run-2", "app");
            }
        }
    }

    @Test
    void aTinyTtlExpiresInRealTimeToo(@TempDir Path other) throws InterruptedException {
        Ledger ledger = Ledger.open(Connections.jdbi(
                new ConnectionSpec("jdbc:h2:file:" + other + "/ledger", "sa", Secret.none())), java.time.Clock.systemUTC());
        PromotionLock real = new PromotionLock(ledger);
        PromotionLock.Lease crashed = real.acquire("app", "run-1", "h", Duration.ofMillis(1));
        Thread.sleep(20);

        try (var second = real.acquire("app", "run-2", "h", Duration.ofMinutes(1))) {
            assertThat(second.dbKey()).isEqualTo("app");
            assertThat(crashed.renew()).isFalse();
        }
        crashed.close();
    }
}
