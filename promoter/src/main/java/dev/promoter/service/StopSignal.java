package dev.promoter.service;

import dev.promoter.core.PromoterException;

/**
 * Shutdown coordination between the JVM's shutdown hook and running jobs. Once stopping, a run that
 * has not entered its switch is refused at its next cancellation point (a stage start, the gate, the
 * last check before the switch); a run inside its switch is let finish. A run still in a stage when the grace
 * ends has its in-flight work cut off ({@link dev.promoter.core.pipeline.Interruption#cutOffInFlightWork}).
 */
public final class StopSignal {
    /** How long a run whose work was cut off (after the grace) may take to unwind: lift its freeze, record itself. */
    public static final java.time.Duration UNWIND = java.time.Duration.ofSeconds(60);

    private boolean stopping;
    private int switching;

    private final java.util.Set<dev.promoter.core.pipeline.Interruption> runs = new java.util.HashSet<>();

    public synchronized void stop() {
        stopping = true;
        runs.forEach(r -> r.request("the service is stopping (SIGTERM)"));
        notifyAll();
    }

    /** A run's interruption, told when the service stops (so a run cut off says why); until {@link #ended}. */
    public synchronized dev.promoter.core.pipeline.Interruption interruption(RunGuard guard) {
        dev.promoter.core.pipeline.Interruption i = new dev.promoter.core.pipeline.Interruption();
        guard.interruption = i;
        runs.add(i);
        if (stopping) {
            i.request("the service is stopping (SIGTERM)");
        }
        return i;
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

    /** Enters the switch unless stopping; after this the run is let finish. */
    public synchronized void enterSwitch(RunGuard guard) {
        check("before the switch");
        guard.switching = true;
        switching++;
    }

    /** The run of {@code guard} has ended (called once per run, whether or not it entered its switch). */
    public synchronized void ended(RunGuard guard) {
        runs.remove(guard.interruption);
        if (guard.switching) {
            guard.switching = false;
            switching--;
        }
    }

    /** Whether a run is inside its switch now: its work must not be cut off. */
    public synchronized boolean anySwitching() {
        return switching > 0;
    }

    /** One run's view: whether it is past the point of no return. */
    public static final class RunGuard {
        private volatile boolean switching;
        private dev.promoter.core.pipeline.Interruption interruption;

        public boolean switching() {
            return switching;
        }
    }
}
