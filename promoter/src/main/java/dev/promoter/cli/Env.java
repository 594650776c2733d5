package dev.promoter.cli;

import dev.promoter.core.spi.Dialects;

import java.time.Clock;
import java.util.Map;

/** What commands take from outside: environment variables, the clock, the installed dialects. */
public record Env(Map<String, String> vars, Clock clock) {
    public Env {
        vars = Map.copyOf(vars);
    }

    public String get(String name) {
        return vars.get(name);
    }

    public Dialects dialects() {
        return Dialects.load();
    }
}
