package dev.promoter.core.admin;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.LiveRecord;
import dev.promoter.core.ledger.PromotionLock;
import dev.promoter.core.ledger.RunRecord;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.migrate.ScriptListener;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** install, stamp, status and history: the commands that manage a database's recorded version. */
public final class Admin {
    private final Dialects dialects;
    private final Clock clock;

    public Admin(Dialects dialects, Clock clock) {
        this.dialects = dialects;
        this.clock = clock;
    }

    /**
     * Status of a live database: its recorded version, the newest runs, and a warning when live's own Liquibase
     * history disagrees with the recorded version (null when it agrees, or when there is no record).
     */
    public record Status(String database, String dialect, Optional<LiveRecord> live, List<RunRecord> recentRuns,
                         String historyWarning, Optional<PromotionLock.Holder> lock, List<String> leftovers) {
        /** Live carries what a run left, and no live run holds the lock: a run died, `promote recover` lifts it. */
        @com.fasterxml.jackson.annotation.JsonProperty("needsRecovery")
        public boolean needsRecovery() {
            return !leftovers.isEmpty() && lock.map(PromotionLock.Holder::expired).orElse(true);
        }
    }

    /**
     * What {@link #recover} did: the dead runs it recorded as abandoned, what it lifted from live (null: nothing) and
     * the staging databases of those runs it dropped.
     */
    public record Recovery(String database, int abandonedRuns, String lifted, List<String> droppedStaging) {
    }

