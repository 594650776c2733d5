package dev.promoter.cli;

/** The process entry point: the only place that calls {@code System.exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(args, System.getenv(), new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true)));
    }
}
