package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import dev.promoter.core.ledger.LiveRecord;
import dev.promoter.core.version.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "stamp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Adopt an existing database at VERSION: record that version in the ledger and mark every script up to it as applied (Liquibase changelog sync). No schema or data changes. Use it once for a database that was upgraded by hand.", ""},
        footer = {"", "Example:", "  promote stamp 1.2.0 --url jdbc:postgresql://db/storage --user app"})
public class StampCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;
    @Parameters(index = "0", paramLabel = "VERSION", description = "The version the database is at.")
    String version;

    private final Env env;

    public StampCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        LiveRecord r = new Admin(env.dialects(), env.clock()).stamp(connection.spec(env), tree.sql, tree.product,
                Version.parse(version));
        spec.commandLine().getOut().println("Stamped " + r.dbKey() + " at " + r.product() + " " + r.version());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