    /** Runs the full chain from nothing to {@code to} on an empty database and records the version. */
    public LiveRecord install(ConnectionSpec spec, Path sqlDir, String productName, Version to, ScriptListener listener) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, true);
        ProductTree product = SqlTree.load(sqlDir).product(productName);
        Version target = to == null ? product.newest() : to;
        Optional<LiveRecord> stale = t.ledger().live(t.key());
        List<TableRef> tables = Connections.jdbi(t.server().live()).withHandle(h -> t.dialect().introspector().tables(h));
        if (!tables.isEmpty()) {
            stale.ifPresent(l -> {
                throw PromoterException.refused("Database " + t.server().liveDatabase() + " is already recorded at "
                        + l.product() + " " + l.version() + "; install only creates a schema in an empty database. "
                        + "Use `promote --verify --to " + target + "` to upgrade it");
            });
            throw PromoterException.refused("Database " + t.server().liveDatabase() + " is not empty (" + tables.size()
                    + " tables, such as " + tables.get(0).display() + "); install needs an empty database. If it already "
                    + "holds the product, record its version with `promote stamp VERSION`");
        }
        // an empty database the ledger knows: dropped and created again under the same name; nothing to keep
        String replaces = stale.map(l -> "replaces the ledger's record of " + t.server().liveDatabase() + " at "
                + l.product() + " " + l.version() + " (" + l.updatedBy() + "), which the database, empty, no longer matched")
                .orElse(null);
        if (replaces != null) {
            listener.note("The database is empty: this install " + replaces);
        }
        MigrationPlan chain = new Planner(product).install(target, t.dialect().name());
        String runId = "install-" + UUID.randomUUID().toString().substring(0, 8);
        try (var lease = new PromotionLock(t.ledger()).acquire(t.key(), runId, "install", Duration.ofMinutes(5));
             Connection c = Connections.open(t.server().live())) {
            t.ledger().startRun(runId, t.key(), "install", product.name(), t.dialect().name().id(), null, target.toString());
            new LiquibaseMigrator(t.dialect(), t.server().liveDatabase(), "the install stopped there: drop the "
                    + "database, create it empty and install again").update(c, chain, chain.scripts(), listener);
            t.ledger().endPromotion(runId, t.key(), product.name(), target, t.dialect().name().id(),
                    "Installed " + product.name() + " " + target + " from nothing (" + chain.scripts().size() + " scripts)"
                            + (replaces == null ? "" : "; " + replaces));
        } catch (SQLException e) {
            throw Connections.unableToConnect(spec, e);
        }
        return t.ledger().live(t.key()).orElseThrow();
    }

    /**
     * Adopts a database at version {@code v}: Liquibase records every script up to {@code v} as applied
     * (with today's checksums) and the ledger records the version. Nothing in the schema or data changes.
     */
    public LiveRecord stamp(ConnectionSpec spec, Path sqlDir, String productName, Version v) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        ProductTree product = SqlTree.load(sqlDir).product(productName);
        MigrationPlan chain = new Planner(product).install(v, t.dialect().name());
        String runId = "stamp-" + UUID.randomUUID().toString().substring(0, 8);
        try (var lease = new PromotionLock(t.ledger()).acquire(t.key(), runId, "stamp", Duration.ofMinutes(5));
             Connection c = Connections.open(t.server().live())) {
            t.ledger().startRun(runId, t.key(), "stamp", product.name(), t.dialect().name().id(),
                    t.ledger().live(t.key()).map(l -> l.version().toString()).orElse(null), v.toString());
            new LiquibaseMigrator(t.dialect()).sync(c, chain);
            t.ledger().endPromotion(runId, t.key(), product.name(), v, t.dialect().name().id(),
                    "Stamped at " + product.name() + " " + v);
        } catch (SQLException e) {
            throw Connections.unableToConnect(spec, e);
        }
        return t.ledger().live(t.key()).orElseThrow();
    }

    public Status status(ConnectionSpec spec, int runs) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        Optional<LiveRecord> live = t.ledger().live(t.key());
        return new Status(t.server().liveDatabase(), t.dialect().name().id(), live, t.ledger().history(t.key(), runs),
                live.map(l -> historyWarning(t, l)).orElse(null), new PromotionLock(t.ledger()).holder(t.key()),
                t.dialect().cloner().leftovers(t.server()));
    }

    /**
     * Cleans up after a run that died (killed, its machine lost): under the promotion lock, so never under a run that
     * is alive, it records the runs that never ended as abandoned and lifts what they left on live (a write freeze,
     * connections refused, a switch part way: {@link dev.promoter.core.spi.Cloner#liftLeftovers}), and drops the
     * half-built staging databases of those runs. Nothing else is changed; a run does the same first, but also goes
     * on to upgrade.
     */
    public Recovery recover(ConnectionSpec spec, Duration timeout) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        String runId = "recover-" + UUID.randomUUID().toString().substring(0, 8);
        try (var lease = new PromotionLock(t.ledger()).acquire(t.key(), runId, "recover", Duration.ofMinutes(5))) {
            List<RunRecord> runs = t.ledger().history(t.key(), 1000);
            List<String> dead = runs.stream().filter(r -> r.endedAt() == null && !r.runId().equals(runId))
                    .map(RunRecord::runId).toList();
            int abandoned = t.ledger().abandonUnfinished(t.key(), runId);
            String lifted = t.dialect().cloner().liftLeftovers(t.server(), timeout);
            // a staging database is the dead run's when that run is the newest to have named it (a staging kept by
            // an earlier --no-switch run under the same name was dropped by the dead run when it started)
            List<String> dropped = new java.util.ArrayList<>();
            for (String staging : runs.stream().map(RunRecord::stagingName).filter(java.util.Objects::nonNull).distinct().toList()) {
                boolean deadRunsOwn = runs.stream().filter(r -> staging.equals(r.stagingName())).findFirst()
                        .map(r -> dead.contains(r.runId())).orElse(false);
                if (deadRunsOwn && t.server().exists(staging)) {
                    t.server().drop(staging);
                    dropped.add(staging);
                }
            }
            return new Recovery(t.server().liveDatabase(), abandoned, lifted, dropped);
        }
    }

    /**
     * What live's DATABASECHANGELOG says against the record, by the versions its scripts belong to (a changeset id is
     * {@code version/script}); null when the newest of them is the recorded version. A run says exactly which
     * scripts are missing; this needs no SQL tree.
     */
    private static String historyWarning(LiveTarget t, LiveRecord recorded) {
        Optional<Version> newest;
        try (Connection c = Connections.open(t.server().live())) {
            newest = LiquibaseMigrator.history(c).stream().map(id -> id.substring(0, Math.max(0, id.indexOf('/'))))
                    .filter(Version::isValid).map(Version::parse).max(Version::compareTo);
        } catch (SQLException e) {
            return "live's own Liquibase history (DATABASECHANGELOG) could not be read: " + Connections.describe(e);
        }
        if (newest.isEmpty()) {
            return "live has no Liquibase history (DATABASECHANGELOG) though the ledger records it at " + recorded.version()
                    + ": dropped and created again, or restored without it? A run will refuse until `promote install` "
                    + "(empty database) or `promote stamp VERSION`";
        }
        int order = newest.get().compareTo(recorded.version());
        if (order < 0) {
            return "live's own Liquibase history goes up to " + newest.get() + " only, not the recorded "
                    + recorded.version() + " (restored from an older backup?); a run will refuse until `promote stamp "
                    + "VERSION` records its real version";
        }
        if (order > 0) {
            return "live's own Liquibase history records scripts of " + newest.get() + ", past the recorded "
                    + recorded.version() + "; a run will refuse until `promote stamp VERSION` records its real version";
        }
        return null;
    }

    public List<RunRecord> history(ConnectionSpec spec, int limit) {
        LiveTarget t = LiveTarget.open(dialects, spec, clock, false);
        return t.ledger().history(t.key(), limit);
    }
}
