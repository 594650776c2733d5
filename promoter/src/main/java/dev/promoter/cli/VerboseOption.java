package dev.promoter.cli;

import picocli.CommandLine.Option;

/** --verbose: stack traces on failure. */
public final class VerboseOption {
    @Option(names = "--verbose", description = "Show stack traces of failures.")
    boolean verbose;
}
