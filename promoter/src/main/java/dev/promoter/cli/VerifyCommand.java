package dev.promoter.cli;

import dev.promoter.core.checkpoint.CheckpointResult;
import dev.promoter.core.pipeline.StagedRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run the checkpoints again against the staging database left by `promote --verify --no-switch`, without switching. Exit 0 when every checkpoint passes, 3 when one fails.", ""},
        footer = {"", "Example:", "  promote verify --url jdbc:postgresql://db/storage --user app"})
public class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;

    private final Env env;

    public VerifyCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        ConsoleListener console = new ConsoleListener(spec.commandLine().getOut(), true);
        List<CheckpointResult> results = new StagedRun(env.dialects(), env.clock(), console)
                .verify(connection.spec(env), tree.sql);
        long failed = results.stream().filter(CheckpointResult::failed).count();
        spec.commandLine().getOut().println(failed == 0 ? "All " + results.size() + " checkpoints passed"
                : failed + " of " + results.size() + " checkpoints failed");
        spec.commandLine().getOut().flush();
        return failed == 0 ? 0 : 3;
    }
}
