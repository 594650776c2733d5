package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import dev.promoter.core.ledger.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the live database's dialect, recorded product and version, and its last run.", ""})
public class StatusCommand extends ConnectedCommand {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;


    public StatusCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        Admin.Status s = new Admin(env.dialects(), env.clock()).status(connection.spec(env), 1);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(s));
        } else {
            out.println("database: " + s.database() + " (" + s.dialect() + ")");
            out.println("version:  " + s.live().map(l -> l.product() + " " + l.version() + " (recorded "
                    + l.updatedAt() + " by " + l.updatedBy() + ")").orElse("unknown - run `promote stamp VERSION`"));
            if (s.historyWarning() != null) {
                out.println("warning:  " + s.historyWarning());
            }
            for (RunRecord r : s.recentRuns()) {
                out.println("last run: " + r.runId() + " " + r.command() + " " + r.outcome() + " - " + r.message());
            }
        }
        out.flush();
        return 0;
    }
}
