package dev.promoter.service;

import dev.promoter.core.PromoterException;

/**
 * Shutdown coordination between the JVM's shutdown hook and running jobs. Once stopping, a run that
 * has not entered its switch is refused at its next cancellation point (a stage start, the gate, the
 * last check before the switch); a run inside its switch is let finish.
 */
public final class StopSignal {
    private boolean stopping;

    public synchronized void stop() {
        stopping = true;
        notifyAll();
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
    }

    /** One run's view: whether it is past the point of no return. */
    public static final class RunGuard {
        private volatile boolean switching;

        public boolean switching() {
            return switching;
        }
    }
}
