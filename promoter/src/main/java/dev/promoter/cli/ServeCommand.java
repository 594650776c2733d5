package dev.promoter.cli;

import dev.promoter.report.ReportRedactor;
import dev.promoter.report.ReportWriter;

import dev.promoter.core.PromoterException;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StageReport;
import dev.promoter.core.pipeline.Stage;
import dev.promoter.service.Job;
import dev.promoter.service.JobRunner;
import dev.promoter.service.JobsFile;
import dev.promoter.service.JobsFileReader;
import dev.promoter.service.RunHistory;
import dev.promoter.service.Service;
import dev.promoter.service.StopSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run scheduled upgrades from a jobs file: each job starts only inside its window and when live's "
                + "traffic is under its limits, and is checked again just before the switch. Serves a status page, "
                + "reports, a JSON API and Prometheus metrics over HTTP.", ""},
        footer = {"", "On SIGTERM: no new run starts; a run inside its switch finishes; any other",
                "run stops at its next stage (or the last check before the switch) with live",
                "unchanged; then the process exits.",
                "", "Examples:", "  PROMOTER_TOKEN=... promote serve --jobs /etc/promoter/jobs.yaml \\",
                "      --listen 127.0.0.1:8080",
                "  promote serve --jobs jobs.yaml --once storage-nightly"})
public class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    VerboseOption verbose;

    @Option(names = "--jobs", paramLabel = "FILE", required = true, description = "YAML jobs file (see the README, Running as a service).")
    Path jobsFile;
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", description = "Where the HTTP status server listens (default: ${DEFAULT-VALUE}).")
    String listen;
    @Option(names = "--once", paramLabel = "JOB", description = "Run this job now (inside its window) through the same path, then exit with its exit code.")
    String once;
    @Option(names = "--tick", paramLabel = "SECONDS", defaultValue = "5", description = "How often the scheduler looks at the clock (default: ${DEFAULT-VALUE}).")
    long tick;
    @Option(names = "--stop-grace", paramLabel = "SECONDS", defaultValue = "900", description = "Longest wait on SIGTERM for a run to finish its switch or stop (default: ${DEFAULT-VALUE}).")
    long stopGrace;
    @Option(names = "--quiet", description = "Only the result lines.")
    boolean quiet;

    private final Env env;

    public ServeCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        JobsFile jobs = new JobsFileReader(env.vars(), env.clock().getZone()).read(jobsFile);
        PrintWriter out = spec.commandLine().getOut();
        StopSignal stop = new StopSignal();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.stop();
            try {
                if (!done.await(stopGrace, TimeUnit.SECONDS)) {
                    if (once != null && !stop.anySwitching()) {
                        // the run is still in a stage: cut it off so that it stops and lifts its write freeze
                        // (serving, Service.stop does the same once its own grace is over)
                        spec.commandLine().getErr().println("promote serve: the run was still going after "
                                + "--stop-grace " + stopGrace + " s; cutting off its work so that it stops (live "
                                + "stays as it is)");
                        spec.commandLine().getErr().flush();
                        dev.promoter.core.pipeline.Interruption.cutOffInFlightWork();
                    }
                    done.await(dev.promoter.core.pipeline.Interruption.UNWIND.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "promoter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return once != null ? runOnce(jobs, stop, out) : serve(jobs, stop, out);
        } finally {
            out.flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that done is counted down
            }
        }
    }

    private int runOnce(JobsFile jobs, StopSignal stop, PrintWriter out) {
        Job job = jobs.job(once).orElseThrow(() -> PromoterException.badInput("Jobs file " + jobsFile + " has no job \""
                + once + "\"; its jobs: " + jobs.jobs().stream().map(Job::name).toList()));
        JobRunner runner = new JobRunner(jobs, env.dialects(), env.clock(), stop, new RunHistory(10),
                (r, dir) -> new ReportWriter(ReportRedactor.of()).write(r, dir));
        ConsoleListener console = new ConsoleListener(out, !quiet);
        RunListener listener = quiet ? RunListener.NONE : ConsoleProgress.forTerminal(console);
        RunReport report = runner.run(job, listener);
        console.summary(report, jobs.reportDir().resolve(report.runId()));
        if (report.outcome().exitCode() != 0) {
            spec.commandLine().getErr().println("promote: " + report.message());
        }
        return report.outcome().exitCode();
    }

    private int serve(JobsFile jobs, StopSignal stop, PrintWriter out) {
        Service service = new Service(jobs, env.dialects(), env.clock(), stop, (r, dir) -> new ReportWriter(ReportRedactor.of()).write(r, dir),
                address(listen), job -> new LogLines(out, job.name(), quiet)).start(Duration.ofSeconds(Math.max(1, tick)));
        out.println("promote serve: " + jobs.jobs().size() + " job(s) from " + jobsFile + "; http://"
                + service.address().getHostString() + ":" + service.address().getPort() + "/");
        out.flush();
        synchronized (stop) {
            while (!stop.stopping()) {
                try {
                    stop.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        boolean idle = service.stop(Duration.ofSeconds(stopGrace));
        out.println("promote serve: stopped" + (idle ? "" : " (a run was still going after --stop-grace)"));
        return 0;
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            String host = colon <= 0 ? "127.0.0.1" : hostPort.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (RuntimeException e) {
            throw PromoterException.badInput("--listen " + hostPort + " is not HOST:PORT (e.g. 127.0.0.1:8080)");
        }
    }

    /** Plain log lines for the service, each carrying the job's name. */
    private record LogLines(PrintWriter out, String job, boolean quiet) implements RunListener {
        @Override
        public void stageStarted(Stage stage) {
            print("stage " + stage.id() + " started");
        }

        @Override
        public void stageFinished(StageReport r) {
            print(String.format(Locale.ROOT, "stage %s %s in %.2f s: %s", r.stage().id(), r.outcome(),
                    r.duration().toMillis() / 1000.0, r.detail()));
        }

        @Override
        public void message(String text) {
            print(text.startsWith("[") ? text.substring(text.indexOf(']') + 2) : text);
        }

        private void print(String text) {
            if (!quiet) {
                synchronized (out) {
                    out.println("[" + job + "] " + text);
                    out.flush();
                }
            }
        }
    }
}
