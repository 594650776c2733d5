package dev.promoter.cli;

import dev.promoter.core.admin.LiveTarget;
import dev.promoter.core.backup.BackupManifest;
import dev.promoter.core.backup.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Take a restorable backup of the live database with a manifest (tables, row counts, sha-256 of every file). The backup is called good only after its files are checked against the manifest.", ""},
        footer = {"", "Example:", "  promote backup --url jdbc:postgresql://db/storage --backup-dir /backups"})
public class BackupCommand extends ConnectedCommand {
    @Option(names = "--backup-dir", paramLabel = "DIR", defaultValue = "promoter-backups",
            description = "Parent folder; the backup goes into DIR/<database>-<time> (default: ${DEFAULT-VALUE}).")
    Path backupDir;

    public BackupCommand(Env env) {
        super(env);
    }

    @Override
    public Integer call() {
        LiveTarget t = LiveTarget.open(env.dialects(), connection.spec(env), env.clock(), false);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(env.clock().instant());
        Path dir = backupDir.resolve(t.server().liveDatabase() + "-" + stamp);
        var live = t.ledger().live(t.key());
        BackupManifest m = new Backups(t.dialect().backupTool(), env.clock()).backup(t.server().live(), dir,
                t.server().liveDatabase(), t.dialect().name().id(), live.map(l -> l.product()).orElse(null),
                live.map(l -> l.version().toString()).orElse(null), new ConsoleListener(spec.commandLine().getOut(), true));
        spec.commandLine().getOut().println("Backup of " + m.tables().size() + " tables (" + m.files().size()
                + " files, checked) in " + dir.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
