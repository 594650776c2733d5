package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import dev.promoter.core.ledger.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"List the runs recorded for the live database, newest first.", ""})
public class HistoryCommand extends ConnectedCommand {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--limit", defaultValue = "50", description = "How many runs (default: ${DEFAULT-VALUE}).")
    int limit;

    public HistoryCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        List<RunRecord> runs = new Admin(env.dialects(), env.clock()).history(connection.spec(env), limit);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(runs));
        } else {
            out.printf(Locale.ROOT, "%-24s %-8s %-10s %-9s %-9s %s%n", "RUN", "COMMAND", "OUTCOME", "FROM", "TO", "STARTED");
            for (RunRecord r : runs) {
                out.printf(Locale.ROOT, "%-24s %-8s %-10s %-9s %-9s %s%n", r.runId(), r.command(),
                        r.endedAt() == null ? "NOT ENDED" : r.outcome(),
                        r.fromVersion() == null ? "-" : r.fromVersion(), r.toVersion() == null ? "-" : r.toVersion(),
                        r.startedAt());
            }
        }
        out.flush();
        return 0;
    }
}
