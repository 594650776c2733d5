package dev.promoter.core;

import java.util.concurrent.Executor;

/** Side work that must never keep the JVM alive: each task gets a daemon thread of its own. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** An executor that runs every task on a new daemon thread named {@code name}. */
    public static Executor named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }
}
