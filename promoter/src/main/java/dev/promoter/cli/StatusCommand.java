package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import dev.promoter.core.ledger.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the live database's dialect, recorded product and version, its last run, the promotion "
                + "lock, and what a run left on live (a write freeze, connections refused, a switch part way) with "
                + "the command that lifts it.", ""})
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
                out.println("last run: " + r.runId() + " " + r.command() + (r.endedAt() != null
                        ? " " + r.outcome() + " - " + r.message()
                        : ", started " + r.startedAt() + ", not ended: " + (s.lock().filter(l -> !l.expired()
                        && l.runId().equals(r.runId())).isPresent() ? "running (it holds the lock)"
                        : "its process died (its lock lease ran out)")));
            }
            s.lock().ifPresent(l -> out.println("lock:     " + (l.expired() ? "left by" : "held by") + " run " + l.runId()
                    + " (" + l.holder() + ") since " + l.acquiredAt() + (l.expired() ? ", lease expired at " + l.expiresAt()
                    + ": the next run takes it" : ", lease renewed until " + l.expiresAt())));
            for (String left : s.leftovers()) {
                out.println((s.needsRecovery() ? "LIVE:     " : "live:     ") + left);
            }
            if (s.needsRecovery()) {
                out.println("          a run died and left this on live; `promote recover` with the same --url lifts it "
                        + "(so does the next run, first)");
            } else if (!s.leftovers().isEmpty()) {
                out.println("          the run holding the lock did this; it lifts it when it ends");
            }
        }
        out.flush();
        return 0;
    }
}
