package dev.promoter.service;

import dev.promoter.core.spi.TrafficSample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The traffic gate's thresholds and how long each sample lasts. A figure the dialect cannot measure
 * (H2's transaction rate) does not gate, and the report says so.
 */
public record TrafficLimits(boolean enabled, Duration sampleFor, int maxActiveSessions, double maxTransactionsPerSecond,
                            Duration maxTransaction, Duration retryEvery) {
    public static final TrafficLimits OFF = new TrafficLimits(false, Duration.ZERO, Integer.MAX_VALUE,
            Double.MAX_VALUE, Duration.ofDays(365), Duration.ofSeconds(1));

    /** What is over the limits in this sample; empty means quiet enough. */
    public List<String> exceeded(TrafficSample s) {
        List<String> over = new ArrayList<>();
        if (s.activeSessions() > maxActiveSessions) {
            over.add(s.activeSessions() + " active sessions > " + maxActiveSessions);
        }
        if (s.tpsMeasured() && s.transactionsPerSecond() > maxTransactionsPerSecond) {
            over.add(String.format(Locale.ROOT, "%.1f transactions/s > %s", s.transactionsPerSecond(),
                    maxTransactionsPerSecond));
        }
        if (s.longestTransaction().compareTo(maxTransaction) > 0) {
            over.add("open transaction of " + Durations.format(s.longestTransaction().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                    + " > " + Durations.format(maxTransaction));
        }
        return over;
    }
}
