package dev.promoter.cli;

import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.Script;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the path from one version to another, offline (no connection): every version in between, skipped ones included, and with --sql the exact SQL of every script in the order it runs.", ""},
        footer = {"", "Example:", "  promote plan --from 1.0.0 --to 1.10.0 --dialect postgresql --sql > upgrade.sql"})
public class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--sql-dir", paramLabel = "DIR", defaultValue = "sql", description = {"The SQL tree: DIR/<product>/<version>/<dialect>/*.sql (default: ${DEFAULT-VALUE}). (Other commands call this --sql; here --sql asks for the SQL text.)"})
    java.nio.file.Path sqlDir;
    @Option(names = "--product", paramLabel = "NAME", description = "Product folder in the tree (optional when it holds one).")
    String product;
    @Mixin
    VerboseOption verbose;
    @Option(names = "--from", paramLabel = "VERSION", description = "The live version (omit to plan an install from nothing).")
    String from;
    @Option(names = "--to", paramLabel = "VERSION", description = "The target version (default: newest).")
    String to;
    @Option(names = "--dialect", required = true, paramLabel = "D", description = "postgresql, mysql or h2.")
    String dialect;
    @Option(names = "--sql", arity = "0", description = "Print the SQL of every script.")
    boolean showSql;

    private final Env env;

    public PlanCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        DialectName d = DialectName.parse(dialect);
        ProductTree productTree = SqlTree.load(sqlDir).product(product);
        Version target = to == null ? productTree.newest() : Version.parse(to);
        Planner planner = new Planner(productTree);
        MigrationPlan plan = from == null ? planner.install(target, d) : planner.upgrade(Version.parse(from), target, d);
        PrintWriter out = spec.commandLine().getOut();
        out.println("-- Plan: " + plan.describe());
        if (plan.isEmpty()) {
            out.println("-- Nothing to do: already at " + target);
            return 0;
        }
        LiquibaseMigrator migrator = new LiquibaseMigrator(env.dialects().get(d));
        for (var v : plan.versions()) {
            out.println("-- Version " + v.version());
            for (Script s : v.scripts(d)) {
                out.println("--   " + s.treePath() + " (" + s.kind().name().toLowerCase(java.util.Locale.ROOT) + ")");
                if (showSql) {
                    for (String st : migrator.statements(s)) {
                        out.println(st.endsWith(";") ? st : st + ";");
                    }
                    out.println();
                }
            }
        }
        out.flush();
        return 0;
    }
}
