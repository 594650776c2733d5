package dev.promoter.core;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/** Side work that must never keep the JVM alive: daemon threads, a new one per task or the threads of an executor. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** An executor that runs every task on a new daemon thread named {@code name}. */
    public static Executor named(String name) {
        ThreadFactory threads = factory(name);
        return r -> threads.newThread(r).start();
    }

    /** A thread factory for an executor of its own: daemon threads named {@code name}. */
    public static ThreadFactory factory(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
