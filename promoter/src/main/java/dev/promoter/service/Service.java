package dev.promoter.service;

import dev.promoter.core.admin.Admin;
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
    private final JobsFile jobs;
    private final Dialects dialects;
    private final Clock clock;
    private final Function<Job, RunListener> listeners;

    public Service(JobsFile jobs, Dialects dialects, Clock clock, StopSignal stop, JobRunner.ReportSink reports,
                   InetSocketAddress listen, Function<Job, RunListener> listeners) {
        this.stop = stop;
        this.jobs = jobs;
        this.dialects = dialects;
        this.clock = clock;
        this.listeners = listeners;
        this.history = new RunHistory(500);
        this.runner = new JobRunner(jobs, dialects, clock, stop, history, reports);
        this.scheduler = new Scheduler(jobs, runner, clock, stop, listeners);
        this.http = listen == null ? null : new StatusServer(jobs, scheduler, runner, history, clock, listen);
    }

    public Service start(Duration tick) {
        if (http != null) {
            http.start();
        }
        recoverDeadRuns();
        scheduler.start(tick);
        return this;
    }

    /**
     * A service that was killed (or its machine lost) in a run can leave a job's live read-only or refusing
     * connections until that job's window opens again, hours away. So at start, for every job whose live carries what
     * a run left while no run holds its lock, it does what `promote recover` does. A live it cannot reach, or whose
     * lock a run holds, is only logged: the job's next run lifts the leftovers first in any case.
     */
    void recoverDeadRuns() {
        Admin admin = new Admin(dialects, clock);
        for (Job job : jobs.jobs()) {
            RunListener log = listeners.apply(job);
            try {
                if (admin.status(job.live(), 1).needsRecovery()) {
                    Admin.Recovery r = admin.recover(job.live(), Duration.ofSeconds(300));
                    log.message("[" + job.name() + "] at start: " + (r.lifted() == null ? "nothing to lift" : r.lifted())
                            + "; " + r.abandonedRuns() + " run(s) that never ended recorded as abandoned"
                            + (r.droppedStaging().isEmpty() ? "" : "; dropped their staging " + r.droppedStaging()));
                }
            } catch (RuntimeException e) {
                log.message("[" + job.name() + "] at start: could not check or lift what a dead run left on live: "
                        + e.getMessage() + " (its next run lifts it first)");
            }
        }
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
