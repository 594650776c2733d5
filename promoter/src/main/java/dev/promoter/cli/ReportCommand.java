package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.core.admin.LiveTarget;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.report.LedgerRunReport;
import dev.promoter.report.ReportRedactor;
import dev.promoter.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild the reports (report.json, report.html, junit.xml, summary.md) of a past run from the"
                + " ledger into <report-dir>/<RUN_ID>/. The ledger keeps no checkpoint timings, switch window,"
                + " write protection or table counts, so those are absent.", ""})
public class ReportCommand extends ConnectedCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run, as `promote history` lists it.")
    String runId;
    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "promoter-reports", description = "Where reports go, one folder per run (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    public ReportCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        ConnectionSpec live = connection.spec(env);
        LiveTarget t = LiveTarget.open(env.dialects(), live, env.clock(), false);
        RunReport report = LedgerRunReport.load(t.ledger(), runId, t.server().liveDatabase()).orElseThrow(() ->
                PromoterException.badInput("No run \"" + runId + "\" in the ledger of " + live.redactedUrl()
                        + "; list the runs with `promote history`"));
        Path where = new ReportWriter(ReportRedactor.of(live)).write(report, reportDir);
        spec.commandLine().getOut().println("Reports of run " + runId + " (" + report.result() + ") written to "
                + where.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
