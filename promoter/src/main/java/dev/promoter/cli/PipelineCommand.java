package dev.promoter.cli;

import dev.promoter.core.pipeline.BeforeSwitch;
import dev.promoter.core.pipeline.Interruption;
import dev.promoter.core.pipeline.Pipeline;
import dev.promoter.core.pipeline.RunListener;
import dev.promoter.core.pipeline.RunOptions;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.version.Version;
import dev.promoter.report.JsonReport;
import dev.promoter.report.ReportRedactor;
import dev.promoter.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The options and behaviour of a pipeline run, shared by `promote` and `promote run`. */
public abstract class PipelineCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;

    @Option(names = "--to", paramLabel = "VERSION", description = "Target version (default: the newest in the tree).")
    String to;
    @Option(names = "--verify", description = "Switch only when every checkpoint passes (otherwise only row counts and checksums gate).")
    boolean verify;
    @Option(names = "--no-switch", description = "Build and verify staging, then stop before the switch.")
    boolean noSwitch;
    @Option(names = "--dialect", paramLabel = "D", description = "Assert what live must be: postgresql, mysql or h2.")
    String dialect;
    @Option(names = "--staging-url", paramLabel = "JDBC_URL", description = "Staging database on live's server (default: <live>_promoter_staging).")
    String stagingUrl;
    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "promoter-reports", description = "Where reports go, one folder per run (default: ${DEFAULT-VALUE}).")
    Path reportDir;
    @Option(names = "--backup-dir", paramLabel = "DIR", defaultValue = "promoter-backups", description = "Where backups go (default: ${DEFAULT-VALUE}).")
    Path backupDir;
    @Option(names = "--json", description = "Print the run report as JSON on standard output.")
    boolean json;
    @Option(names = "--parallel", paramLabel = "N", defaultValue = "0", description = "Copy workers (default: number of CPUs, at least 2).")
    int parallel;
    @Option(names = "--switch-timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Longest wait for the switch's locks; after it nothing has changed (default: ${DEFAULT-VALUE}).")
    long switchTimeout;
    @Option(names = "--lock-ttl", paramLabel = "SECONDS", defaultValue = "60", description = "Promotion lock lease; a dead run's lock frees itself after this (default: ${DEFAULT-VALUE}).")
    long lockTtl;
    @Option(names = "--allow-writes", description = "Do not freeze live's writes from the snapshot to the switch; the switch then proves none happened or refuses.")
    boolean allowWrites;
    @Option(names = "--skip-backup", description = "No backup stage (scratch data only: there is then nothing to restore).")
    boolean skipBackup;
    @Option(names = "--postpone-file", paramLabel = "FILE", description = "While FILE exists the run waits before the switch.")
    Path postponeFile;
    @Option(names = "--max-active-sessions", paramLabel = "N", defaultValue = "20", description = "Preflight refuses while live has more other non-idle sessions than N; -1 disables (default: ${DEFAULT-VALUE}).")
    int maxActiveSessions;
    @Option(names = "--max-transaction-age", paramLabel = "SECONDS", defaultValue = "300", description = "Preflight refuses while a transaction on live has been open longer than this; -1 disables (default: ${DEFAULT-VALUE}).")
    long maxTransactionAge;
    @Option(names = "--clone-strategy", paramLabel = "S", defaultValue = "online", description = "online: rows streamed from one snapshot while live stays readable; template (PostgreSQL): the server copies live's files, holding connections to live off meanwhile (default: ${DEFAULT-VALUE}).")
    String cloneStrategy;
    @Option(names = "--backup-format", paramLabel = "F", defaultValue = "auto", description = "auto: where the dialect can (PostgreSQL, MySQL/MariaDB online), the clone writes the backup from its own snapshot as it copies, so live is read once (uncompressed COPY or LOAD DATA files, about the size of the tables); dump: the dialect's dump tool backs live up before the clone (a compressed pg_dump archive, or mariadb-dump SQL; live is read twice) (default: ${DEFAULT-VALUE}).")
    String backupFormat;
    @Option(names = "--verify-backup", description = "Also restore the backup into a scratch database and check it against its manifest and the snapshot.")
    boolean verifyBackup;
    @Option(names = "--allow-drift", description = "A schema that differs from a fresh install of the target is a warning, not a failure.")
    boolean allowDrift;
    @Option(names = "--quiet", description = "No stage lines or progress bar: only the result (and errors).")
    boolean quiet;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of options (keys are the long option names). Env: PROMOTER_CONFIG.")
    Path config;

    private final Env env;

    protected PipelineCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        RunOptions o = options();
        ConsoleListener console = new ConsoleListener(spec.commandLine().getOut(), !json && !quiet);
        RunListener progress = json || quiet ? console : ConsoleProgress.forTerminal(console);
        Interruption interruption = new Interruption();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> stopRun(o, interruption, done), "promoter-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            RunReport report = new Pipeline(env.dialects(), env.clock(), progress, BeforeSwitch.NONE, interruption).run(o);
            Path where = new ReportWriter(ReportRedactor.of(o.live())).write(report, reportDir);
            console.summary(report, where);
            if (quiet && !json) {
                spec.commandLine().getOut().println("Result: " + report.result() + " - " + report.message());
            }
            if (json) {
                spec.commandLine().getOut().println(JsonReport.json(ReportRedactor.of(o.live()).apply(report)));
            }
            if (report.outcome().exitCode() != 0) {
                spec.commandLine().getErr().println("promote: " + report.message());
            }
            return report.outcome().exitCode();
        } finally {
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().flush();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that done is counted down
            }
        }
    }

    /**
     * The shutdown hook (Ctrl-C, SIGTERM): before the switch the run is stopped at once, with its in-flight work cut
     * off (its connections aborted, its pg_dump/pg_restore/mysqldump children ended) so that it unwinds through the
     * failure path: the write freeze is lifted, the lock released, the run recorded and its report written. Inside the
     * switch it is let finish. The process exits (with the signal's status) once the run has ended; should it not
     * end in {@link Interruption#UNWIND}, a write freeze or connection hold-off it left is lifted here as the next run would.
     */
    private void stopRun(RunOptions o, Interruption interruption, CountDownLatch done) {
        java.io.PrintWriter err = spec.commandLine().getErr();
        boolean switching = interruption.request("interrupted (Ctrl-C or SIGTERM)");
        if (switching) {
            err.println("promote: interrupted inside the switch, which is let finish (at most --switch-timeout "
                    + switchTimeout + " s)");
        } else {
            err.println("promote: interrupted; stopping the run: live stays as it is, its write freeze is lifted");
            Interruption.cutOffInFlightWork();
        }
        err.flush();
        Duration wait = switching ? Duration.ofSeconds(switchTimeout).plus(Interruption.UNWIND) : Interruption.UNWIND;
        boolean ended;
        try {
            ended = done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (!ended && !switching) {
            try {
                var dialect = env.dialects().forUrl(o.live().url());
                String lifted = dialect.cloner().liftLeftovers(dialect.server(o.live()), Duration.ofSeconds(30));
                err.println("promote: the run did not stop within " + wait.toSeconds() + " s; "
                        + (lifted != null ? lifted : "live carries no write freeze or connection hold-off of ours"));
            } catch (RuntimeException e) {
                err.println("promote: the run did not stop within " + wait.toSeconds() + " s and what it left on "
                        + "live (write freeze, connections refused) could not be lifted: " + e.getMessage());
            }
            err.flush();
        }
    }

    RunOptions options() {
        int workers = parallel > 0 ? parallel : Math.max(2, Runtime.getRuntime().availableProcessors());
        return new RunOptions(connection.spec(env), Optional.ofNullable(stagingUrl), tree.sql,
                Optional.ofNullable(tree.product), Optional.ofNullable(to).map(Version::parse),
                Optional.ofNullable(dialect).map(DialectName::parse), backupDir, verify, noSwitch, !allowWrites,
                skipBackup, workers, Duration.ofSeconds(switchTimeout), Duration.ofSeconds(lockTtl),
                Optional.ofNullable(postponeFile), allowDrift,
                new dev.promoter.core.pipeline.SessionLimits(maxActiveSessions, Duration.ofSeconds(maxTransactionAge),
                        Duration.ofMillis(100)), dev.promoter.core.spi.CloneStrategy.parse(cloneStrategy),
                verifyBackup, dumpBackup(backupFormat));
    }

    private static boolean dumpBackup(String format) {
        return switch (format.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> false;
            case "dump" -> true;
            default -> throw dev.promoter.core.PromoterException.badInput("Unknown backup format \"" + format
                    + "\": use auto (written by the clone where the dialect can) or dump (the dialect's dump tool)");
        };
    }
}
