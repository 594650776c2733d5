package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.CloneRequest;
import dev.promoter.core.spi.Cloner;
import dev.promoter.core.spi.ProgressListener;
import dev.promoter.core.spi.Snapshot;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;
import dev.promoter.core.spi.WriteFreeze;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Clones live into staging from ONE consistent view shared by all parallel workers.
 *
 * <p>Why it is consistent: a coordinator session takes {@code FLUSH TABLES WITH READ LOCK}, after which no
 * transaction can commit anywhere on the server. While it is held, each of the N worker sessions runs
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} (REPEATABLE READ): their InnoDB read views are all
 * created with the same set of committed transactions, so together they see one state of live, the one
 * the binlog position/GTID read under the same lock describes. Object DDL is read by SHOW CREATE under
 * the lock too (no DDL can run), and the write freeze, when asked for, is taken before the lock is
 * dropped. The lock is then released (its window is reported, typically milliseconds); the workers keep
 * reading their snapshot while live takes writes. The global lock waits at most the request's lock
 * timeout (lock_wait_timeout): a long-running query on live makes the clone fail rather than stall writes.
 *
 * <p>Rows are streamed through the tool (never {@code INSERT ... SELECT} across databases, which under
 * REPEATABLE READ locks live's rows instead of reading the snapshot); per-table count and checksum come from
 * the same SELECT as the rows (a hash per row, summed in the tool; {@link MySqlTableScan} says which bytes and
 * how the worker sessions are set up for them). Tables are created first (their SHOW
 * CREATE carries AUTO_INCREMENT, charsets and indexes, less the secondary keys that
 * {@link MySqlDeferredIndexes} builds right after each table's load), then data, then views, routines,
 * triggers (so they do not fire during the copy) and events.
 */
final class MySqlCloner implements Cloner {
    private final MySqlTableCopier.Path forcedPath;

    MySqlCloner() {
        this(null);
    }

    /** Staging's tables go to the server's data directory ({@link MySqlStagingRoom}). */
    @Override
    public dev.promoter.core.spi.StagingRoom stagingRoom(ConnectionSpec live, dev.promoter.core.spi.CloneStrategy strategy) {
        return MySqlStagingRoom.of(live);
    }

    /** What the login lacks for a run, read from its own grants ({@link MySqlPrivileges}). */
    @Override
    public void refuseMissingPrivileges(ConnectionSpec live, java.util.Map<String, String> made,
                                        dev.promoter.core.spi.CloneStrategy strategy, boolean freezeWrites) {
        String db = MySqlUrl.parse(live.url()).database();
        try (Connection c = Connections.open(MySqlUrl.normalize(live))) {
            MySqlPrivileges.refuseMissing(c, db, made, freezeWrites);
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read the privileges of the login on " + live.redactedUrl() + ": "
                    + Connections.describe(e), e);
        }
    }

    /**
     * Refuses, before anything is copied, while the server holds transactions that have no session (prepared XA
     * transactions, which survive their client, or transactions being rolled back after a crash). They keep their row
     * locks but no metadata lock: the write freeze does not see them, their writes are in no snapshot, a later
     * {@code XA COMMIT} would land in tables the switch has made the archive, and the switch's RENAME would wait on
     * their locks inside InnoDB. InnoDB does not say which database such a transaction touched, so any one refuses.
     */
    @Override
    public void refuseUnsupported(ConnectionSpec live, dev.promoter.core.spi.CloneStrategy strategy) {
        try (Connection c = Connections.open(MySqlUrl.normalize(live))) {
            refuseForeignReferences(c, MySqlUrl.parse(live.url()).database());
            refuseForeignDefiners(c, MySqlUrl.parse(live.url()).database(), live);
            List<String[]> orphans = MySqlObjects.rows(c, "SELECT trx_id, trx_state, trx_started, trx_rows_modified"
                    + " FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = 0 ORDER BY trx_started");
            if (orphans.isEmpty()) {
                return;
            }
            String xids;
            try {
                xids = MySqlObjects.rows(c, "XA RECOVER").stream().map(r -> "'" + r[3] + "'").toList().toString();
            } catch (SQLException e) {
                xids = "(XA RECOVER: " + Connections.describe(e) + ")";
            }
            List<String> described = orphans.stream().map(r -> "InnoDB transaction " + r[0] + " " + r[1] + " since " + r[2]
                    + ", " + r[3] + " row(s) changed").toList();
            throw PromoterException.refused("The server of " + MySqlUrl.parse(live.url()).database() + " holds "
                    + orphans.size() + " transaction(s) with no session: " + described + "; prepared XA transactions: "
                    + xids + ". Their writes are in no snapshot, and an XA COMMIT after the switch would land in the"
                    + " archive. Let their transaction manager resolve them (or run XA COMMIT / XA ROLLBACK 'xid'), then"
                    + " run again");
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to check " + live.redactedUrl() + " before the clone (transactions with no"
                    + " session, foreign keys from other databases, definers): " + Connections.describe(e), e);
        }
    }

    /**
     * Refuses foreign keys of other databases' tables that reference live's: InnoDB keeps a foreign key on the table it
     * references through RENAME TABLE, so after the switch they would reference the archive, and the new live's rows
     * would no longer be checked or cascaded to. (Live's own keys to other databases are carried as they are.)
     */
    private static void refuseForeignReferences(Connection c, String db) throws SQLException {
        List<String[]> inbound = MySqlObjects.rows(c, "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME"
                + " FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND CONSTRAINT_SCHEMA <> ?"
                + " ORDER BY 1, 2, 3", db, db);
        if (!inbound.isEmpty()) {
            List<String> named = inbound.stream().map(r -> MySqlDialect.quoteName(r[0]) + "." + MySqlDialect.quoteName(r[1])
                    + " (" + r[2] + ") -> " + r[3]).toList();
            throw PromoterException.refused("Tables of other databases reference live " + db + " with foreign keys: " + named
                    + ". A foreign key follows the table it references through RENAME TABLE, so after the switch they would"
                    + " reference the archive and no longer check or cascade against the new live. Drop them (ALTER TABLE"
                    + " ... DROP FOREIGN KEY), promote, then create them again against the new live");
        }
    }

    /** MySQL's and MariaDB's ER_SPECIFIC_ACCESS_DENIED_ERROR ("you need (at least one of) the SUPER ... privilege"). */
    private static final int NEEDS_PRIVILEGE = 1227;

    /**
     * Views, triggers, routines and events keep their DEFINER: the clone creates them in staging, and the switch in
     * live and the archive, with the same one, which needs SET USER (MariaDB; MySQL 8: SET_USER_ID) or SUPER when it is
     * not the login itself. Found out here, before anything is copied, by creating a throwaway view with each such
     * definer in the ledger database, which tries the privilege exactly as the server grants it (roles included).
     */
    private static void refuseForeignDefiners(Connection c, String db, ConnectionSpec live) throws SQLException {
        String me = MySqlObjects.rows(c, "SELECT CURRENT_USER()").get(0)[0];
        java.util.Map<String, List<String>> byDefiner = new java.util.TreeMap<>();
        for (String[] r : MySqlObjects.rows(c, "SELECT 'view', TABLE_NAME, DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"
                + " UNION ALL SELECT 'trigger', TRIGGER_NAME, DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
                + " UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
                + " UNION ALL SELECT 'event', EVENT_NAME, DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?",
                db, db, db, db)) {
            if (r[2] != null && !r[2].equals(me) && r[2].lastIndexOf('@') > 0) {
                byDefiner.computeIfAbsent(r[2], d -> new ArrayList<>()).add(r[1] + " (" + r[0] + ")");
            }
        }
        if (byDefiner.isEmpty()) {
            return;
        }
        List<String> refused = new ArrayList<>();
        String probe = MySqlDialect.quoteName(MySqlServer.LEDGER) + "." + MySqlDialect.quoteName("promoter_definer_probe_"
                + Long.toHexString(System.nanoTime()));
        try (Connection ledger = Connections.open(MySqlUrl.normalize(new MySqlServer(live).ledger()));
             Statement s = ledger.createStatement()) {
            for (var e : byDefiner.entrySet()) {
                String d = e.getKey();
                try {
                    s.execute("CREATE DEFINER = " + MySqlServer.account(d) + " VIEW " + probe + " AS SELECT 1 AS one");
                    s.execute("DROP VIEW " + probe);
                } catch (SQLException x) {
                    if (x.getErrorCode() != NEEDS_PRIVILEGE) {
                        throw x;
                    }
                    refused.add(e.getValue() + " defined by " + d);
                }
            }
        }
        if (!refused.isEmpty()) {
            throw PromoterException.refused("Live " + db + " has objects defined by other users: " + String.join("; ", refused)
                    + ". The clone and the switch recreate them with the same DEFINER, which the login " + me + " may not"
                    + " do. Grant it the privilege (MariaDB: GRANT SET USER ON *.* TO " + MySqlServer.account(me) + "; MySQL 8:"
                    + " GRANT SET_USER_ID ON *.* TO " + MySqlServer.account(me) + "), or run as a login that has it. Nothing was copied");
        }
    }

    /** The online clone writes the run's backup from the rows it copies ({@link MySqlCopyBackup}): live is read once. */
    @Override
    public boolean writesBackup(dev.promoter.core.spi.CloneStrategy strategy) {
        return strategy == dev.promoter.core.spi.CloneStrategy.ONLINE;
    }

    /** Completes a switch that a dead run left part way ({@link MySqlSwitchJournal}); MySQL's write freeze ends with its sessions. */
    @Override
    public String liftLeftovers(dev.promoter.core.spi.DatabaseServer server, java.time.Duration timeout) {
        return MySqlSwitchJournal.complete(server);
    }

    /** A switch a dead run left part way, from its journal (the write freeze ends with the sessions that hold it). */
    @Override
    public List<String> leftovers(dev.promoter.core.spi.DatabaseServer server) {
        try {
            return MySqlSwitchJournal.read(server).map(e -> List.of("a switch left part way: the journal in "
                    + MySqlServer.LEDGER + " records the switch of " + e.live() + " with staging " + e.staging()
                    + " and archive " + e.archive() + "; live's triggers and events may be parked until it is completed"))
                    .orElse(List.of());
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to read the switch journal of " + server.liveDatabase() + ": "
                    + Connections.describe(e), e);
        }
    }

    /** {@code forcedPath} non-null forces the bulk path (tests of the INSERT fallback). */
    MySqlCloner(MySqlTableCopier.Path forcedPath) {
        this.forcedPath = forcedPath;
    }

    private record Taken(Instant at, MySqlObjects objects, String position, long lockMillis, MySqlWriteFreeze freeze) {
    }

    @Override
    public Snapshot cloneDatabase(CloneRequest request, ProgressListener progress) {
        if (request.strategy() != dev.promoter.core.spi.CloneStrategy.ONLINE) {
            throw request.strategy().unsupportedBy(dev.promoter.core.spi.DialectName.MYSQL);
        }
        ConnectionSpec live = MySqlUrl.normalize(request.live());
        ConnectionSpec staging = MySqlUrl.normalize(request.staging());
        List<Connection> open = new ArrayList<>();
        MySqlWriteFreeze freeze = null;
        try {
            List<Connection> workers = new ArrayList<>();
            for (int i = 0; i < request.parallelism(); i++) {
                workers.add(session(readerSpec(live), open, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                        MySqlTableScan.SESSION, "SET SESSION net_write_timeout = 3600"));
            }
            // DDL is read in UTC (MySqlTableScan.SESSION): TIMESTAMP defaults must be created in UTC too
            Connection target = session(loaderSpec(staging), open, "SET SESSION time_zone = '+00:00'");
            if (!MySqlObjects.rows(target, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").isEmpty()) {
                throw PromoterException.refused("Staging database " + staging + " is not empty; Promoter clones into an "
                        + "empty database only. Drop and recreate it");
            }
            Taken taken = takeSnapshot(live, open, workers, request);
            freeze = taken.freeze();
            progress.message("Snapshot of " + live + " taken at " + taken.position() + "; global read lock held "
                    + taken.lockMillis() + " ms");
            Map<String, String> indexesAfter = new java.util.HashMap<>();
            MySqlObjects.createTables(target, MySqlDeferredIndexes.splitAll(taken.objects().tables(), indexesAfter));
            MySqlCopyBackup backup = request.backup() == null ? null
                    : MySqlCopyBackup.start(request.backup(), taken.objects(), workers.get(0));
            Map<TableRef, TableChecksum> sums = copyAll(staging, open, workers, target, taken.objects(), indexesAfter,
                    backup, progress);
            if (backup != null) {
                backup.finish();
            }
            for (Connection w : workers) {
                try (Statement ws = w.createStatement()) {
                    ws.execute("COMMIT");
                }
            }
            MySqlObjects.createCode(target, taken.objects());
            String watermark = taken.position() + ";digest=" + MySqlWatermark.digest(sums) + ";schema="
                    + MySqlWatermark.schema(taken.objects());
            return Snapshot.of(taken.at(), watermark, sums, freeze == null ? WriteFreeze.NONE : freeze);
        } catch (SQLException | IOException | RuntimeException e) {
            if (freeze != null) {
                freeze.release();
            }
            if (e instanceof PromoterException p) {
                throw p;
            }
            throw PromoterException.failed("Unable to clone " + live + " into " + staging + ": "
                    + (e instanceof SQLException s ? Connections.describe(s) : String.valueOf(e.getMessage()))
                    + ". Live is unchanged; drop the staging database and run again", e);
        } finally {
            for (Connection c : open) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing ends the session and its transaction
                }
            }
        }
    }

    private Taken takeSnapshot(ConnectionSpec live, List<Connection> open, List<Connection> workers, CloneRequest request)
            throws SQLException {
        long seconds = Math.max(1, request.lockTimeout().toSeconds());
        Connection coordinator = session(live, open, "SET SESSION lock_wait_timeout = " + seconds);
        if (request.freezeWrites()) {
            return frozenSnapshot(live, coordinator, workers, seconds);
        }
        try (Statement s = coordinator.createStatement()) {
            s.execute("FLUSH TABLES WITH READ LOCK");
            long t0 = System.nanoTime();
            Taken taken;
            try {
                for (Connection w : workers) {
                    try (Statement ws = w.createStatement()) {
                        ws.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                    }
                }
                Instant at = Instant.now();
                String position = MySqlWatermark.position(coordinator);
                MySqlObjects objects = MySqlObjects.read(workers.get(0));
                taken = new Taken(at, objects, position, 0, null);
            } finally {
                s.execute("UNLOCK TABLES");
            }
            return new Taken(taken.at(), taken.objects(), taken.position(), (System.nanoTime() - t0) / 1_000_000, null);
        }
    }

    /**
     * With a write freeze the freeze itself synchronises the workers: {@code LOCK TABLES ... READ} on every live
     * table is granted only once no transaction holds a write on them, and no write can start while it is held,
     * so snapshot transactions started under it all see the same committed state. (Taking the freeze under
     * FLUSH TABLES WITH READ LOCK instead would deadlock with a waiting writer: the writer's queued write lock
     * waits for the global lock, and the freeze's read lock queues behind the writer.)
     */
    private Taken frozenSnapshot(ConnectionSpec live, Connection coordinator, List<Connection> workers, long seconds)
            throws SQLException {
        MySqlWriteFreeze freeze = null;
        try {
            List<String> tables = MySqlObjects.rows(coordinator, "SELECT TABLE_NAME FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'").stream()
                    .map(r -> String.valueOf(r[0])).toList();
            long t0 = System.nanoTime();
            // besides one session per table: the workers and the loader now, the switch's few sessions later
            freeze = MySqlWriteFreeze.take(live, MySqlUrl.parse(live.url()).database(), tables, seconds, workers.size() + 6);
            for (Connection w : workers) {
                try (Statement ws = w.createStatement()) {
                    ws.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
                }
            }
            Instant at = Instant.now();
            String position = MySqlWatermark.position(coordinator);
            MySqlObjects objects = MySqlObjects.read(workers.get(0));
            List<String> seen = objects.tables().stream().map(MySqlObjects.Ddl::name).toList();
            if (!new java.util.HashSet<>(tables).containsAll(seen)) {
                throw PromoterException.refused("A table was created in " + live + " while the snapshot was taken ("
                        + seen + " vs " + tables + "); run again");
            }
            return new Taken(at, objects, position, (System.nanoTime() - t0) / 1_000_000, freeze);
        } catch (SQLException | RuntimeException e) {
            if (freeze != null) {
                freeze.release();
            }
            throw e;
        }
    }

    private Map<TableRef, TableChecksum> copyAll(ConnectionSpec staging, List<Connection> open, List<Connection> workers,
                                                 Connection probe, MySqlObjects objects, Map<String, String> indexesAfter,
                                                 MySqlCopyBackup backup, ProgressListener progress)
            throws SQLException {
        MySqlTableCopier.Path path = forcedPath != null ? forcedPath
                : "1".equals(MySqlObjects.rows(probe, "SELECT @@GLOBAL.local_infile + 0").get(0)[0])
                ? MySqlTableCopier.Path.LOAD_DATA : MySqlTableCopier.Path.INSERT;
        if (backup != null && path == MySqlTableCopier.Path.INSERT && forcedPath == null) {
            progress.message("The server has local_infile=OFF, so rows are copied by INSERT; the backup is still written"
                    + " as LOAD DATA files, and restoring it will need SET GLOBAL local_infile = ON for the restore"
                    + " (or take the run's backup with --backup-format dump)");
        }
        Queue<TableRef> queue = new ConcurrentLinkedQueue<>();
        // Liquibase's history is copied too (the migration on staging must see what live already ran), but it is
        // not product data: it stays out of the snapshot's checksums.
        // largest first, so that no worker is left copying a big table alone at the end
        Map<String, Long> sizes = new java.util.HashMap<>();
        Map<String, Long> estimatedRows = new java.util.HashMap<>();
        for (String[] r : MySqlObjects.rows(workers.get(0), "SELECT TABLE_NAME, COALESCE(DATA_LENGTH, 0), COALESCE(TABLE_ROWS, -1)"
                + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
            sizes.put(r[0], Long.parseLong(r[1]));
            estimatedRows.put(r[0], Long.parseLong(r[2]));
        }
        objects.tables().stream().map(t -> new TableRef(null, t.name()))
                .sorted(java.util.Comparator.comparingLong((TableRef t) -> -sizes.getOrDefault(t.name(), 0L)))
                .forEach(queue::add);
        Map<TableRef, TableChecksum> sums = new ConcurrentHashMap<>();
        List<Connection> targets = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            targets.add(session(loaderSpec(staging), open, LOADER_SESSION.toArray(String[]::new)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers.size(), r -> new Thread(r, "promoter-mysql-copy"));
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < workers.size(); i++) {
                Connection source = workers.get(i);
                Connection target = targets.get(i);
                futures.add(pool.submit(() -> {
                    for (TableRef t = queue.poll(); t != null; t = queue.poll()) {
                        progress.tableStarted(t, estimatedRows.getOrDefault(t.name(), -1L));
                        MySqlTableCopier.Copied done = MySqlTableCopier.copy(source, target, t, path, progress, backup);
                        if (!MySqlIntrospector.LIQUIBASE_TABLES.contains(t.name().toUpperCase(java.util.Locale.ROOT))) {
                            sums.put(t, done.checksum());
                        }
                        String alter = indexesAfter.get(t.name());
                        if (alter != null) {
                            try (Statement st = target.createStatement()) {
                                st.execute(alter);
                            }
                        }
                        progress.tableFinished(t, done.rows(), done.bytes());
                    }
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    queue.clear();
                    if (e.getCause() instanceof SQLException s) {
                        throw s;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return sums;
    }

    /**
     * Text arrives as utf8mb4 whatever the column's charset, matching LOAD DATA's CHARACTER SET utf8mb4
     * ({@link MySqlTableScan#SESSION} sets the same again; the parameter tells the driver).
     */
    static ConnectionSpec readerSpec(ConnectionSpec live) {
        return live.withUrl(MySqlUrl.parse(live.url()).withParam("characterSetResults", "utf8mb4").text());
    }

    /** How a session that loads rows is set up (the clone's loaders, a restore of the clone's backup). */
    static final List<String> LOADER_SESSION = List.of("SET SESSION foreign_key_checks = 0", "SET SESSION unique_checks = 0",
            "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'", "SET SESSION time_zone = '+00:00'");

    static ConnectionSpec loaderSpec(ConnectionSpec staging) {
        return staging.withUrl(MySqlUrl.parse(staging.url()).withParam("allowLoadLocalInfile", "true")
                .withParam("rewriteBatchedStatements", "true").text());
    }

    /** Opens a session, runs {@code setup}, and registers it for closing. */
    static Connection session(ConnectionSpec spec, List<Connection> open, String... setup) throws SQLException {
        Connection c = Connections.open(spec);
        open.add(c);
        try (Statement s = c.createStatement()) {
            for (String sql : setup) {
                s.execute(sql);
            }
        }
        return c;
    }
}
