package dev.promoter.service;

import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.Interruption;

import java.util.HashSet;
import java.util.Set;

/**
 * Shutdown coordination between the JVM's shutdown hook and running jobs. Once stopping, every run's
 * {@link Interruption} is told: a run that has not entered its switch is refused at its next cancellation point
 * (a stage start, the gate, the last check before the switch); a run inside its switch is let finish. A run still
 * in a stage when the grace ends has its in-flight work cut off ({@link Interruption#cutOffInFlightWork}).
 */
public final class StopSignal {
    private static final String WHY = "the service is stopping (SIGTERM)";

    private boolean stopping;
    private final Set<Interruption> runs = new HashSet<>();

    public synchronized void stop() {
        stopping = true;
        runs.forEach(r -> r.request(WHY));
        notifyAll();
    }

    /** A new run's interruption, told when the service stops (at once if it already is); until {@link #ended}. */
    public synchronized Interruption interruption() {
        Interruption i = new Interruption();
        runs.add(i);
        if (stopping) {
            i.request(WHY);
        }
        return i;
    }

    /** The run of {@code run} has ended. */
    public synchronized void ended(Interruption run) {
        runs.remove(run);
    }

    /** Whether a run is inside its switch now: its work must not be cut off. */
    public synchronized boolean anySwitching() {
        return runs.stream().anyMatch(Interruption::switching);
    }

    public synchronized boolean stopping() {
        return stopping;
    }

    /** Throws a refusal when stopping: live is unchanged at every point this is called. */
    public synchronized void check(String where) {
        if (stopping) {
            throw PromoterException.refused("Service is stopping (SIGTERM): run stopped " + where
                    + "; live is unchanged");
        }
    }

    /** Waits up to {@code millis} or until stopped; returns true when stopping. */
    public synchronized boolean sleep(long millis) {
        long end = System.currentTimeMillis() + millis;
        long left;
        while (!stopping && (left = end - System.currentTimeMillis()) > 0) {
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return stopping;
    }
}
