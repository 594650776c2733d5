package dev.promoter.core.pipeline;

import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.version.Version;

/**
 * What preflight established for a run: the dialect read from live, the server, the ledger, the
 * product tree and the plan from the live version to the target.
 */
record RunContext(String runId, Dialect dialect, DatabaseServer server, Ledger ledger, ProductTree product,
                  Version liveVersion, Version target, MigrationPlan plan, String stagingName) {

    String dbKey() {
        return server.ledgerKey();
    }
}
