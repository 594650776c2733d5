package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.AtomicSwitch;
import dev.promoter.core.spi.DatabaseServer;
import dev.promoter.core.spi.SwitchRequest;
import dev.promoter.core.spi.SwitchResult;
import dev.promoter.core.spi.TableChecksum;
import dev.promoter.core.spi.TableRef;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Makes staging live with ONE {@code RENAME TABLE live.t TO archive.t, staging.t TO live.t, ...} over
 * every table: atomic, so applications see either all old tables or all new ones.
 *
 * <p>Sequence (each hand-over queues the next session's exclusive lock before the previous lock is let go,
 * see {@link MySqlLockStep}): (1) session S takes {@code LOCK TABLES ... WRITE} on live's tables, handed over
 * from the write freeze when one is held; without a freeze, S then proves no write happened by recomputing
 * every table's checksum and comparing it with the snapshot's, and refuses otherwise. (2) S drops live's
 * triggers (a table with triggers cannot move to another database; staging's were dropped beforehand).
 * (3) R queues the RENAME; T queues {@code LOCK TABLES ... WRITE} on the new live tables; S unlocks; the
 * RENAME runs first, then T creates staging's triggers on live before any application write gets in.
 * (4) Views, routines and events are recreated: live gets staging's, archive gets old live's (events
 * disabled). Views and routines resolve tables by name, so for the few milliseconds of step 4 live's old
 * views read the new tables. The blocking window (S's lock to T's unlock) is bounded by the request's
 * timeout, applied as {@code lock_wait_timeout} to every step; when a lock is not granted in time, nothing
 * has been renamed.
 */
final class MySqlAtomicSwitch implements AtomicSwitch {
    @Override
    public SwitchResult switchOver(SwitchRequest request) {
        DatabaseServer server = request.server();
        String live = server.liveDatabase();
        String archive = request.archive();
        if (server.exists(archive)) {
            throw PromoterException.refused("Unable to switch " + live + ": archive database " + archive + " already exists; choose another name");
        }
        if (!server.exists(request.staging())) {
            throw PromoterException.refused("Unable to switch " + live + ": staging database " + request.staging() + " does not exist");
        }
        MySqlWriteFreeze freeze = request.snapshot().freeze() instanceof MySqlWriteFreeze f ? f : null;
        if (freeze != null && !freeze.isHeld()) {
            throw PromoterException.refused("Unable to switch " + live + ": the write freeze taken at the snapshot was lost"
                    + " (its session ended), so live may have taken writes since. Clone again");
        }
        ConnectionSpec liveSpec = MySqlUrl.normalize(server.database(live));
        try (Connection liveC = Connections.open(liveSpec);
             Connection stagingC = Connections.open(MySqlUrl.normalize(server.database(request.staging())))) {
            MySqlObjects old = MySqlObjects.read(liveC);
            MySqlObjects next = MySqlObjects.read(stagingC);
            Set<String> liveTables = names(old.tables());
            Set<String> expected = new TreeSet<>();
            request.snapshot().tables().keySet().forEach(t -> expected.add(t.name()));
            Set<String> plain = new TreeSet<>(liveTables);
            plain.removeIf(MySqlAtomicSwitch::isLiquibase);
            if (!plain.equals(expected)) {
                throw PromoterException.refused("Unable to switch " + live + ": its tables " + plain + " are not the snapshot's "
                        + expected + " (a table was created or dropped since the clone). Clone again");
            }
            server.create(archive);
            try (Statement s = stagingC.createStatement()) {
                for (MySqlObjects.Ddl t : next.triggers()) {
                    s.execute("DROP TRIGGER " + MySqlDialect.quoteName(t.name()));
                }
            }
            long blocked;
            try {
                blocked = swap(liveSpec, liveC, live, request.staging(), archive, old, next, freeze, request);
            } catch (SQLException | RuntimeException e) {
                undoPreparation(server, stagingC, archive, next);
                throw e;
            }
            MySqlSwitchObjects.finish(server, live, request.staging(), archive, old, next);
            return new SwitchResult(archive, blocked, "RENAME TABLE of " + liveTables.size() + " + " + next.tables().size()
                    + " tables; " + (freeze != null ? "write freeze handed over to the switch" : "no write since the snapshot"
                    + " (checksums recomputed under LOCK TABLES WRITE)") + "; triggers recreated before writes resumed");
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to switch " + live + " to " + request.staging() + ": " + Connections.describe(e)
                    + ". Check " + live + ", " + request.staging() + " and " + archive + " (SHOW TABLES in each) before retrying", e);
        }
    }

    private long swap(ConnectionSpec liveSpec, Connection monitor, String live, String staging, String archive,
                      MySqlObjects old, MySqlObjects next, MySqlWriteFreeze freeze, SwitchRequest request) throws SQLException {
        Duration timeout = request.timeout();
        Set<String> liveTables = names(old.tables());
        Set<String> newTables = names(next.tables());
        long t0 = System.nanoTime();
        try (MySqlLockStep s = MySqlLockStep.open(liveSpec, timeout); MySqlLockStep r = MySqlLockStep.open(liveSpec, timeout);
             MySqlLockStep t = MySqlLockStep.open(liveSpec, timeout)) {
            s.start("LOCK TABLES " + liveTables.stream().map(n -> MySqlDialect.quoteName(n) + " WRITE").collect(Collectors.joining(", ")));
            if (freeze != null) {
                if (!s.awaitQueued(monitor, timeout)) {
                    throw new SQLException("the switch's LOCK TABLES was not queued within " + timeout, "HYT00");
                }
                cancelQueuedWrites(monitor, live);
                freeze.release();
            }
            s.await(timeout);
            // Always prove it, freeze or not: a write that was already queued behind the freeze can slip into the old
            // table at the hand-over (MariaDB grants it before the switch's LOCK TABLES WRITE). Refusing then keeps it.
            proveUnchanged(s, live, request);
            for (MySqlObjects.Ddl trg : old.triggers()) {
                s.execute("DROP TRIGGER " + MySqlDialect.quoteName(trg.name()));
            }
            List<String> renames = new ArrayList<>();
            liveTables.forEach(n -> renames.add(q(live, n) + " TO " + q(archive, n)));
            newTables.forEach(n -> renames.add(q(staging, n) + " TO " + q(live, n)));
            r.start("RENAME TABLE " + String.join(", ", renames));
            r.awaitQueued(monitor, timeout);
            Set<String> guarded = new TreeSet<>(newTables);
            guarded.retainAll(liveTables);
            if (!next.triggers().isEmpty() && !guarded.isEmpty()) {
                t.start("LOCK TABLES " + guarded.stream().map(n -> MySqlDialect.quoteName(n) + " WRITE").collect(Collectors.joining(", ")));
                t.awaitQueued(monitor, timeout);
            }
            // the RENAME is queued: cancel writes still queued ahead of it, so none runs on the old tables in between
            cancelQueuedWrites(monitor, live);
            s.execute("UNLOCK TABLES");
            try {
                r.await(timeout);
            } catch (SQLException e) {
                recreate(monitor, old.triggers());
                throw e;
            }
            List<MySqlObjects.Ddl> later = new ArrayList<>(next.triggers());
            if (!next.triggers().isEmpty() && !guarded.isEmpty()) {
                t.await(timeout);
                boolean renamed = MySqlObjects.rows(t.session(), "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
                        archive).get(0)[0].equals(Integer.toString(liveTables.size()));
                if (renamed) {
                    try (Statement ts = t.session().createStatement()) {
                        for (MySqlObjects.Ddl trg : next.triggers()) {
                            if (guarded.contains(trg.table())) {
                                MySqlObjects.run(ts, trg);
                                later.remove(trg);
                            }
                        }
                    }
                }
                t.execute("UNLOCK TABLES");
            }
            recreate(monitor, later);
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    /** Nothing was renamed: give staging its triggers back and drop the empty archive. */
    private static void undoPreparation(DatabaseServer server, Connection stagingC, String archive, MySqlObjects next) {
        try {
            if (MySqlSwitchObjects.tableCount(server, archive) == 0) {
                recreate(stagingC, next.triggers());
                server.drop(archive);
            }
        } catch (SQLException | RuntimeException ignored) {
            // the original failure is the one to report
        }
    }

    /**
     * Statements queued behind the freeze on live would run against the old tables the moment it is released:
     * cancel them (they fail uncommitted, and the application's retry lands in the new live). Promoter's own
     * queued LOCK TABLES / RENAME statements are left alone.
     */
    private static void cancelQueuedWrites(Connection monitor, String live) throws SQLException {
        List<String[]> waiting = MySqlObjects.rows(monitor, "SELECT ID FROM information_schema.PROCESSLIST WHERE"
                + " COMMAND = 'Query' AND STATE LIKE 'Waiting for table%' AND ID <> CONNECTION_ID()"
                + " AND (DB = ? OR INFO LIKE CONCAT('%', ?, '%'))"
                + " AND INFO NOT LIKE 'LOCK TABLES%' AND INFO NOT LIKE 'RENAME TABLE%'", live, live);
        try (Statement k = monitor.createStatement()) {
            for (String[] row : waiting) {
                try {
                    k.execute("KILL QUERY " + Long.parseLong(row[0]));
                } catch (SQLException gone) {
                    // the statement ended on its own
                }
            }
        }
    }

    /** Every live table must still have the snapshot's checksum (S holds the write locks). */
    private static void proveUnchanged(MySqlLockStep s, String live, SwitchRequest request) throws SQLException {
        List<String> changed = new ArrayList<>();
        for (var e : request.snapshot().tables().entrySet()) {
            TableRef t = e.getKey();
            List<String> cols = MySqlObjects.rows(s.session(), "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE"
                    + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", t.name()).stream().map(r -> r[0]).toList();
            String[] r = MySqlObjects.rows(s.session(), MySqlIntrospector.checksumSql(cols, t.name())).get(0);
            TableChecksum now = TableChecksum.of(Long.parseLong(r[0]), r[1] == null ? null : new java.math.BigInteger(r[1]));
            if (!now.equals(e.getValue())) {
                changed.add(t.name() + " (snapshot " + e.getValue().text() + ", now " + now.text() + ")");
            }
        }
        if (!changed.isEmpty()) {
            s.execute("UNLOCK TABLES");
            throw PromoterException.refused("Refusing to switch " + live + ": it took writes since the snapshot in " + changed
                    + "; they are not in staging. Run again with the write freeze (or clone again)");
        }
    }

    private static void recreate(Connection c, List<MySqlObjects.Ddl> ddl) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (MySqlObjects.Ddl d : ddl) {
                MySqlObjects.run(s, d);
            }
        }
    }

    private static Set<String> names(List<MySqlObjects.Ddl> tables) {
        return tables.stream().map(MySqlObjects.Ddl::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean isLiquibase(String table) {
        return MySqlIntrospector.LIQUIBASE_TABLES.contains(table.toUpperCase(Locale.ROOT));
    }

    private static String q(String db, String table) {
        return MySqlDialect.quoteName(db) + "." + MySqlDialect.quoteName(table);
    }
}
