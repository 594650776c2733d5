package dev.promoter.core.spi;

import dev.promoter.core.db.ConnectionSpec;

import java.time.Duration;

/**
 * Measures how busy live is, so a scheduled run starts (and switches) only when traffic is low. A
 * probe only reads the server's activity views; it never changes anything.
 */
public interface TrafficProbe {
    /**
     * Samples live over {@code interval} (the call takes about that long): active sessions other than
     * the probe's own, transactions per second, and the oldest open transaction.
     */
    TrafficSample sample(ConnectionSpec live, Duration interval);
}
