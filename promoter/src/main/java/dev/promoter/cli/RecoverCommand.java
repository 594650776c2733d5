package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;

@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Clean up after a run that died (killed with -9, its machine lost): lift what it left on live "
                + "(PostgreSQL: the write freeze that keeps live read-only, connections refused; MySQL/MariaDB: a "
                + "switch left part way is completed or undone), drop the staging database it had begun, and record "
                + "the run as abandoned. Takes the "
                + "promotion lock first, so it is refused while a run is alive; it changes nothing else and starts "
                + "no upgrade. `promote status` says when it is needed.", ""})
public class RecoverCommand extends ConnectedCommand {
    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "How long ending live's sessions (so pools reconnect read-write) may wait for locks "
                    + "(default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    public RecoverCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        Admin.Recovery r = new Admin(env.dialects(), env.clock()).recover(connection.spec(env), Duration.ofSeconds(timeout));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
        } else {
            out.println(r.lifted() != null ? r.lifted().substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                    + r.lifted().substring(1) : "Live " + r.database() + " carries nothing a run left: nothing to lift");
            if (r.abandonedRuns() > 0) {
                out.println("Recorded " + r.abandonedRuns() + " run(s) that never ended as ABANDONED");
            }
            r.droppedStaging().forEach(s -> out.println("Dropped " + s + ", the staging database such a run had begun"));
        }
        out.flush();
        return 0;
    }
}
