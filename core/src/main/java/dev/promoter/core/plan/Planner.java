package dev.promoter.core.plan;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.VersionDir;
import dev.promoter.core.version.Version;

import java.util.List;
import java.util.Optional;

/** Builds {@link MigrationPlan}s and refuses the ones that cannot be run safely. */
public final class Planner {
    private final ProductTree tree;

    public Planner(ProductTree tree) {
        this.tree = tree;
    }

    /** From live version {@code from} to {@code to}: refuses rollback and a path without scripts for the dialect. */
    public MigrationPlan upgrade(Version from, Version to, DialectName dialect) {
        if (to.isBefore(from)) {
            throw PromoterException.refused("Rollback is not supported: live " + tree.name() + " is at " + from
                    + " and the target " + to + " is older. Restore a backup taken before the upgrade to "
                    + from + " instead (promote restore --backup DIR)");
        }
        tree.version(to);
        return build(Optional.of(from), to, dialect, tree.between(from, to));
    }

    /** From nothing to {@code to}: the full chain that creates the schema. */
    public MigrationPlan install(Version to, DialectName dialect) {
        tree.version(to);
        return build(Optional.empty(), to, dialect, tree.between(null, to));
    }

    private MigrationPlan build(Optional<Version> from, Version to, DialectName dialect, List<VersionDir> path) {
        List<String> missing = path.stream().filter(v -> !v.hasDialect(dialect))
                .map(v -> v.version().toString()).toList();
        if (!missing.isEmpty()) {
            throw PromoterException.refused("The SQL tree has no " + dialect + " scripts for version(s) " + missing
                    + " of " + tree.name() + " on the path " + from.map(Version::toString).orElse("(empty)") + " -> " + to
                    + ": a " + dialect + " database cannot be upgraded along it. Add "
                    + tree.dir().resolve(missing.get(0)).resolve(dialect.id()).resolve("migration.sql")
                    + " (promote check lists every gap)");
        }
        return new MigrationPlan(tree.name(), dialect, from, to, path);
    }
}
