package dev.promoter.cli;

import dev.promoter.core.pipeline.RunReport;
import dev.promoter.core.pipeline.StagedRun;
import dev.promoter.report.ReportRedactor;
import dev.promoter.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

@Command(name = "switch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Switch in the staging database left by `promote --verify --no-switch`, only if live has not changed since staging's snapshot (otherwise it refuses and says to rebuild). The old live is kept as an archive.", ""},
        footer = {"", "Exit codes: 0 switched, 3 refused (live changed, nothing staged, lock held), 1 failure.",
                "", "Example:", "  promote switch --url jdbc:postgresql://db/storage --user app"})
public class SwitchCommand extends ConnectedCommand {
    @Option(names = "--switch-timeout", paramLabel = "SECONDS", defaultValue = "300", description = "Longest wait for the switch's locks (default: ${DEFAULT-VALUE}).")
    long switchTimeout;
    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "promoter-reports", description = "Where reports go (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    public SwitchCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        ConsoleListener console = new ConsoleListener(spec.commandLine().getOut(), true);
        var live = connection.spec(env);
        RunReport report = new StagedRun(env.dialects(), env.clock(), console)
                .switchOver(live, Duration.ofSeconds(switchTimeout), Duration.ofSeconds(60));
        Path where = new ReportWriter(ReportRedactor.of(live)).write(report, reportDir);
        console.summary(report, where);
        if (report.outcome().exitCode() != 0) {
            spec.commandLine().getErr().println("promote: " + report.message());
        }
        return report.outcome().exitCode();
    }
}
