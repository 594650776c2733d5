package dev.promoter.cli;

import dev.promoter.core.admin.Admin;
import dev.promoter.core.ledger.LiveRecord;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.tree.Script;
import dev.promoter.core.version.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create the product's schema in an EMPTY database by running the full chain from nothing to VERSION, and record that version in the ledger.", ""},
        footer = {"", "Example:", "  promote install --to 1.0.0 --url jdbc:h2:file:./data/storage"})
public class InstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;
    @Option(names = "--to", paramLabel = "VERSION", description = "Version to install (default: newest).")
    String to;

    private final Env env;

    public InstallCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        LiveRecord r = new Admin(env.dialects(), env.clock()).install(connection.spec(env), tree.sql, tree.product,
                to == null ? null : Version.parse(to), new ScriptListener() {
                    @Override
                    public void started(Script s) {
                        out.println("  running " + s.treePath());
                        out.flush();
                    }

                    @Override
                    public void note(String text) {
                        out.println(text);
                        out.flush();
                    }
                });
        out.println("Installed " + r.product() + " " + r.version() + " (" + r.dialect() + ")");
        out.flush();
        return 0;
    }
}
