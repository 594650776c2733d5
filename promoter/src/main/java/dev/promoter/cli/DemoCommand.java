package dev.promoter.cli;

import dev.promoter.core.PromoterException;
import dev.promoter.core.admin.Admin;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Secret;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.pipeline.Pipeline;
import dev.promoter.core.pipeline.RunOptions;
import dev.promoter.core.pipeline.RunReport;
import dev.promoter.report.ReportRedactor;
import dev.promoter.report.ReportWriter;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.SqlTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The whole pipeline on an embedded H2 database, no server needed: creates a live database of the sample product at its oldest version with realistic data, then promotes it to the newest version with --verify, printing every stage.", ""},
        footer = {"", "The demo works in DIR (default: promoter-demo), which it recreates each time."})
public class DemoCommand implements Callable<Integer> {
    private static final String MARKER = ".promoter-demo";

    @Spec
    CommandSpec spec;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "promoter-demo", description = "Working folder (default: ${DEFAULT-VALUE}).")
    Path dir;
    @Option(names = "--scale", paramLabel = "N", defaultValue = "1", description = "Sample data size; 1 is about 11,000 rows (default: ${DEFAULT-VALUE}).")
    int scale;

    private final Env env;

    public DemoCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path work = fresh(dir.toAbsolutePath());
        ConnectionSpec live = new ConnectionSpec("jdbc:h2:file:" + work.resolve("storage"), "sa", Secret.none());
        if (!Files.isDirectory(tree.sql) && env.get("PROMOTER_HOME") != null) {
            tree.sql = Path.of(env.get("PROMOTER_HOME")).resolve("sql");
        }
        ProductTree product = SqlTree.load(tree.sql).product(tree.product);
        out.println("Promoter demo: " + product.name() + " on embedded H2 in " + work);
        out.println();
        out.println("1. Install " + product.name() + " " + product.oldest() + " as live (" + live.redactedUrl() + ")");
        new Admin(env.dialects(), env.clock()).install(live, tree.sql, product.name(), product.oldest(), ScriptListener.NONE);
        long rows = new SampleData(env.dialects().get(DialectName.H2), scale).populate(live);
        out.printf("   loaded %,d rows of sample data%n%n", rows);
        out.println("2. promote --verify --to " + product.newest() + " (skipped versions included)");
        out.flush();
        RunOptions o = new RunOptions(live, Optional.empty(), tree.sql, Optional.of(product.name()),
                Optional.of(product.newest()), Optional.of(DialectName.H2), work.resolve("backups"), true, false, true,
                false, 2, Duration.ofSeconds(60), Duration.ofSeconds(60), Optional.empty(), false,
                dev.promoter.core.pipeline.SessionLimits.DEFAULT, null, false);
        ConsoleListener console = new ConsoleListener(out, true);
        RunReport report = new Pipeline(env.dialects(), env.clock(), console).run(o);
        Path reports = new ReportWriter(ReportRedactor.of(live)).write(report, work.resolve("reports"));
        console.summary(report, reports);
        out.flush();
        return report.outcome().exitCode();
    }

    /** Recreates the demo folder; refuses to empty a folder the demo did not make. */
    private static Path fresh(Path work) {
        try {
            if (Files.exists(work)) {
                if (!Files.exists(work.resolve(MARKER))) {
                    throw PromoterException.badInput("Demo folder " + work + " exists and was not made by the demo; "
                            + "pass --dir with a new folder");
                }
                try (Stream<Path> s = Files.walk(work)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> {
                        try {
                            Files.delete(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
            Files.createDirectories(work);
            Files.writeString(work.resolve(MARKER), "made by promote demo; deleted and recreated by it\n");
            return work;
        } catch (IOException | UncheckedIOException e) {
            throw PromoterException.failed("Unable to prepare demo folder " + work + ": " + e.getMessage(), e);
        }
    }
}
