package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.core.admin.LiveTarget;
import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.backup.Backups;
import dev.promoter.core.db.Connections;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a backup into an EMPTY database (it is created when missing). The backup's files are checked against its manifest first; a damaged backup is refused.",
                "On PostgreSQL the database's own settings (ALTER DATABASE/ROLE ... SET), privileges, comment and connection limit are applied last; one naming a role this server lacks is printed as a WARNING with the statement to run once the role exists.", ""},
        footer = {"", "Example:", "  promote restore --backup promoter-backups/storage-20261122-020000 \\",
                "      --url jdbc:postgresql://db/storage_restored"})
public class RestoreCommand extends ConnectedCommand {
    @Option(names = "--backup", required = true, paramLabel = "DIR", description = "The backup folder (holding manifest.json).")
    Path backup;

    public RestoreCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        BackupManifest m = Backups.verify(backup);
        LiveTarget t = LiveTarget.open(env.dialects(), connection.spec(env), env.clock(), true);
        if (!m.dialect().equals(t.dialect().name().id())) {
            throw PromoterException.refused("Backup " + backup + " is of a " + m.dialect() + " database; the target is "
                    + t.dialect().name() + ". Restore it into a " + m.dialect() + " database");
        }
        var tables = Connections.jdbi(t.server().live()).withHandle(h -> t.dialect().introspector().tables(h));
        if (!tables.isEmpty()) {
            throw PromoterException.refused("Target " + t.server().liveDatabase() + " is not empty (" + tables.size()
                    + " tables); restore only into an empty database so nothing is overwritten");
        }
        new Backups(t.dialect().backupTool(), env.clock()).restore(backup, t.server().live(), new ConsoleListener(spec.commandLine().getOut(), true));
        if (m.product() != null && m.version() != null) {
            t.ledger().setLive(t.key(), m.product(), dev.promoter.core.version.Version.parse(m.version()),
                    m.dialect(), "restore of " + backup.toAbsolutePath());
        }
        spec.commandLine().getOut().println("Restored " + m.tables().size() + " tables from " + backup + " into "
                + t.server().liveDatabase());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
