package dev.promoter.core.pipeline;

import dev.promoter.core.PromoterException;

/**
 * A request from outside the run (a signal handler) to stop it. Before the switch the run stops at its next
 * check: a stage start, the {@code --postpone-file} wait, the last check before the switch; anything it was
 * doing fails as its in-flight work is cut off, and the usual failure path lifts the write freeze and records the
 * run. Once the run has entered its switch it is let finish: the switch is one transaction with its own time box,
 * and cutting it off would only leave the question of whether it committed.
 */
public final class Interruption {
    /** How long a run whose work was cut off may take to unwind: lift its freeze, record itself, write its report. */
    public static final java.time.Duration UNWIND = java.time.Duration.ofSeconds(60);

    private String reason;
    private boolean switching;

    /** Asks the run to stop, saying why; returns true when it is already inside its switch (it then finishes). */
    public synchronized boolean request(String why) {
        if (reason == null) {
            reason = why;
        }
        return switching;
    }

    /** Whether the run is inside its switch (past the last check): its work must not be cut off. */
    public synchronized boolean switching() {
        return switching;
    }

    /** Why the run was asked to stop, or null. */
    public synchronized String reason() {
        return reason;
    }

    /** Refuses (live unchanged) once a stop was requested. */
    synchronized void check(String where) {
        if (reason != null) {
            throw PromoterException.refused("Run stopped " + where + ": " + reason + ". Live is unchanged");
        }
    }

    /**
     * Cuts off the in-flight work of every run in this process: every connection {@code Connections.open} made is
     * aborted and every child process (pg_dump, pg_restore, mysqldump) is ended, so that a run waiting on either
     * fails at once and unwinds (lifting its write freeze). Never while a run is inside its switch.
     */
    public static void cutOffInFlightWork() {
        dev.promoter.core.db.Connections.abortAll();
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
    }

    /** The last check before the switch; after it a stop request lets the run finish. */
    synchronized void enterSwitch() {
        check("before the switch");
        switching = true;
    }
}
