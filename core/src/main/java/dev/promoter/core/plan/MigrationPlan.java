package dev.promoter.core.plan;

import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.Script;
import dev.promoter.core.tree.VersionDir;
import dev.promoter.core.version.Version;

import java.util.List;
import java.util.Optional;

/**
 * The scripts that take a database of {@code product} from {@code from} (empty when installing from
 * nothing) to {@code to} in {@code dialect}: every version in between, skipped versions included, in order.
 */
public record MigrationPlan(String product, DialectName dialect, Optional<Version> from, Version to,
                            List<VersionDir> versions) {
    public MigrationPlan {
        versions = List.copyOf(versions);
    }

    public List<Script> scripts() {
        return versions.stream().flatMap(v -> v.scripts(dialect).stream()).toList();
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    public String describe() {
        return product + " " + from.map(Version::toString).orElse("(empty)") + " -> " + to + " on " + dialect
                + " through " + versions.stream().map(v -> v.version().toString()).toList();
    }
}
