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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Makes staging live with ONE {@code RENAME TABLE live.t TO archive.t, staging.t TO live.t, ...} over
 * every table: atomic, so applications see either all old tables or all new ones.
 *
 * <p>The hand-over of the write lock, table by table. A statement takes its metadata locks one table at a
 * time, in a fixed order, so a RENAME queued behind a lock on all of live's tables is waiting for the first
 * one only: the moment that lock is let go, a write queued on any other table is granted before the RENAME
 * asks for it, and commits into a table that becomes the archive (a lost write, reproduced on MariaDB 10.11).
 * So the switch holds each live table with its own session ({@code LOCK TABLES t READ}: reads go on, writes
 * wait) and lets go of a table only once the RENAME is seen waiting for that very table; MySQL and MariaDB
 * grant a waiting exclusive lock before waiting writes, so every write queued on it runs after the rename,
 * in the new live. "The RENAME waits for t" is observed with a probe that may not wait
 * ({@code SELECT ... FROM t} with {@code lock_wait_timeout = 0}): under a READ lock a plain read is refused
 * only when an exclusive request is queued on t, and the switch refuses when a session other than its own
 * queues DDL or {@code LOCK TABLES} on live meanwhile.
 *
 * <p>Sequence: (1) a READ-lock session per live table; with a write freeze these are granted at once and the
 * freeze is then released (nothing could write in between: every table stays read-locked); without one, every
 * table's checksum is recomputed under the locks and must equal the snapshot's. (2) The RENAME is queued:
 * old tables with triggers (which MariaDB will not move to another database) are renamed inside live to a
 * {@code ~promoter-N} name, the others straight into the archive. (3) Table by table, in the order the
 * RENAME asks for them, the table's session lets go; when staging's table of that name has triggers, a
 * {@code LOCK TABLES t WRITE} is queued behind the RENAME first, so the triggers are created on the new
 * table before any application write. (4) The {@code ~promoter-N} tables move to the archive, and views,
 * routines and events are recreated: live gets staging's, archive gets old live's (events disabled). The
 * blocking window (first lock to the last trigger created) is bounded by the request's timeout, applied as
 * {@code lock_wait_timeout}; when it runs out before the RENAME ran, nothing has been renamed.
 *
 * <p>Cost: one session per live table during the switch; when the server has fewer free connections, the
 * switch refuses before taking any lock and names the setting to raise.
 *
 * <p>Before it changes anything the switch writes what it is about to do to a journal in the ledger database
 * ({@link MySqlSwitchJournal}); a run killed between the RENAME and the last object created leaves the journal,
 * and the next run completes the switch from it.
 */
final class MySqlAtomicSwitch implements AtomicSwitch {
    private final Consumer<String> step;

    MySqlAtomicSwitch() {
        this(done -> { });
    }

