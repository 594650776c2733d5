package dev.promoter.core.checkpoint;

import dev.promoter.core.spi.SchemaModel;

import java.util.List;

/** Staging's schema against a fresh install of the target version, difference by difference. */
public final class SchemaDrift {
    private SchemaDrift() {
    }

    /** {@code allowDrift} turns a difference into a warning instead of a failure. */
    public static CheckpointResult compare(SchemaModel staging, SchemaModel fresh, String target, boolean allowDrift,
                                           long millis) {
        String name = "schema equals a fresh install of " + target;
        List<String> diffs = staging.differencesFrom(fresh);
        if (diffs.isEmpty()) {
            return CheckpointResult.pass(name, "schema", fresh.objects().size() + " objects", "identical", millis);
        }
        String shown = String.join("; ", diffs.size() > 25 ? diffs.subList(0, 25) : diffs)
                + (diffs.size() > 25 ? "; ... " + (diffs.size() - 25) + " more" : "");
        return new CheckpointResult(name, "schema", allowDrift ? CheckpointResult.Status.WARN : CheckpointResult.Status.FAIL,
                "identical", diffs.size() + " difference(s)", shown
                + ". The upgraded schema differs from what the scripts build from nothing: fix the scripts, or pass "
                + "--allow-drift to accept it", millis);
    }
}
