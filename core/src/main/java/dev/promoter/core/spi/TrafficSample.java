package dev.promoter.core.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Live's traffic over one sampling interval.
 *
 * @param activeSessions        other sessions on live that are not idle (running a statement or holding a transaction)
 * @param transactionsPerSecond committed plus rolled-back transactions per second over the interval; negative when
 *                              the dialect cannot measure it (see {@code note})
 * @param longestTransaction    age of the oldest open transaction on live (zero when none)
 * @param note                  how the figures were measured, for reports
 */
public record TrafficSample(Instant takenAt, Duration interval, int activeSessions, double transactionsPerSecond,
                            Duration longestTransaction, String note) {
    public boolean tpsMeasured() {
        return transactionsPerSecond >= 0;
    }

    /** The figures in one line, for logs, reports and the status page. */
    public String describe() {
        return String.format(Locale.ROOT, "%d active session(s), %s transactions/s, longest open transaction %.1f s "
                        + "(sampled %.1f s)", activeSessions,
                tpsMeasured() ? String.format(Locale.ROOT, "%.1f", transactionsPerSecond) : "unmeasured",
                longestTransaction.toMillis() / 1000.0, interval.toMillis() / 1000.0);
    }
}
