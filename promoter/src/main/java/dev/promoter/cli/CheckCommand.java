package dev.promoter.cli;

import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.tree.TreeProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate the SQL tree: version folders parse and do not collide (1.1 vs 1.1.0), every version after a dialect appears has scripts for it, no empty scripts, no stray files, checkpoints.yaml files parse. Each problem is named with its file and the fix.", ""},
        footer = {"", "Exit codes: 0 valid, 2 problems found."})
public class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    TreeOptions tree;
    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        SqlTree t = SqlTree.load(tree.sql);
        PrintWriter out = spec.commandLine().getOut();
        if (t.problems().isEmpty()) {
            t.products().values().forEach(p -> out.println("OK " + p.name() + ": " + p.versions().size()
                    + " versions " + p.versions().keySet()));
            out.flush();
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(t.problems().size() + " problem(s) in " + t.root() + ":");
        for (TreeProblem p : t.problems()) {
            err.println("  " + p.path() + ": " + p.problem());
            err.println("      fix: " + p.fix());
        }
        err.flush();
        return 2;
    }
}
