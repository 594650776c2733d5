package dev.promoter.cli;

import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upgrade live blue/green: preflight, backup, clone (one snapshot), migrate staging, verify checkpoints, then switch atomically. Live is changed only by the switch; the old live is kept as an archive.", ""},
        footer = {"", "Exit codes: 0 promoted or nothing to do; 1 failure (live untouched);",
                "2 bad input; 3 refused (rollback, cross-dialect, failed checkpoint, lock held,",
                "pre-created tables, busy live); 130 or 143 stopped by Ctrl-C or SIGTERM (before",
                "the switch: freeze lifted, live untouched; inside it: the switch finished first).",
                "", "Example:",
                "  PROMOTER_PASSWORD=... promote --verify --url jdbc:postgresql://db/storage \\",
                "      --user app --to 1.10.0"})
public class RunCommand extends PipelineCommand {
    public RunCommand(Env env) {
        super(env);
    }
}
