package dev.promoter.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the versioned scripts are. */
public final class TreeOptions {
    @Option(names = {"--sql", "--sql-dir"}, paramLabel = "DIR", defaultValue = "sql", description = {"The SQL tree: DIR/<product>/<version>/<dialect>/*.sql (default: ${DEFAULT-VALUE})."})
    Path sql;

    @Option(names = "--product", paramLabel = "NAME", description = "Product folder in the tree (optional when it holds one).")
    String product;
}
