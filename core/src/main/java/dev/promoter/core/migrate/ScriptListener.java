package dev.promoter.core.migrate;

import dev.promoter.core.tree.Script;

/**
 * Told before and after each script runs (the ledger records a script as started before it runs), and of anything
 * else the user should read about the migration.
 */
public interface ScriptListener {
    ScriptListener NONE = new ScriptListener() {
    };

    default void started(Script script) {
    }

    default void finished(Script script, boolean succeeded) {
    }

    default void note(String text) {
    }
}
