package dev.promoter.core.pipeline;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.ledger.Ledger;
import dev.promoter.core.ledger.LiveRecord;
import dev.promoter.core.ledger.RunRecord;
import dev.promoter.core.migrate.LiquibaseMigrator;
import dev.promoter.core.plan.MigrationPlan;
import dev.promoter.core.plan.Planner;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.Dialect;
import dev.promoter.core.spi.Dialects;
import dev.promoter.core.spi.StagingRoom;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.tree.ProductTree;
import dev.promoter.core.tree.Script;
import dev.promoter.core.tree.SqlTree;
import dev.promoter.core.version.Version;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks before anything is copied: dialect read from live (cross-dialect refused), live version
 * known and agreeing with live's own Liquibase history, no rollback, a complete path, no pre-created objects in
 * live, nothing the dialect cannot carry, room on the server's disk for staging, traffic under the limits.
 */
final class Preflight {
    /** One identifier: quoted ("a ""b""" or `a`) or bare; groups: quoted, bare. */
    private static final String IDENTIFIER = "(?:[`\"]((?:[^`\"]|\"\"|``)+)[`\"]|([\\w$]+))";
    /** A table a script creates (temporary ones end with the session and are left out): [schema.]name. */
    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)create\\s+(?:unlogged\\s+)?table\\s+"
            + "(?:if\\s+not\\s+exists\\s+)?" + IDENTIFIER + "(?:\\s*\\.\\s*" + IDENTIFIER + ")?");

    private final Dialects dialects;
    private final Clock clock;

    Preflight(Dialects dialects, Clock clock) {
        this.dialects = dialects;
        this.clock = clock;
    }

    /** What is known before the ledger: the dialect read from live, its server, the tree, the ledger. */
    record Connected(Dialect dialect, DatabaseServer server, ProductTree product, Ledger ledger, String stagingName) {
    }

    Connected connect(RunOptions o, RunListener listener) {
        Dialect byUrl = dialects.forUrl(o.live().url());
        DatabaseServer server = byUrl.server(o.live());
        Dialect dialect = dialects.detect(server);
        if (dialect.name() != byUrl.name()) {
            throw PromoterException.refused("The URL " + o.live().redactedUrl() + " is a " + byUrl.name()
                    + " URL but the server answering it says it is " + dialect.name() + "; fix --url");
        }
        listener.message("live is " + dialect.name() + " database " + server.liveDatabase());
        if (o.expectedDialect().isPresent() && o.expectedDialect().get() != dialect.name()) {
            throw PromoterException.refused("Cross-dialect upgrade refused: live is " + dialect.name()
                    + " (read from the connection) but the run targets " + o.expectedDialect().get()
                    + ". Promoter upgrades a database within its own dialect; drop --dialect or point --url at a "
                    + o.expectedDialect().get() + " database");
        }
        String stagingName = stagingName(o, dialect, server);
        SqlTree tree = SqlTree.load(o.sqlDir());
        ProductTree product = tree.product(o.product().orElse(null));
        if (product.versions().values().stream().noneMatch(v -> v.hasDialect(dialect.name()))) {
            throw PromoterException.refused("Cross-dialect upgrade refused: live is " + dialect.name() + " but the SQL "
                    + "tree " + product.dir() + " has no " + dialect.name() + " scripts. Add "
                    + product.dir().resolve("<version>").resolve(dialect.name().id()) + "/migration.sql for every version");
        }
        Ledger ledger = server.ledgerMayStayConnected() ? Ledger.pooled(server.ledger(), clock)
                : Ledger.open(Connections.jdbi(server.ledger()), clock);
        return new Connected(dialect, server, product, ledger, stagingName);
    }

    /** Under the lock: the live version, the target and the path; empty when live is already at the target. */
    Optional<RunContext> plan(Connected c, RunOptions o, String runId, RunListener listener) {
        DatabaseServer server = c.server();
        LiveRecord recorded = c.ledger().live(server.ledgerKey()).orElseThrow(() -> PromoterException.refused(
                "The live version of " + server.liveDatabase() + " is unknown: the ledger has no record of it. Tell "
                        + "Promoter which version it is at with `promote stamp VERSION --url ...` (or install it "
                        + "with `promote install`)"));
        if (!recorded.product().equals(c.product().name())) {
            throw PromoterException.refused("Live database " + server.liveDatabase() + " holds product " + recorded.product()
                    + ", not " + c.product().name() + "; check --product and --sql");
        }
        if (!recorded.dialect().equals(c.dialect().name().id())) {
            throw PromoterException.refused("Cross-dialect upgrade refused: the ledger says " + server.liveDatabase()
                    + " is " + recorded.dialect() + " but the connection says " + c.dialect().name());
        }
        Set<String> history = readHistory(server);
        LiveRecord live = reconcile(c, recorded, runId, listener, history);
        refuseHistoryBehind(c, live, history);
        Version target = o.to().orElse(c.product().newest());
        if (target.equals(live.version())) {
            return Optional.empty();
        }
        MigrationPlan plan = new Planner(c.product()).upgrade(live.version(), target, c.dialect().name());
        refuseHistoryAhead(live, plan, history);
        refusePrecreated(server.live(), c.dialect(), plan);
        c.dialect().cloner().refuseMissingPrivileges(server.live(), madeDatabases(server, c.stagingName(), runId, o),
                o.cloneStrategy(), o.freezeWrites());
        c.dialect().cloner().refuseUnsupported(server.live(), o.cloneStrategy());
        refuseNoRoom(server, c.dialect(), o, listener);
        refuseBusy(server, c.dialect(), o.limits());
        return Optional.of(new RunContext(runId, c.dialect(), server, c.ledger(), c.product(), live.version(), target,
                plan, c.stagingName()));
    }

    /**
     * The ledger's record of live after a run that died past its switch: when the newest run that reached its
     * switch did not end PROMOTED, its switch may have committed before it could record the promotion (killed, or
     * the ledger unreachable). Live's own Liquibase history tells: a promotion brings staging's DATABASECHANGELOG
     * along, so when it records every script of the path up to that run's target, live is there, and the ledger is
     * brought up to date from it. Otherwise (the switch did not happen) the record stands. Any other disagreement
     * between the ledger and live's history is refused after this ({@link #refuseHistoryBehind},
     * {@link #refuseHistoryAhead}), and the migration checks it again on staging.
     */
    private LiveRecord reconcile(Connected c, LiveRecord live, String runId, RunListener listener, Set<String> applied) {
        String key = c.server().ledgerKey();
        Optional<RunRecord> switching = c.ledger().history(key, 50).stream()
                .filter(r -> !r.runId().equals(runId))
                .filter(r -> c.ledger().stages(r.runId()).stream().anyMatch(st -> st.stage().equals(Stage.PROMOTE.id())))
                .findFirst();
        if (switching.isEmpty() || "PROMOTED".equals(switching.get().outcome()) || switching.get().toVersion() == null) {
            return live;
        }
        Version target = Version.parse(switching.get().toVersion());
        if (target.compareTo(live.version()) <= 0) {
            return live;
        }
        MigrationPlan path;
        try {
            path = new Planner(c.product()).upgrade(live.version(), target, c.dialect().name());
        } catch (PromoterException e) {
            return live; // no such path in this tree: plan() says what is wrong
        }
        if (path.scripts().isEmpty() || !path.scripts().stream().allMatch(s -> applied.contains(s.changeSetId()))) {
            return live;
        }
        String db = c.server().liveDatabase();
        String dead = switching.get().runId();
        c.ledger().setLive(key, live.product(), target, live.dialect(), "run " + runId + ", from live's history after run "
                + dead + " ended past its switch");
        listener.message("recorded " + db + " at " + live.product() + " " + target + ": run " + dead + " switched it "
                + "there but ended (" + switching.get().outcome() + ") before the ledger recorded it; live's Liquibase "
                + "history shows every script up to " + target);
        return c.ledger().live(key).orElseThrow();
    }

    private String stagingName(RunOptions o, Dialect dialect, DatabaseServer server) {
        if (o.stagingUrl().isEmpty()) {
            return derivedName(server, "_promoter_staging");
        }
        String url = o.stagingUrl().get();
        Dialect stagingDialect = dialects.forUrl(url);
        if (stagingDialect.name() != dialect.name()) {
            throw PromoterException.refused("Cross-dialect upgrade refused: live is " + dialect.name()
                    + " but the staging URL " + ConnectionSpec.redact(url) + " is " + stagingDialect.name()
                    + ". Staging must be a database on live's own server (leave --staging-url out to use one beside live)");
        }
        DatabaseServer stagingServer = dialect.server(o.live().withUrl(url));
        if (!stagingServer.ledger().url().equals(server.ledger().url())) {
            throw PromoterException.refused("The staging URL " + ConnectionSpec.redact(url) + " is not on live's server "
                    + "(" + o.live().redactedUrl() + "): the atomic switch renames databases on one server. Use a "
                    + "database on the same server, or leave --staging-url out");
        }
        if (stagingServer.liveDatabase().equals(server.liveDatabase())) {
            throw PromoterException.badInput("The staging URL names the live database itself; name another database");
        }
        return stagingServer.liveDatabase();
    }

    /**
     * The archive's name: {@code <live>_archive_<time>}, with {@code _2}, {@code _3}... added when a run of the
     * same second already took it (the switch refuses an existing archive rather than overwrite it).
     */
    static String archiveName(DatabaseServer server, java.time.Clock clock) {
        String stamp = "_archive_" + RunIds.stamp(clock);
        String name = derivedName(server, stamp);
        for (int n = 2; server.exists(name) && n < 100; n++) {
            name = derivedName(server, stamp + "_" + n);
        }
        return name;
    }

    /**
     * The databases a run makes on live's server, each name as this run derives it to how a message shows it:
     * staging, the archive (named at the switch, by the time then), verify's scratch databases.
     */
    private java.util.Map<String, String> madeDatabases(DatabaseServer server, String staging, String runId, RunOptions o) {
        java.util.Map<String, String> made = new java.util.LinkedHashMap<>();
        made.put(staging, "`" + staging + "`");
        made.put(derivedName(server, "_archive_" + RunIds.stamp(clock)),
                "the archive `" + derivedName(server, "_archive_<time>") + "`");
        made.put(scratchName(server, "_pf_", runId), "verify's scratch database `" + scratchName(server, "_pf_", runId) + "`");
        if (o.verifyBackup()) {
            made.put(scratchName(server, "_pb_", runId), "--verify-backup's scratch database `"
                    + scratchName(server, "_pb_", runId) + "`");
        }
        return made;
    }

    /** A scratch database of run {@code runId}: {@code kind} {@code _pf_} for the fresh install, {@code _pb_} for the restored backup. */
    static String scratchName(DatabaseServer server, String kind, String runId) {
        return derivedName(server, kind + runId.replace("-", "_"));
    }

    /** {@code base + suffix} on {@code server}: within its name limit, as it counts length. */
    static String derivedName(DatabaseServer server, String suffix) {
        return derivedName(server.liveDatabase(), suffix, server.maxNameLength(), server::nameLength);
    }

    /**
     * {@code base + suffix} when it fits in {@code max} as {@code length} measures it; otherwise {@code base} is
     * cut (at a character) and followed by 6 hex digits of its hash, so that two long names that share a prefix
     * do not derive the same name (two lives would otherwise share a staging database).
     */
    static String derivedName(String base, String suffix, int max, java.util.function.ToIntFunction<String> length) {
        if (length.applyAsInt(base + suffix) <= max) {
            return base + suffix;
        }
        String tag = String.format("_%06x", com.dynatrace.hash4j.hashing.Hashing.xxh3_64().hashCharsToLong(base) & 0xffffff);
        int end = base.length();
        while (end > 1 && length.applyAsInt(base.substring(0, end) + tag + suffix) > max) {
            end = base.offsetByCodePoints(end, -1);
        }
        return base.substring(0, end) + tag + suffix;
    }

    /**
     * Refuses when staging would not fit on the server's disk: the copy fills the file systems live and the
     * server's other databases write to, and a full disk there stops them all, not only the run. Each file system
     * must have the clone's bytes plus a tenth free. A server this machine cannot look at is said, not refused.
     */
    private static void refuseNoRoom(DatabaseServer server, Dialect dialect, RunOptions o, RunListener listener) {
        StagingRoom room = dialect.cloner().stagingRoom(server.live(), o.cloneStrategy());
        List<StagingRoom.Need> needs = new ArrayList<>(room.needs());
        if (room.unchecked() != null) {
            listener.message("free disk for staging not checked: " + room.unchecked());
        }
        // a compressed dump's size is not known before it is written; the clone's own check covers the default format
        if (!o.skipBackup() && !o.dumpBackup() && room.backupBytes() >= 0) {
            needs.add(new StagingRoom.Need(o.backupDir(), room.backupBytes(), "the run's backup"));
        }
        Map<FileStore, List<StagingRoom.Need>> byStore = new LinkedHashMap<>();
        for (StagingRoom.Need need : needs) {
            try {
                byStore.computeIfAbsent(Files.getFileStore(existing(need.folder())), s -> new ArrayList<>()).add(need);
            } catch (IOException e) {
                listener.message("free disk for staging not checked in " + need.folder() + ": " + e);
            }
        }
        List<String> tooSmall = new ArrayList<>();
        List<String> fine = new ArrayList<>();
        boolean backupShort = false;
        for (var e : byStore.entrySet()) {
            long bytes = e.getValue().stream().mapToLong(StagingRoom.Need::bytes).sum();
            long wanted = bytes + bytes / 10;
            long free;
            try {
                free = e.getKey().getUsableSpace();
            } catch (IOException ex) {
                listener.message("free disk for staging not checked on " + e.getKey() + ": " + ex);
                continue;
            }
            String where = e.getValue().stream().map(n -> n.folder() + " (" + n.what() + ", about "
                    + StagingRoom.mb(n.bytes()) + " MB)").collect(java.util.stream.Collectors.joining(", "));
            backupShort |= free < wanted && e.getValue().stream().anyMatch(n -> n.folder().equals(o.backupDir()));
            (free < wanted ? tooSmall : fine).add(where + ": " + StagingRoom.mb(wanted) + " MB with a tenth to spare, "
                    + StagingRoom.mb(free) + " MB free on " + e.getKey());
        }
        if (!tooSmall.isEmpty()) {
            List<String> archives = server.list(server.liveDatabase() + "_archive_");
            throw PromoterException.refused("Not enough free disk on the server for staging: " + String.join("; ", tooSmall)
                    + ". The clone writes there beside live, and a full disk would stop live and every other database "
                    + "of the server, not only this run. Free the space" + (archives.isEmpty() ? ""
                    : " (archives kept by earlier promotions, which `promote archives --drop NAME` drops once no "
                    + "longer needed: " + String.join(", ", archives) + ")") + (backupShort ? ", put the run's backup on "
                    + "another disk (--backup-dir)" : "") + " or give the server more disk, then run again. Nothing was copied");
        }
        fine.forEach(f -> listener.message("room for staging: " + f));
    }

    /** {@code folder}, or its nearest existing parent (a tablespace's folder exists; a log's may not yet). */
    private static Path existing(Path folder) {
        Path p = folder.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? folder : p;
    }

    /** Too many active sessions or a long open transaction on live: refused with the figures and the limit. */
    private static void refuseBusy(DatabaseServer server, Dialect dialect, SessionLimits limits) {
        if (!limits.enabled()) {
            return;
        }
        var sample = dialect.trafficProbe().sample(server.live(), limits.sample());
        List<String> over = new java.util.ArrayList<>();
        if (limits.maxActiveSessions() >= 0 && sample.activeSessions() > limits.maxActiveSessions()) {
            over.add(sample.activeSessions() + " active sessions > --max-active-sessions " + limits.maxActiveSessions());
        }
        if (!limits.maxTransactionAge().isNegative() && sample.longestTransaction().compareTo(limits.maxTransactionAge()) > 0) {
            over.add("a transaction open for " + sample.longestTransaction().toSeconds() + " s > --max-transaction-age "
                    + limits.maxTransactionAge().toSeconds());
        }
        if (!over.isEmpty()) {
            throw PromoterException.refused("Live " + server.liveDatabase() + " is too busy to start: " + String.join("; ", over)
                    + " (" + sample.describe() + "). Run in a quieter window, end the long transaction, or raise the limit");
        }
    }

    /**
     * Live's own Liquibase history, which every install, stamp and promotion writes: it must record every script of
     * the versions up to the one the ledger says live is at. When it does not, the ledger's record does not describe
     * this database (recreated under the same name, or restored from a backup of an older version, as a rollback
     * does), or the SQL tree changed scripts of released versions: either way no run can be planned from the record,
     * and "nothing to do" would be untrue. Refused, naming what is missing and the fix.
     */
    private static void refuseHistoryBehind(Connected c, LiveRecord live, Set<String> history) {
        MigrationPlan chain;
        try {
            chain = new Planner(c.product()).install(live.version(), c.dialect().name());
        } catch (PromoterException e) {
            return; // no chain from nothing in this tree (the dialect came later): the migration's own check decides
        }
        List<String> missing = chain.scripts().stream().map(Script::changeSetId).filter(id -> !history.contains(id)).toList();
        if (missing.isEmpty()) {
            return;
        }
        String db = c.server().liveDatabase();
        String named = fiveNamed(missing);
        if (missing.size() == chain.scripts().size()) {
            throw PromoterException.refused("The ledger records " + db + " at " + live.product() + " " + live.version()
                    + ", but live's own Liquibase history (DATABASECHANGELOG) records none of the " + missing.size()
                    + " script(s) up to that version: this is probably not the database the ledger knew (dropped and "
                    + "created again under the same name, or restored from a dump without that table). Nothing was "
                    + "changed. If it is empty, create the schema with `promote install --to VERSION`; if it holds the "
                    + "product, record its real version with `promote stamp VERSION`");
        }
        throw PromoterException.refused("The ledger records " + db + " at " + live.product() + " " + live.version()
                + ", but live's own Liquibase history (DATABASECHANGELOG) lacks " + missing.size() + " script(s) of the "
                + "versions up to it: " + named + ". Either live is at an older version than recorded (restored from a "
                + "backup taken before an upgrade, say): then record its real version with `promote stamp VERSION`, "
                + "and the next run upgrades it from there; or the SQL tree gained or renamed scripts of versions already "
                + "released: put them back as they were and make new changes a new version. Nothing was changed");
    }

    /**
     * Scripts of the path that live's history records as run already: the ledger is behind live (a run whose switch
     * committed but could not record it, where {@link #reconcile} found no run to explain it, or scripts run by hand).
     * Running them again on staging could fail or double data: refused.
     */
    private static void refuseHistoryAhead(LiveRecord live, MigrationPlan plan, Set<String> history) {
        List<String> ran = plan.scripts().stream().map(Script::changeSetId).filter(history::contains).toList();
        if (ran.isEmpty()) {
            return;
        }
        String named = fiveNamed(ran);
        throw PromoterException.refused("The ledger says live is at " + live.version() + ", but live's own Liquibase "
                + "history (DATABASECHANGELOG) records script(s) of the path as run: " + named + ". Live is probably past "
                + live.version() + " (a run whose switch committed but which could not record it, or scripts run by "
                + "hand). Nothing was changed; do not drop the tables those scripts made. Check live and record its "
                + "real version with `promote stamp VERSION`");
    }

    /** At most five of {@code ids}, then how many more. */
    private static String fiveNamed(List<String> ids) {
        return ids.size() <= 5 ? String.join(", ", ids)
                : String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
    }

    /**
     * The changeset ids live's DATABASECHANGELOG records: empty when live has no such table. A failure to read
     * it otherwise stops the run (a guess here would decide what runs).
     */
    private static Set<String> readHistory(DatabaseServer server) {
        try (java.sql.Connection c = Connections.open(server.live())) {
            return LiquibaseMigrator.history(c);
        } catch (java.sql.SQLException e) {
            throw PromoterException.failed("Unable to read the Liquibase history (DATABASECHANGELOG) of live "
                    + server.liveDatabase() + ": " + Connections.describe(e) + ". Nothing was changed", e);
        }
    }

    /**
     * Tables the path creates that live already has (a service started early and auto-created them). A name the
     * path gives without a schema is the table of that name in live's current schema (where a script's unqualified
     * CREATE TABLE puts it), so {@code auth.users} does not clash with a new {@code users}; names compare in any case.
     */
    private static void refusePrecreated(ConnectionSpec live, Dialect dialect, MigrationPlan plan) {
        Set<String> created = new TreeSet<>();
        plan.versions().forEach(v -> created.addAll(v.checkpoints().newTables()));
        plan.scripts().forEach(s -> created.addAll(createdTables(s.read())));
        record Live(List<TableRef> tables, String schema) {
        }
        Live l = Connections.jdbi(live).withHandle(h -> {
            try {
                return new Live(dialect.introspector().tables(h), h.getConnection().getSchema());
            } catch (java.sql.SQLException e) {
                throw PromoterException.failed("Unable to read live's current schema: " + Connections.describe(e)
                        + ". Nothing was changed", e);
            }
        });
        List<String> clash = l.tables().stream()
                .filter(t -> created.stream().anyMatch(n -> n.equalsIgnoreCase(t.display())
                        || n.equalsIgnoreCase(t.name()) && (t.schema() == null || t.schema().equalsIgnoreCase(l.schema()))))
                .map(TableRef::display).sorted().toList();
        if (!clash.isEmpty()) {
            throw PromoterException.refused("Live already has table(s) " + clash + " that the path "
                    + plan.describe() + " creates: a service of the new version was probably started early and "
                    + "auto-created them, and the migration would fail with \"already exists\". Stop that service, "
                    + "check the tables hold nothing you need, drop them from live (DROP TABLE ...), then re-run");
        }
    }

    /** The tables {@code script} creates, as {@code schema.name} or {@code name}. */
    static List<String> createdTables(String script) {
        List<String> out = new ArrayList<>();
        Matcher m = CREATE_TABLE.matcher(script);
        while (m.find()) {
            String first = identifier(m.group(1), m.group(2));
            String second = identifier(m.group(3), m.group(4));
            out.add(second == null ? first : first + "." + second);
        }
        return out;
    }

    private static String identifier(String quoted, String bare) {
        return quoted != null ? quoted.replace("\"\"", "\"").replace("``", "`") : bare;
    }
}
