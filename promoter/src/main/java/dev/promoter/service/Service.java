package dev.promoter.service;

import dev.promoter.core.pipeline.Interruption;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.spi.Dialects;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/** The scheduler and the HTTP server together: what {@code promote serve} runs. */
public final class Service implements AutoCloseable {
    private final Scheduler scheduler;
    private final StatusServer http;
    private final JobRunner runner;
    private final RunHistory history;
    private final StopSignal stop;

    public Service(JobsFile jobs, Dialects dialects, Clock clock, StopSignal stop, JobRunner.ReportSink reports,
                   InetSocketAddress listen, Function<Job, RunListener> listeners) {
        this.stop = stop;
        this.history = new RunHistory(500);
        this.runner = new JobRunner(jobs, dialects, clock, stop, history, reports);
        this.scheduler = new Scheduler(jobs, runner, clock, stop, listeners);
        this.http = listen == null ? null : new StatusServer(jobs, scheduler, runner, history, clock, listen);
    }

    public Service start(Duration tick) {
        if (http != null) {
            http.start();
        }
        scheduler.start(tick);
        return this;
    }

    public InetSocketAddress address() {
        return http.address();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public JobRunner runner() {
        return runner;
    }

    public RunHistory history() {
        return history;
    }

    /** Stops starting runs, lets a run inside its switch finish (others stop at their next cancellation point). */
    public boolean stop(Duration grace) {
        stop.stop();
        boolean idle = scheduler.awaitIdle(grace);
        if (!idle && !stop.anySwitching()) {
            // a stage still under way (a long copy or statement): cut it off so that the run stops and lifts its freeze
            Interruption.cutOffInFlightWork();
            idle = scheduler.awaitIdle(Interruption.UNWIND);
        }
        close();
        return idle;
    }

    @Override
    public void close() {
        scheduler.close();
        if (http != null) {
            http.close();
        }
    }
}
