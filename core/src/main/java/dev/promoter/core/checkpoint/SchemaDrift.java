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

    /**
     * The fresh install itself failed ({@code why}: the script and the server's error): there is nothing to compare
     * staging's schema with. A failure, or with {@code allowDrift} a warning, like a difference.
     */
    public static CheckpointResult installFailed(String target, boolean allowDrift, String why, long millis) {
        return new CheckpointResult("schema equals a fresh install of " + target, "schema",
                allowDrift ? CheckpointResult.Status.WARN : CheckpointResult.Status.FAIL, "identical",
                "fresh install failed", why + ". Every script of the path also runs on an empty database for this "
                + "comparison (write DROP ... IF EXISTS and the like where a script expects objects only an old "
                + "database has), or pass --allow-drift to accept a schema that cannot be compared", millis);
    }
}
