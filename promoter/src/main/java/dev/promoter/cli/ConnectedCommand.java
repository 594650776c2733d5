package dev.promoter.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** What the commands that connect to one database share: the connection options, --verbose, the environment. */
abstract class ConnectedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;
    @Mixin
    VerboseOption verbose;

    final Env env;

    ConnectedCommand(Env env) {
        this.env = env;
    }
}
