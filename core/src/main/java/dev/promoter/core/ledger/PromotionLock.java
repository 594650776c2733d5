package dev.promoter.core.ledger;

import dev.promoter.core.PromoterException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The promotion lock: a lease row in the ledger, one per live database. The holder renews it on a
 * heartbeat; a run that dies stops renewing and its lease expires after {@code ttl}, so a crashed run
 * never holds the lock forever.
 */
public final class PromotionLock {
    private final Ledger ledger;

    public PromotionLock(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Takes the lease or refuses naming the holder. The returned lease renews itself until closed. */
    public Lease acquire(String dbKey, String runId, String holder, Duration ttl) {
        long now = ledger.now();
        try {
            ledger.jdbi().useTransaction(h -> {
                h.createUpdate("DELETE FROM promoter_lock WHERE db_key = :k AND expires_at < :n")
                        .bind("k", dbKey).bind("n", now).execute();
                h.createUpdate("INSERT INTO promoter_lock (db_key, run_id, holder, acquired_at, expires_at)"
                                + " VALUES (:k, :r, :h, :a, :e)")
                        .bind("k", dbKey).bind("r", runId).bind("h", Ledger.clip(holder, 255)).bind("a", now)
                        .bind("e", now + ttl.toMillis()).execute();
            });
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                throw refusedBecauseHeld(dbKey);
            }
            throw Ledger.unable("take the promotion lock for " + dbKey, e);
        }
        return new Lease(dbKey, runId, ttl);
    }

    /** Who holds the lock of {@code dbKey}, as the ledger says; an expired lease is shown as such (it frees itself). */
    public record Holder(String runId, String holder, Instant acquiredAt, Instant expiresAt, boolean expired) {
    }

    /** The lock's holder, read now; empty when nobody holds it. */
    public Optional<Holder> holder(String dbKey) {
        long now = ledger.now();
        return ledger.jdbi().withHandle(h -> h.createQuery("SELECT run_id, holder, acquired_at, expires_at"
                        + " FROM promoter_lock WHERE db_key = :k").bind("k", dbKey)
                .map((rs, ctx) -> new Holder(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(4) < now))
                .findOne());
    }

    private PromoterException refusedBecauseHeld(String dbKey) {
        return ledger.jdbi().withHandle(h -> h.createQuery("SELECT run_id, holder, acquired_at, expires_at"
                        + " FROM promoter_lock WHERE db_key = :k").bind("k", dbKey)
                .map((rs, ctx) -> PromoterException.refused("The promotion lock for " + dbKey + " is held by run "
                        + rs.getString(1) + " (" + rs.getString(2) + ", since " + Instant.ofEpochMilli(rs.getLong(3))
                        + "). Wait for that run to end; if it died, its lease expires at "
                        + Instant.ofEpochMilli(rs.getLong(4)) + " and the lock frees itself"))
                .findOne()
                .orElseGet(() -> PromoterException.refused("The promotion lock for " + dbKey
                        + " was taken by another run at the same moment; try again")));
    }

    /** A held lease. {@link #close()} releases it (only if still ours). */
    public final class Lease implements AutoCloseable {
        private final String dbKey;
        private final String runId;
        private final Duration ttl;
        private final ScheduledExecutorService heartbeat;

        private Lease(String dbKey, String runId, Duration ttl) {
            this.dbKey = dbKey;
            this.runId = runId;
            this.ttl = ttl;
            this.heartbeat = Executors.newSingleThreadScheduledExecutor(
                    dev.promoter.core.DaemonThreads.factory("promoter-lock-heartbeat-" + runId));
            long period = Math.max(200, ttl.toMillis() / 3);
            heartbeat.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        /** Extends the lease; true while it is still ours. */
        public boolean renew() {
            try {
                return ledger.jdbi().withHandle(h -> h.createUpdate("UPDATE promoter_lock SET expires_at = :e"
                                + " WHERE db_key = :k AND run_id = :r")
                        .bind("e", ledger.now() + ttl.toMillis()).bind("k", dbKey).bind("r", runId).execute()) == 1;
            } catch (RuntimeException e) {
                return false;
            }
        }

        public String dbKey() {
            return dbKey;
        }

        /** Moves the lease to another key (after a switch the live key is unchanged, so this is rarely needed). */
        @Override
        public void close() {
            heartbeat.shutdownNow();
            ledger.jdbi().useHandle(h -> h.createUpdate("DELETE FROM promoter_lock WHERE db_key = :k AND run_id = :r")
                    .bind("k", dbKey).bind("r", runId).execute());
        }
    }
}
