package dev.promoter.core.pipeline;

import java.time.Duration;

/**
 * Preflight refuses to start while live has more active sessions, or an older open transaction, than
 * these (a long transaction would hold the snapshot's locks back; a busy live would be frozen mid-work).
 * A negative session count or a negative age disables that limit.
 */
public record SessionLimits(int maxActiveSessions, Duration maxTransactionAge, Duration sample) {
    public static final SessionLimits DEFAULT = new SessionLimits(20, Duration.ofMinutes(5), Duration.ofMillis(100));
    public static final SessionLimits NONE = new SessionLimits(-1, Duration.ofSeconds(-1), Duration.ofMillis(200));

    public boolean enabled() {
        return maxActiveSessions >= 0 || !maxTransactionAge.isNegative();
    }
}
