package dev.promoter.cli;

import dev.promoter.core.admin.Archives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

@Command(name = "archives", mixinStandardHelpOptions = true,
        description = {"List the archives promotions of live kept, and drop the ones named with --drop.", "",
                "Each archive is the old live of one promotion, a whole database on live's server. Only archives the "
                        + "ledger records for this live can be dropped, each name checked before anything is dropped, "
                        + "under the promotion lock.", ""},
        footer = {"", "Example:", "  promote archives --url jdbc:postgresql://db/storage",
                "  promote archives --url jdbc:postgresql://db/storage --drop storage_archive_20261203101328"})
public class ArchivesCommand extends ConnectedCommand {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--drop", paramLabel = "ARCHIVE", description = "Drop this archive (repeatable). Its data is "
            + "gone for good: keep the run's backup if you may need the old version again. On PostgreSQL, sessions "
            + "still connected to the archive are ended.")
    List<String> drop = List.of();

    public ArchivesCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        Archives archives = new Archives(env.dialects(), env.clock());
        PrintWriter out = spec.commandLine().getOut();
        List<Archives.Archive> shown = drop.isEmpty() ? archives.list(connection.spec(env))
                : archives.drop(connection.spec(env), drop);
        if (json) {
            out.println(Json.write(shown));
        } else if (shown.isEmpty()) {
            out.println("no archives");
        } else {
            out.printf(Locale.ROOT, "%-40s %-9s %-24s %s%n", drop.isEmpty() ? "ARCHIVE" : "DROPPED", "VERSION", "RUN",
                    "ARCHIVED");
            for (Archives.Archive a : shown) {
                out.printf(Locale.ROOT, "%-40s %-9s %-24s %s%n", a.name(), a.version() == null ? "-" : a.version(),
                        a.runId(), a.archivedAt());
            }
        }
        out.flush();
        return 0;
    }
}
