package dev.promoter.service;

import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.RunListener;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Starts each job once per opening of its window, never outside it, and never two runs on the same
 * live database at once. A failing job is recorded and the scheduler goes on.
 */
public final class Scheduler implements AutoCloseable {
    private final JobsFile jobs;
    private final JobRunner runner;
    private final Clock clock;
    private final StopSignal stop;
    private final Function<Job, RunListener> listeners;
    private final Map<String, Instant> startedWindow = new ConcurrentHashMap<>();
    private final Set<String> busyLive = ConcurrentHashMap.newKeySet();
    private final Set<String> runningJobs = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "promoter-scheduler"));
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> thread(r, "promoter-run"));

    public Scheduler(JobsFile jobs, JobRunner runner, Clock clock, StopSignal stop, Function<Job, RunListener> listeners) {
        this.jobs = jobs;
        this.runner = runner;
        this.clock = clock;
        this.stop = stop;
        this.listeners = listeners;
    }

    public void start(Duration tick) {
        ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One look at the clock: starts every job whose window has opened and not yet been used. */
    public void tick() {
        if (stop.stopping()) {
            return;
        }
        Instant now = clock.instant();
        for (Job job : jobs.jobs()) {
            Optional<Instant> open = job.window().openSince(now);
            if (open.isPresent() && !open.get().equals(startedWindow.get(job.name()))) {
                if (submit(job)) {
                    startedWindow.put(job.name(), open.get());
                }
            }
        }
    }

    /** Starts a job now (the API's run request); refused outside its window or while its live is busy. */
    public void runNow(Job job) {
        Instant now = clock.instant();
        if (!job.window().isOpen(now)) {
            throw PromoterException.refused("Job " + job.name() + " is outside its window " + job.window()
                    + "; it next opens at " + job.window().nextOpen(now).map(Instant::toString).orElse("never"));
        }
        stop.check("before starting job " + job.name());
        if (!submit(job)) {
            throw PromoterException.refused("Live " + job.liveKey() + " of job " + job.name() + " already has a run in "
                    + "progress; try again when it ends");
        }
        job.window().openSince(now).ifPresent(w -> startedWindow.put(job.name(), w));
    }

    public boolean running(String job) {
        return runningJobs.contains(job);
    }

    private boolean submit(Job job) {
        if (!busyLive.add(job.liveKey())) {
            return false;
        }
        runningJobs.add(job.name());
        try {
            workers.submit(() -> {
                try {
                    runner.run(job, listeners.apply(job));
                } finally {
                    runningJobs.remove(job.name());
                    busyLive.remove(job.liveKey());
                }
            });
        } catch (RuntimeException e) {
            runningJobs.remove(job.name());
            busyLive.remove(job.liveKey());
            throw e;
        }
        return true;
    }

    /** Waits until no run is in progress, or the timeout; true when idle. */
    public boolean awaitIdle(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!runningJobs.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return runningJobs.isEmpty();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdown();
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(false);
        return t;
    }
}
