package dev.promoter.dialects.mysql;

import dev.promoter.core.PromoterException;
import dev.promoter.core.db.ConnectionSpec;
import dev.promoter.core.db.Connections;
import dev.promoter.core.spi.WriteFreeze;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Live's write freeze: every base table of live is held by its own session with {@code LOCK TABLES t READ},
 * so no write can commit on live between the snapshot and the switch.
 *
 * <p>One session per table, not one for all, because the switch must let go of the tables one at a time (see
 * {@link MySqlAtomicSwitch}); and the sessions are taken here, not at the switch, because a READ lock queues
 * behind waiting writes: once applications' writes wait on the freeze, no new READ lock could be granted.
 *
 * <p>Why this and not {@code SET GLOBAL read_only}: the locks cover only live's tables (other databases on
 * the server keep working), hold for every user (read_only does not stop SUPER / READ_ONLY ADMIN users),
 * and are released by the server if Promoter dies (a forgotten read_only would keep the whole server
 * read-only). What applications see: reads work; a write to live <em>waits</em> (it does not fail) until
 * the switch or {@link #release()}, up to its session's {@code lock_wait_timeout}. At the switch the
 * waiting writes run after the rename, so they land in the new live: none is lost.
 */
final class MySqlWriteFreeze implements WriteFreeze {
    private final String database;
    private final Map<String, Connection> sessions;
    private final Map<String, Long> ids;
    private boolean released;

    private MySqlWriteFreeze(String database, Map<String, Connection> sessions, Map<String, Long> ids) {
        this.database = database;
        this.sessions = sessions;
        this.ids = ids;
    }

    /**
     * Opens a session per table of {@code database} and read-locks its table, each waiting at most
     * {@code lockWaitSeconds}; refuses up front when the server has too few free connections for them plus
     * {@code otherSessions}.
     */
    static MySqlWriteFreeze take(ConnectionSpec live, String database, List<String> tables, long lockWaitSeconds,
                                 int otherSessions) throws SQLException {
        Map<String, Connection> sessions = new TreeMap<>();
        Map<String, Long> ids = new TreeMap<>();
        try {
            for (String t : tables) {
                Connection c = Connections.open(live);
                sessions.put(t, c);
                if (sessions.size() == 1) {
                    requireConnections(c, database, tables.size() + otherSessions);
                }
                try (Statement s = c.createStatement()) {
                    s.execute("SET SESSION wait_timeout = 604800");
                    s.execute("SET SESSION lock_wait_timeout = " + Math.max(1, lockWaitSeconds));
                    try (ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                        rs.next();
                        ids.put(t, rs.getLong(1));
                    }
                    s.execute("LOCK TABLES " + MySqlDialect.quoteName(t) + " READ");
                }
            }
            return new MySqlWriteFreeze(database, sessions, ids);
        } catch (SQLException | RuntimeException e) {
            sessions.values().forEach(MySqlWriteFreeze::closeQuietly);
            throw e;
        }
    }

    /**
     * The freeze and the switch hold one session per table: refuse before taking any lock, naming the setting to
     * raise, when the server (or the user's limit) has fewer free connections.
     */
    static void requireConnections(Connection c, String live, int needed) throws SQLException {
        String[] r = MySqlObjects.rows(c, "SELECT @@max_connections, @@max_user_connections,"
                + " (SELECT COUNT(*) FROM information_schema.PROCESSLIST),"
                + " (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1))").get(0);
        long max = Long.parseLong(r[0]);
        long maxUser = Long.parseLong(r[1]);
        long free = max - Long.parseLong(r[2]);
        String setting = "max_connections";
        long limit = max;
        if (maxUser > 0 && maxUser - Long.parseLong(r[3]) < free) {
            free = maxUser - Long.parseLong(r[3]);
            setting = "max_user_connections";
            limit = maxUser;
        }
        if (free < needed) {
            throw PromoterException.refused("Refusing to freeze writes on " + live + ": the freeze and the switch hold one"
                    + " session per table, " + needed + " sessions in all, but the server has " + Math.max(0, free)
                    + " free (" + setting + " = " + limit + "). Raise it (SET GLOBAL " + setting + " = " + (limit + needed + 10)
                    + ") and run again. Nothing was changed");
        }
    }

    /** The tables still held, in name order. */
    synchronized Set<String> tables() {
        return sessions.keySet();
    }

    /** The server's ids of the freeze's sessions (to tell them from other sessions waiting on live). */
    synchronized Collection<Long> connectionIds() {
        return new ArrayList<>(ids.values());
    }

    /** True when every table is still held: not released, and every session alive (a dead session lost its lock). */
    synchronized boolean isHeld() {
        if (released) {
            return false;
        }
        for (Connection c : sessions.values()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                if (!rs.next()) {
                    return false;
                }
            } catch (SQLException e) {
                return false;
            }
        }
        return true;
    }

    /** Lets go of one table (the switch's hand-over); the others stay locked. */
    synchronized void releaseTable(String table) throws SQLException {
        Connection c = sessions.remove(table);
        if (c == null) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("UNLOCK TABLES");
        } finally {
            closeQuietly(c);
        }
    }

    @Override
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        for (Connection c : sessions.values()) {
            try (Statement s = c.createStatement()) {
                s.execute("UNLOCK TABLES");
            } catch (SQLException ignored) {
                // closing the session below releases the lock as well
            }
            closeQuietly(c);
        }
        sessions.clear();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the server drops the locks of a closed session
        }
    }

    @Override
    public String describe() {
        return "LOCK TABLES ... READ on each of the " + ids.size() + " tables of " + database + ", one session per table"
                + " (ids " + ids.values() + "): reads continue, writes wait until the switch (then land in the new live) or release";
    }
}
