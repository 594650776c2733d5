package dev.promoter.cli;

import picocli.CommandLine.Command;

@Command(name = "promote", mixinStandardHelpOptions = true, version = "promote 0.1.0",
        description = {"Upgrade a product's database blue/green: build the upgraded database beside live, prove it right, and swap it in atomically. Without a sub-command, runs the whole pipeline (same as `promote run`).", ""},
        footer = {"", "Exit codes: 0 promoted or nothing to do; 1 failure (live untouched);",
                "2 bad input; 3 refused (rollback, cross-dialect, failed checkpoint, lock held,",
                "pre-created tables, busy live); 130 or 143 stopped by Ctrl-C or SIGTERM (before",
                "the switch: freeze lifted, live untouched; inside it: the switch finished first).",
                "", "Start with:  promote demo          (the whole pipeline on embedded H2)",
                "             promote <command> --help"},
        subcommands = {RunCommand.class, PlanCommand.class, CheckCommand.class, InstallCommand.class,
                StampCommand.class, StatusCommand.class, HistoryCommand.class, RecoverCommand.class, ArchivesCommand.class,
                BackupCommand.class, RestoreCommand.class, ReportCommand.class, VerifyCommand.class, SwitchCommand.class, DemoCommand.class,
                ServeCommand.class})
public class PromoteCommand extends PipelineCommand {
    public PromoteCommand(Env env) {
        super(env);
    }
}