    /** {@code step} hears each point the switch passes ("staging's triggers dropped", "renamed", ...): tests stop a switch there. */
    MySqlAtomicSwitch(Consumer<String> step) {
        this.step = step;
    }

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
            refuseSchemaChanges(live, request, old);
            Map<String, String> parked = hiddenNames(old, liveTables, names(next.tables()));
            server.create(archive);
            try {
                MySqlSwitchJournal.write(server, MySqlSwitchJournal.Entry.of(live, request.staging(), archive, parked, old, next));
            } catch (SQLException e) {
                server.drop(archive);
                throw PromoterException.failed("Unable to switch " + live + ": the switch journal could not be written to "
                        + MySqlServer.LEDGER + "." + MySqlSwitchJournal.TABLE + " (" + Connections.describe(e) + "). Nothing"
                        + " was changed; check that the login may create tables in " + MySqlServer.LEDGER, e);
            }
            try (Statement s = stagingC.createStatement()) {
                for (MySqlObjects.Ddl t : next.triggers()) {
                    s.execute("DROP TRIGGER " + MySqlDialect.quoteName(t.name()));
                }
            }
            step.accept("staging's triggers dropped");
            long blocked;
            boolean[] renameMayRun = {false};
            try {
                blocked = swap(liveSpec, liveC, live, request.staging(), archive, old, next, parked, freeze, request, renameMayRun);
            } catch (SQLException | RuntimeException e) {
                if (renameMayRun[0]) {
                    throw PromoterException.failed("Unable to switch " + live + ": " + (e instanceof SQLException x
                            ? Connections.describe(x) : e.getMessage()) + ". Its RENAME TABLE did not stop when asked and may"
                            + " still run on the server (SHOW PROCESSLIST): nothing is undone and nothing may be dropped"
                            + " by hand. Once it has ended, the next `promote` run completes the switch from its journal ("
                            + MySqlServer.LEDGER + "." + MySqlSwitchJournal.TABLE + ") or undoes it", e);
                }
                undoPreparation(server, stagingC, live, request.staging(), archive, next);
                throw e;
            }
            MySqlSwitchObjects.finish(server, live, request.staging(), archive, old, next, step);
            MySqlSwitchJournal.clear(server, live);
            return new SwitchResult(archive, blocked, "RENAME TABLE of " + liveTables.size() + " + " + next.tables().size()
                    + " tables; " + (freeze != null ? "write freeze handed over table by table" : "no write since the snapshot"
                    + " (checksums recomputed under LOCK TABLES READ)") + "; triggers recreated before writes resumed");
        } catch (SQLException e) {
            throw PromoterException.failed("Unable to switch " + live + " to " + request.staging() + ": " + Connections.describe(e)
                    + ". If its RENAME ran, the next `promote` run completes the switch from its journal ("
                    + MySqlServer.LEDGER + "." + MySqlSwitchJournal.TABLE + "); otherwise nothing was changed", e);
        }
    }

    private long swap(ConnectionSpec liveSpec, Connection monitor, String live, String staging, String archive,
                      MySqlObjects old, MySqlObjects next, Map<String, String> hidden, MySqlWriteFreeze freeze,
                      SwitchRequest request, boolean[] renameMayRun) throws SQLException {
        Duration timeout = request.timeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> liveTables = names(old.tables());
        Set<String> newTables = names(next.tables());
        Set<String> guarded = next.triggers().stream().map(MySqlObjects.Ddl::table).filter(liveTables::contains)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, MySqlLockStep> guards = new TreeMap<>();
        MySqlLockStep r = null;
        MySqlWriteFreeze holders = null;
        boolean renamed = false;
        try (Connection probe = Connections.open(liveSpec)) {
            probeWithoutWaiting(probe);
            r = MySqlLockStep.open(liveSpec, timeout);
            long t0 = System.nanoTime();
            if (freeze != null) {
                if (!freeze.tables().containsAll(liveTables)) {
                    Set<String> missing = new TreeSet<>(liveTables);
                    missing.removeAll(freeze.tables());
                    throw PromoterException.refused("Unable to switch " + live + ": tables " + missing + " are not under the"
                            + " write freeze (created since the snapshot?). Clone again");
                }
                holders = freeze;
            } else {
                holders = MySqlWriteFreeze.take(liveSpec, live, List.copyOf(liveTables), Math.max(1, timeout.toSeconds()),
                        guarded.size() + 4);
                proveUnchanged(monitor, live, request);
            }
            if (!holders.isHeld()) {
                throw PromoterException.refused("Unable to switch " + live + ": the write freeze taken at the snapshot was lost"
                        + " (one of its sessions ended), so live may have taken writes since. Clone again");
            }
            List<String> renames = new ArrayList<>();
            liveTables.forEach(n -> renames.add(q(live, n) + " TO " + (hidden.containsKey(n) ? q(live, hidden.get(n)) : q(archive, n))));
            newTables.forEach(n -> renames.add(q(staging, n) + " TO " + q(live, n)));
            r.start("RENAME TABLE " + String.join(", ", renames));
            Set<String> held = new TreeSet<>(liveTables);
            List<Long> ours = new ArrayList<>(List.of(r.id()));
            ours.addAll(holders.connectionIds());
            while (!held.isEmpty() && !r.isDone()) {
                String at = null;
                for (String t : held) {
                    if (!readableNow(probe, t)) {
                        at = t;
                        break;
                    }
                }
                if (at == null) {
                    if (System.nanoTime() > deadline) {
                        throw new SQLException("the RENAME did not queue for the next table within " + timeout, "HYT00");
                    }
                    pause();
                    continue;
                }
                refuseForeignLocks(monitor, live, ours);
                if (guarded.contains(at)) {
                    MySqlLockStep g = MySqlLockStep.open(liveSpec, timeout);
                    guards.put(at, g);
                    ours.add(g.id());
                    g.start("LOCK TABLES " + MySqlDialect.quoteName(at) + " WRITE");
                    if (!g.awaitQueued(monitor, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                        throw new SQLException("the trigger guard on " + at + " was not queued within " + timeout, "HYT00");
                    }
                }
                holders.releaseTable(at);
                held.remove(at);
            }
            r.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            renamed = true;
            step.accept("renamed");
            try (Statement s = monitor.createStatement()) {
                // trigger names are unique per database: old live's (now on the ~promoter-N tables) go before staging's come
                for (MySqlObjects.Ddl trg : old.triggers()) {
                    s.execute("DROP TRIGGER " + q(live, trg.name()));
                }
            }
            List<MySqlObjects.Ddl> later = new ArrayList<>(next.triggers());
            for (var g : guards.entrySet()) {
                g.getValue().await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                try (Statement ts = g.getValue().session().createStatement()) {
                    for (MySqlObjects.Ddl trg : next.triggers()) {
                        if (trg.table().equals(g.getKey())) {
                            MySqlObjects.run(ts, trg);
                            later.remove(trg);
                        }
                    }
                }
                g.getValue().execute("UNLOCK TABLES");
            }
            long blocked = (System.nanoTime() - t0) / 1_000_000;
            step.accept("guarded triggers created");
            recreate(monitor, later);
            moveToArchive(monitor, live, archive, hidden);
            step.accept("parked tables archived");
            return blocked;
        } finally {
            if (!renamed && r != null && !r.abort(monitor)) {
                renameMayRun[0] = true;
            }
            for (MySqlLockStep g : guards.values()) {
                g.abort(monitor);
                g.close();
            }
            if (r != null) {
                r.close();
            }
            if (holders != null) {
                holders.release();
            }
        }
    }

    /** Old tables with triggers get a name inside live for the RENAME ({@code ~promoter-N}, unused by either side). */
    private static Map<String, String> hiddenNames(MySqlObjects old, Set<String> liveTables, Set<String> newTables) {
        Map<String, String> out = new TreeMap<>();
        int n = 0;
        for (String t : old.triggers().stream().map(MySqlObjects.Ddl::table).collect(Collectors.toCollection(TreeSet::new))) {
            String name;
            do {
                name = "~promoter-" + ++n;
            } while (liveTables.contains(name) || newTables.contains(name));
            out.put(t, name);
        }
        return out;
    }

    /** After the switch: the old tables parked in live under {@code ~promoter-N} go to the archive (finish recreates their triggers there). */
    private static void moveToArchive(Connection monitor, String live, String archive, Map<String, String> hidden)
            throws SQLException {
        try (Statement s = monitor.createStatement()) {
            for (var h : hidden.entrySet()) {
                s.execute("RENAME TABLE " + q(live, h.getValue()) + " TO " + q(archive, h.getKey()));
            }
        }
    }

    /** The probe session may not wait for a lock: MariaDB takes 0; MySQL's minimum is 1 second. */
    private static void probeWithoutWaiting(Connection probe) throws SQLException {
        boolean mariadb = MySqlObjects.rows(probe, "SELECT VERSION()").get(0)[0].toLowerCase(Locale.ROOT).contains("mariadb");
        try (Statement s = probe.createStatement()) {
            s.execute("SET SESSION lock_wait_timeout = " + (mariadb ? 0 : 1));
        }
    }

    /** False when a read of {@code table} cannot start now: an exclusive lock request is queued on it. */
    private static boolean readableNow(Connection probe, String table) throws SQLException {
        try (Statement s = probe.createStatement()) {
            s.executeQuery("SELECT 1 FROM " + MySqlDialect.quoteName(table) + " LIMIT 0").close();
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == 1205) {
                return false;
            }
            throw e;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The probe cannot tell the RENAME from another session's exclusive request on the same table: refuse while
     * any session but ours waits on a metadata lock of live with a statement that is not plain DML.
     */
    private static void refuseForeignLocks(Connection monitor, String live, List<Long> ours) throws SQLException {
        List<String[]> waiting = MySqlObjects.rows(monitor, "SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE"
                + " STATE LIKE 'Waiting for table metadata lock%' AND (DB = ? OR INFO LIKE CONCAT('%', ?, '%'))", live, live);
        for (String[] w : waiting) {
            if (ours.contains(Long.parseLong(w[0])) || w[1] == null) {
                continue;
            }
            String head = w[1].stripLeading().toUpperCase(Locale.ROOT);
            if (!head.matches("(?s)(INSERT|UPDATE|DELETE|REPLACE|SELECT|WITH|LOAD|CALL|\\().*")) {
                throw PromoterException.refused("Refusing to switch " + live + ": session " + w[0] + " is waiting to run '"
                        + abbreviate(w[1]) + "' on it, which the switch cannot tell apart from its own RENAME. Nothing was"
                        + " renamed; let that statement finish (or stop it) and run `promote switch` again");
            }
        }
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ").strip();
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }

    /** Nothing was renamed: give staging its triggers back, drop the empty archive and the journal. */
    private static void undoPreparation(DatabaseServer server, Connection stagingC, String live, String staging,
                                        String archive, MySqlObjects next) {
        try {
            if (MySqlSwitchObjects.baseTables(server, archive).isEmpty()
                    && MySqlSwitchObjects.baseTables(server, staging).containsAll(names(next.tables()))) {
                recreate(stagingC, next.triggers());
                server.drop(archive);
                MySqlSwitchJournal.clear(server, live);
            }
        } catch (SQLException | RuntimeException ignored) {
            // the original failure is the one to report
        }
    }

    /**
     * Every live table must still have the snapshot's checksum (read under the switch's READ locks: no write can
     * run), computed as the clone computed it ({@link MySqlChecksum}).
     */
    private static void proveUnchanged(Connection c, String live, SwitchRequest request) throws SQLException {
        refuseSchemaChanges(live, request, MySqlObjects.read(c)); // again, now that no DDL can run
        List<String> changed = new ArrayList<>();
        for (var e : request.snapshot().tables().entrySet()) {
            TableRef t = e.getKey();
            TableChecksum now = MySqlChecksum.of(c, t);
            if (!now.equals(e.getValue())) {
                changed.add(t.name() + " (snapshot " + e.getValue().text() + ", now " + now.text() + ")");
            }
        }
        if (!changed.isEmpty()) {
            throw PromoterException.refused("Refusing to switch " + live + ": it took writes since the snapshot in " + changed
                    + "; they are not in staging. Run again with the write freeze (or clone again)");
        }
    }

    /** Live's definitions must still be the snapshot's: staging has those, and a switch would drop any DDL since. */
    private static void refuseSchemaChanges(String live, SwitchRequest request, MySqlObjects now) {
        List<String> kinds = MySqlWatermark.schemaChanges(request.snapshot().watermark(), now);
        if (!kinds.isEmpty()) {
            throw PromoterException.refused("Refusing to switch " + live + ": the definitions of its " + String.join(", ", kinds)
                    + " changed since the snapshot (DDL such as ALTER TABLE, CREATE INDEX or CREATE VIEW), and staging "
                    + "was built from the snapshot's; the switch would drop that change. Clone again once the DDL is done");
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
