package dev.promoter.cli;

import dev.promoter.core.Outcome;
import dev.promoter.core.PromoterException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Builds the command line and maps failures to exit codes; runs in-process for tests. */
public final class Cli {
    private Cli() {
    }

    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return run(args, env, out, err, Clock.systemUTC());
    }

    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, Clock clock) {
        Env environment = new Env(env, clock);
        CommandLine cl = new CommandLine(new PromoteCommand(environment), new Factory(environment));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        try {
            cl.setDefaultValueProvider(ConfigDefaults.from(args, env));
        } catch (PromoterException e) {
            err.println("promote: " + e.getMessage());
            return e.outcome().exitCode();
        }
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose");
            if (ex instanceof PromoterException p) {
                line.getErr().println("promote: " + p.getMessage());
                if (verbose) {
                    ex.printStackTrace(line.getErr());
                }
                return p.outcome().exitCode();
            }
            line.getErr().println("promote: unexpected failure: " + ex + " (run with --verbose for details)");
            if (verbose) {
                ex.printStackTrace(line.getErr());
            }
            return Outcome.FAILED.exitCode();
        });
        cl.setParameterExceptionHandler((ex, strings) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("promote: " + ex.getMessage());
            String misread = planSqlGivenATree(ex, strings);
            if (misread != null) {
                c.getErr().println(misread);
            } else if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
                c.getErr().println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
            }
            return Outcome.BAD_INPUT.exitCode();
        });
        return cl.execute(args);
    }

    /**
     * {@code plan --sql DIR}: every other command's {@code --sql} names the tree, plan's prints the SQL and takes no
     * value, so DIR is left over. Says which option the tree goes in; null for any other mistake.
     */
    private static String planSqlGivenATree(CommandLine.ParameterException ex, String[] args) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || !"plan".equals(ex.getCommandLine().getCommandName())) {
            return null;
        }
        List<String> args0 = List.of(args);
        for (String left : u.getUnmatched()) {
            int at = args0.indexOf(left);
            if (at > 0 && args0.get(at - 1).equals("--sql")) {
                return "plan's --sql prints the SQL and takes no value; give the tree with --sql-dir " + left
                        + " (for example: promote plan --sql-dir " + left + " --from 1.0.0 --dialect postgresql --sql)";
            }
        }
        return null;
    }

    /** Gives every command the environment (env vars, clock) without global state. */
    private record Factory(Env env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getConstructor(Env.class).newInstance(env);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
